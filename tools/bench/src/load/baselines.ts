/**
 * The machine's own limits, measured in the same run as the ledger: durable SQLite commits
 * on the same disk, raw PostgreSQL inserts on the same server, raw kafkajs produce and
 * batch consume on the same broker and topic layout.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A row the size of a stored sale event. */
export const SAMPLE_PAYLOAD = JSON.stringify({
  terminalId: 'T0000001', merchantId: 'M00000000000001', businessDay: '2026-11-24', stan: '000123', fingerprint: 'f'.repeat(64), transactionId: 'T0000001-263280000123',
  kind: 'SALE', method: 'BANK_CARD', amount: '123456', currency: 'CNY', rrn: '263280000123', authCode: '123456', batchNo: '000001', operatorId: '01',
  maskedPan: '411111******1111', capture: 'ONLINE',
});

/** Rows per second into a SQLite file in `dir` (WAL, synchronous=FULL, as the ledger), `rows` per commit. */
export const sqliteCommits = (dir: string, rows: number, seconds: number): number => {
  const file = join(dir, `baseline-${randomBytes(3).toString('hex')}.db`);
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (payload) VALUES (?)');
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      db.exec('BEGIN IMMEDIATE');
      for (let i = 0; i < rows; i++) insert.run(SAMPLE_PAYLOAD);
      db.exec('COMMIT');
      n += rows;
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  }
};

/** Rows per second of raw INSERTs from `clients` connections, `rows` per transaction (autocommit). */
export const postgresInserts = async (connectionString: string, clients: number, rows: number, seconds: number): Promise<number> => {
  const pool = new pg.Pool({ connectionString, max: clients });
  const table = `raw_${randomBytes(4).toString('hex')}`;
  await pool.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, stream_id text NOT NULL, payload jsonb NOT NULL)`);
  try {
    let n = 0;
    const deadline = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < deadline) {
          await pool.query(`INSERT INTO ${table} (stream_id, payload) SELECT 'terminal-T0000001', $1::jsonb FROM generate_series(1, $2)`, [SAMPLE_PAYLOAD, rows]);
          n += rows;
        }
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await pool.query(`DROP TABLE ${table}`).catch(() => undefined);
    await pool.end();
  }
};

/**
 * Raw kafkajs on a fresh topic with the services' layout: produce with the relay's producer
 * settings (idempotent, acks=all, one request in flight, batches of 1,000, keys = terminal
 * ids), then consume with eachBatch and one offset commit per batch, parsing each message.
 */
export const kafkaRaw = async (brokers: string[], partitions: number, messages: number): Promise<{ produce: number; consume: number }> => {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench.raw.${randomBytes(4).toString('hex')}`;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
  const value = JSON.stringify({ type: 'TransactionCompleted', data: JSON.parse(SAMPLE_PAYLOAD), metadata: { eventId: '9f0e3c1a-1111-4222-8333-444455556666', streamId: 'terminal-T0000001', version: 123, position: '1' } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const t0 = performance.now();
  for (let i = 0; i < messages; i += 1000)
    await producer.sendBatch({
      acks: -1,
      topicMessages: [{ topic, messages: Array.from({ length: Math.min(1000, messages - i) }, (_, j) => ({ key: `T${String((i + j) % 200).padStart(7, '0')}`, value })) }],
    });
  const produce = messages / ((performance.now() - t0) / 1000);
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let n = 0;
  const t1 = performance.now();
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) JSON.parse(m.value!.toString('utf8'));
      await consumer.commitOffsets([{ topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }]);
      n += batch.messages.length;
    },
  });
  while (n < messages) await sleep(10);
  const consume = messages / ((performance.now() - t1) / 1000);
  await consumer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return { produce, consume };
};
