import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKafka, sharedPostgres, type SpecDatabase } from './shared';

// The int tier's shared servers, started by its globalSetup through startPostgres/startKafka:
// LEDGER_LOCAL_IMAGES=1 on the CI machine (images from tools/infra/build-images.sh), official
// images on a laptop. Each spec takes a database of its own on the one PostgreSQL.
describe('PostgreSQL container', () => {
  let db: SpecDatabase;
  beforeAll(async () => {
    db = await sharedPostgres();
  });
  afterAll(() => db?.stop());

  const query = async (connectionString: string, sql: string) => {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  it('answers pg with the configured role, in a database of the spec\'s own', async () => {
    expect(db.database).toMatch(/^spec_[0-9a-f]{12}$/);
    expect(await query(db.connectionString, 'SELECT 1 AS one, current_user AS usr, current_database() AS db')).toEqual([{ one: 1, usr: 'ledger', db: db.database }]);
    const [v] = await query(db.connectionString, 'SHOW server_version');
    expect(v.server_version).toMatch(/^15\./);
  });

  it('refuses a wrong password', async () => {
    const url = new URL(db.connectionString);
    url.password = 'wrong';
    const client = new pg.Client({ connectionString: url.toString() });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
  });

  it('drops a spec database on stop, connections still open or not, and leaves the others', async () => {
    const other = await sharedPostgres();
    const open = new pg.Client({ connectionString: other.connectionString });
    open.on('error', () => undefined); // the drop ends this session
    await open.connect();
    await query(other.connectionString, 'CREATE TABLE mine (n int)');
    await other.stop();
    await expect(query(other.connectionString, 'SELECT 1')).rejects.toThrow(/does not exist/);
    await open.end().catch(() => undefined);
    expect(await query(db.connectionString, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'mine'")).toEqual([{ n: 0 }]);
  });
});

describe('Kafka container', () => {
  const broker = sharedKafka();

  it('takes idempotent acks=all writes and gives them back to a consumer group', async () => {
    const kafka = new Kafka({ clientId: 'containers-spec', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const topic = `spec-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(true);
    } finally {
      await admin.disconnect();
    }

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const sent = Array.from({ length: 10 }, (_, i) => ({ key: `terminal-${i % 3}`, value: `event-${i}` }));
    try {
      const acks = await producer.send({ topic, acks: -1, messages: sent });
      expect(acks.every((a) => a.errorCode === 0)).toBe(true);
    } finally {
      await producer.disconnect();
    }

    const consumer = kafka.consumer({ groupId: `spec-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const received: { key: string; value: string }[] = [];
      await new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`got ${received.length} of ${sent.length}`)), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            received.push({ key: String(message.key), value: String(message.value) });
            if (received.length === sent.length) {
              clearTimeout(timer);
              done();
            }
          },
        });
      });
      const byValue = (a: { value: string }, b: { value: string }) => a.value.localeCompare(b.value);
      expect(received.sort(byValue)).toEqual([...sent].sort(byValue));
    } finally {
      await consumer.disconnect();
    }
  });
});
