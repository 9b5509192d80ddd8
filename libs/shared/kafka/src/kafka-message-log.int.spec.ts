import { randomBytes } from 'node:crypto';
import type { ConsumedMessage } from '@pos/eventing';
import { waitFor } from '@pos/testing';
import { sharedKafka } from '@pos/testing/shared-containers';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaMessageLog } from './kafka-message-log';

/** The Kafka MessageLog against a real broker (Testcontainers). */
describe('Kafka message log', () => {
  const kafka = sharedKafka();
  const logs: KafkaMessageLog[] = [];
  const open = () => {
    const log = new KafkaMessageLog({ brokers: kafka.brokers, clientId: 'int-test', partitions: 3, replicationFactor: 1 });
    logs.push(log);
    return log;
  };
  const topic = () => `t.${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    for (const l of logs) await l.close().catch(() => undefined);
  });

  it('keeps each key in order across partitions and carries headers', async () => {
    const log = open();
    const t = topic();
    const keys = ['T0000001', 'T0000002', 'T0000003', 'T0000004'];
    await log.publish(keys.flatMap((key) => Array.from({ length: 25 }, (_, i) => ({ topic: t, key, value: String(i), headers: { 'event-type': 'X', n: String(i) } }))));
    const got: ConsumedMessage[] = [];
    const consumer = await log.consume({ groupId: `g-${t}`, topics: [t], handleBatch: async (ms) => void got.push(...ms) });
    await waitFor(() => got.length === 100, 'all 100 messages');
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
    await waitFor(() => seen.length === 3, 'the three messages, one of them twice tried');
    await first.stop();
    expect(seen).toEqual(['1', '2', '3']);
    expect(await log.lag(`g-${t}`, [t])).toBe(0);

    // A new consumer of the same group starts after the last commit: nothing is delivered twice.
    await log.publish([{ topic: t, key: 'K', value: '4', headers: {} }]);
    const again: string[] = [];
    const second = await log.consume({ groupId: `g-${t}`, topics: [t], handleBatch: async (ms) => void again.push(...ms.map((m) => m.value)) });
    await waitFor(() => again.length === 1, 'the message published after the restart');
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
    await waitFor(() => inSecond, 'the second message in hand');
    // From its first line stop() takes no new batch; the one in hand still finishes and commits
    // (the restart below would be handed '2' again otherwise), and stop() waits for it.
    const stopping = consumer.stop().then(() => applied.push('stopped'));
    release();
    await stopping;
    expect(applied).toEqual(['1', '2', 'stopped']);

    const rest: string[] = [];
    const next = await log.consume({ groupId: `g-${t}`, topics: [t], handleBatch: async (ms) => void rest.push(...ms.map((m) => m.value)) });
    // One key, one partition, in order: a '2' handed again would come first, before '5'.
    await waitFor(() => rest.includes('5'), 'the last message');
    await next.stop();
    expect(rest).toEqual(['3', '4', '5']);
  });

  it('replays a group from the start after its offsets are rewound', async () => {
    const log = open();
    const t = topic();
    await log.publish([1, 2].map((i) => ({ topic: t, key: `K${i}`, value: String(i), headers: {} })));
    const seen: string[] = [];
    const c1 = await log.consume({ groupId: `g-${t}`, topics: [t], handleBatch: async (ms) => void seen.push(...ms.map((m) => m.value)) });
    await waitFor(() => seen.length === 2, 'both messages');
    await c1.stop();
    await log.resetGroup(`g-${t}`, [t]);
    expect(await log.lag(`g-${t}`, [t])).toBe(2);
    const c2 = await log.consume({ groupId: `g-${t}`, topics: [t], handleBatch: async (ms) => void seen.push(...ms.map((m) => m.value)) });
    await waitFor(() => seen.length === 4, 'both messages again');
    await c2.stop();
    expect(seen.sort()).toEqual(['1', '1', '2', '2']);
  });
});
