/**
 * PostgreSQL event store benchmark (prints figures; not a test): ours beside Emmett's
 * emmett-postgresql and beside raw INSERTs, on the same server in the same run, medians of
 * several runs. Emmett is a dev dependency of this benchmark only.
 *
 *   npm run bench:store -- --runs 5 --seconds 5
 *
 * Workloads: 1 writer appending 1 event at a time; 20 writers appending 1 event at a time
 * each to its own streams; 1 writer appending batches of 100 events to one stream.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { terminalStreamId } from '@pos/contracts';
import { GENESIS_HASH, GroupCommit, type NewEvent, type ServiceStore, type StreamAppend } from '@pos/eventing';
import { PgServiceStore } from '@pos/postgres';
import { startPostgres } from '@pos/testing/containers';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    writers: { type: 'string', default: '20' },
    batch: { type: 'string', default: '100' },
  },
});
const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const WRITERS = Number(values.writers);
const BATCH = Number(values.batch);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (n: number) => Math.round(n).toLocaleString('en-US');
/** A figure with two decimals (a ratio, milliseconds). */
const two = (n: number) => {
  const hundredths = Math.round(n * 100);
  return `${Math.trunc(hundredths / 100)}.${String(Math.abs(hundredths % 100)).padStart(2, '0')}`;
};

/** A realistic sale: the data a terminal's TransactionCompleted carries. */
const sale = (terminalId: string, n: number) => ({
  terminalId, merchantId: 'M00000000000001', businessDay: '2026-11-24', stan: String(n % 999_999 || 1).padStart(6, '0'), fingerprint: 'f'.repeat(64),
  transactionId: `${terminalId}-26328${String(n).padStart(7, '0')}`, kind: 'SALE' as const, method: 'BANK_CARD' as const, amount: BigInt(1_000 + (n % 9_000)),
  currency: 'CNY' as const, rrn: `26328${String(n % 10_000_000).padStart(7, '0')}`, authCode: '123456', batchNo: '000001', operatorId: '01',
  maskedPan: '411111******1111', capture: 'ONLINE' as const,
});
const wire = (d: ReturnType<typeof sale>) => ({ ...d, amount: d.amount.toString() });
const context = { correlationId: 'bench', causationId: 'bench', actor: { type: 'terminal' as const, id: 'T0000001' } };
const ours = (terminalId: string, n: number): NewEvent => ({ type: 'TransactionCompleted', data: sale(terminalId, n), context, occurredAt: new Date() });

/** Runs `writers` loops for `seconds`; each loop call appends and returns how many events it wrote. */
const timed = async (writers: number, step: (writer: number) => Promise<number>): Promise<{ eventsPerSecond: number; p50Ms: number }> => {
  const deadline = performance.now() + SECONDS * 1000;
  const latencies: number[] = [];
  let events = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < deadline) {
        const s = performance.now();
        const n = await step(w);
        events += n;
        latencies.push(performance.now() - s);
      }
    }),
  );
  const sorted = [...latencies].sort((a, b) => a - b);
  if (process.env.BENCH_DEBUG) console.log(`  ${writers} writers: ${latencies.length} appends, p50 ${two(median(latencies))} p99 ${two(sorted[Math.floor(sorted.length * 0.99)] ?? 0)} max ${two(sorted.at(-1) ?? 0)} ms`);
  return { eventsPerSecond: events / ((performance.now() - t0) / 1000), p50Ms: median(latencies) };
};

/** Each writer appends to streams of its own; `events` per append. */
const oursWorkload = async (store: ServiceStore, writers: number, events: number, grouped: boolean) => {
  const group = new GroupCommit(store, { maxInFlight: 4 });
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const heads = Array.from({ length: writers }, (_, w) => ({ streamId: terminalStreamId(`${tag}${String(w).padStart(2, '0')}`.slice(0, 8)), version: 0, hash: GENESIS_HASH }));
  let n = 0;
  return timed(writers, async (w) => {
    const h = heads[w];
    const append: StreamAppend = { streamId: h.streamId, expectedVersion: h.version, prevHash: h.hash, events: Array.from({ length: events }, () => ours(h.streamId.slice(9), ++n)) };
    const outcome = grouped ? await group.append(append) : (await store.appendBatch([append]))[0];
    if (!outcome.ok) throw outcome.conflict;
    h.version += events;
    h.hash = outcome.recorded[outcome.recorded.length - 1].metadata.hash;
    return events;
  });
};

