import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, startPostgres, type StartedKafka, type StartedPostgres } from './index';

// The container helpers themselves, against real servers: LEDGER_LOCAL_IMAGES=1 on the CI
// machine (images from tools/infra/build-images.sh), official images on a laptop.
const timed = async <T>(label: string, start: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const started = await start();
  console.info(`${label} started in ${Math.round((performance.now() - t0) / 100) / 10} s`);
  return started;
};

describe('PostgreSQL container', () => {
  let server: StartedPostgres;
  beforeAll(async () => {
    server = await timed('postgres', () => startPostgres());
  });
  afterAll(() => server?.stop());

  it('answers pg with the configured role and database', async () => {
    const client = new pg.Client({ connectionString: server.connectionString });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT 1 AS one, current_user AS usr, current_database() AS db');
      expect(rows).toEqual([{ one: 1, usr: 'ledger', db: 'ledger' }]);
      const { rows: v } = await client.query<{ server_version: string }>('SHOW server_version');
      expect(v[0].server_version).toMatch(/^15\./);
    } finally {
      await client.end();
    }
  });

  it('refuses a wrong password', async () => {
    const url = new URL(server.connectionString);
    url.password = 'wrong';
    const client = new pg.Client({ connectionString: url.toString() });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
  });
});

describe('Kafka container', () => {
  let broker: StartedKafka;
  beforeAll(async () => {
    broker = await timed('kafka', () => startKafka());
  });
  afterAll(() => broker?.stop());

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
