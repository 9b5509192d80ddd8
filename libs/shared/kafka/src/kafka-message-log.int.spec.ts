import { randomBytes } from 'node:crypto';
import type { ConsumedMessage } from '@pos/eventing';
import { startKafka, type StartedKafka } from '@pos/testing/containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaMessageLog } from './kafka-message-log';

const waitFor = async (probe: () => boolean, ms = 30_000) => {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** The Kafka MessageLog against a real broker (Testcontainers). */
describe('Kafka message log', () => {
  let kafka: StartedKafka;
  const logs: KafkaMessageLog[] = [];
  const open = () => {
    const log = new KafkaMessageLog({ brokers: kafka.brokers, clientId: 'int-test', partitions: 3, replicationFactor: 1 });
    logs.push(log);
    return log;
  };
  const topic = () => `t.${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    kafka = await startKafka();
  });
  afterAll(async () => {
    for (const l of logs) await l.close().catch(() => undefined);
    await kafka?.stop();
  });

  it('keeps each key in order across partitions and carries headers', async () => {
    const log = open();
    const t = topic();
    const keys = ['T0000001', 'T0000002', 'T0000003', 'T0000004'];
    await log.publish(keys.flatMap((key) => Array.from({ length: 25 }, (_, i) => ({ topic: t, key, value: String(i), headers: { 'event-type': 'X', n: String(i) } }))));
    const got: ConsumedMessage[] = [];
    const consumer = await log.consume({ groupId: `g-${t}`, topics: [t], handleBatch: async (ms) => void got.push(...ms) });
    await waitFor(() => got.length === 100);
    await consumer.stop();
    for (const key of keys) expect(got.filter((m) => m.key === key).map((m) => Number(m.value))).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(new Set(got.map((m) => m.partition)).size).toBeGreaterThan(1);
    expect(got[0].headers).toMatchObject({ 'event-type': 'X' });
    expect(await log.lag(`g-${t}`, [t])).toBe(0);
  });

  it('commits only what the handler finished: a failed message is delivered again, after a restart too', async () => {
    const log = open();
    const t = topic();
    await log.publish([1, 2, 3].map((i) => ({ topic: t, key: 'K', value: String(i), headers: {} })));
    const seen: string[] = [];
    let failOnce = true;
    const first = await log.consume({
      groupId: `g-${t}`,
      topics: [t],
      // A batch is applied whole or not at all: one holding '2' fails once, then comes again.
      handleBatch: async (ms) => {
        if (ms.some((m) => m.value === '2') && failOnce) {
          failOnce = false;
          throw new Error('transient');
        }
        seen.push(...ms.map((m) => m.value));
      },
    });
    await waitFor(() => seen.length === 3);
    await first.stop();
    expect(seen).toEqual(['1', '2', '3']);
    expect(await log.lag(`g-${t}`, [t])).toBe(0);

    // A new consumer of the same group starts after the last commit: nothing is delivered twice.
    await log.publish([{ topic: t, key: 'K', value: '4', headers: {} }]);
    const again: string[] = [];
    const second = await log.consume({ groupId: `g-${t}`, topics: [t], handleBatch: async (ms) => void again.push(...ms.map((m) => m.value)) });
    await waitFor(() => again.length === 1);
    await second.stop();
    expect(again).toEqual(['4']);
  });

  it('on stop, finishes the batch in hand and commits exactly what was applied', async () => {
    const log = open();
    const t = topic();
    await log.publish(['1', '2', '3', '4', '5'].map((v) => ({ topic: t, key: 'K', value: v, headers: {} })));
    const applied: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inSecond = false;
    const consumer = await log.consume({
      groupId: `g-${t}`,
      topics: [t],
      maxBatch: 1,
      handleBatch: async ([m]) => {
        if (m.value === '2') {
          inSecond = true;
          await gate;
        }
        applied.push(m.value);
      },
    });
    await waitFor(() => inSecond);
    const stopping = consumer.stop();
    await new Promise((r) => setTimeout(r, 300));
    release();
    await stopping;
    expect(applied).toEqual(['1', '2']);

    const rest: string[] = [];
    const next = await log.consume({ groupId: `g-${t}`, topics: [t], handleBatch: async (ms) => void rest.push(...ms.map((m) => m.value)) });
    await waitFor(() => rest.length >= 3);
    await new Promise((r) => setTimeout(r, 500));
    await next.stop();
    expect(rest).toEqual(['3', '4', '5']);
  });

  it('replays a group from the start after its offsets are rewound', async () => {
    const log = open();
    const t = topic();
    await log.publish([1, 2].map((i) => ({ topic: t, key: `K${i}`, value: String(i), headers: {} })));
    const seen: string[] = [];
    const c1 = await log.consume({ groupId: `g-${t}`, topics: [t], handleBatch: async (ms) => void seen.push(...ms.map((m) => m.value)) });
    await waitFor(() => seen.length === 2);
    await c1.stop();
    await log.resetGroup(`g-${t}`, [t]);
    expect(await log.lag(`g-${t}`, [t])).toBe(2);
    const c2 = await log.consume({ groupId: `g-${t}`, topics: [t], handleBatch: async (ms) => void seen.push(...ms.map((m) => m.value)) });
    await waitFor(() => seen.length === 4);
    await c2.stop();
    expect(seen.sort()).toEqual(['1', '1', '2', '2']);
  });
});