const emmettWorkload = async (connectionString: string, writers: number, events: number) => {
  // A pool as large as ours, so neither waits for connections.
  const pool = new pg.Pool({ connectionString, max: writers + 2 });
  const store = getPostgreSQLEventStore(connectionString, { connectionOptions: { pooled: true, pool } });
  const tag = randomBytes(3).toString('hex');
  const versions = Array.from({ length: writers }, () => 0n);
  // The schema is created on first use: not part of the measurement.
  await store.appendToStream(`warmup-${tag}`, [{ type: 'TransactionCompleted', data: wire(sale('T0000001', 0)) }]);
  let n = 0;
  try {
    return await timed(writers, async (w) => {
      const result = await store.appendToStream(
        `terminal-${tag}${w}`,
        Array.from({ length: events }, () => ({ type: 'TransactionCompleted', data: wire(sale('T0000001', ++n)) })),
        { expectedStreamVersion: versions[w] },
      );
      versions[w] = result.nextExpectedStreamVersion;
      return events;
    });
  } finally {
    await store.close();
    await pool.end().catch(() => undefined);
  }
};

/** Raw INSERTs of rows the size of a stored event, autocommit, `rows` per transaction. */
const rawWorkload = async (connectionString: string, clients: number, rows: number) => {
  const pool = new pg.Pool({ connectionString, max: clients });
  const table = `raw_${randomBytes(4).toString('hex')}`;
  await pool.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, stream_id text NOT NULL, payload jsonb NOT NULL)`);
  const payload = JSON.stringify(wire(sale('T0000001', 1)));
  try {
    return await timed(clients, async () => {
      await pool.query(`INSERT INTO ${table} (stream_id, payload) SELECT 'terminal-T0000001', $1::jsonb FROM generate_series(1, $2)`, [payload, rows]);
      return rows;
    });
  } finally {
    await pool.end();
  }
};

const main = async () => {
  const server = await startPostgres({ durable: true, serverArgs: ['-c', 'max_connections=200'] });
  try {
    const rows: Array<{ workload: string; raw: number[]; ours: number[]; grouped: number[]; emmett: number[]; oursP50: number[]; emmettP50: number[] }> = [
      { workload: '1 writer, 1 event per append', raw: [], ours: [], grouped: [], emmett: [], oursP50: [], emmettP50: [] },
      { workload: `${WRITERS} writers, 1 event per append`, raw: [], ours: [], grouped: [], emmett: [], oursP50: [], emmettP50: [] },
      { workload: `1 writer, ${BATCH} events per append`, raw: [], ours: [], grouped: [], emmett: [], oursP50: [], emmettP50: [] },
    ];
    const shapes = [
      { writers: 1, events: 1 },
      { writers: WRITERS, events: 1 },
      { writers: 1, events: BATCH },
    ];
    for (let run = 1; run <= RUNS; run++) {
      const store = await PgServiceStore.open({ schema: `bench_${run}_${randomBytes(3).toString('hex')}`, pool: { connectionString: server.connectionString, max: WRITERS + 2 } });
      try {
        for (const [i, { writers, events }] of shapes.entries()) {
          const raw = await rawWorkload(server.connectionString, writers, events);
          const o = await oursWorkload(store, writers, events, false);
          const g = await oursWorkload(store, writers, events, true);
          const e = await emmettWorkload(server.connectionString, writers, events);
          rows[i].raw.push(raw.eventsPerSecond);
          rows[i].ours.push(o.eventsPerSecond);
          rows[i].grouped.push(g.eventsPerSecond);
          rows[i].emmett.push(e.eventsPerSecond);
          rows[i].oursP50.push(o.p50Ms);
          rows[i].emmettP50.push(e.p50Ms);
          console.log(`run ${run}, ${rows[i].workload}: raw ${round(raw.eventsPerSecond)} rows/s, ours ${round(o.eventsPerSecond)} ev/s (group commit ${round(g.eventsPerSecond)}), Emmett ${round(e.eventsPerSecond)} ev/s`);
        }
      } finally {
        await store.close();
      }
    }
    console.log('');
    console.log(`medians of ${RUNS} runs, ${SECONDS} s each, one PostgreSQL 15 server (fsync on):`);
    console.log('| workload | raw INSERT rows/s | ours ev/s (p50) | ours with group commit ev/s | Emmett ev/s (p50) | ours / Emmett | ours / raw |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const [raw, o, g, e] = [median(r.raw), median(r.ours), median(r.grouped), median(r.emmett)];
      console.log(`| ${r.workload} | ${round(raw)} | ${round(o)} (${two(median(r.oursP50))} ms) | ${round(g)} | ${round(e)} (${two(median(r.emmettP50))} ms) | **${two(o / e)}×** | ${two(o / raw)} |`);
    }
  } finally {
    await server.stop();
  }
};

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
