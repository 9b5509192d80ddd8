import { randomBytes } from 'node:crypto';
import { type ConsumedMessage, dlqTopic, type LogMessage, type LogPositions, positionKey } from '@pos/eventing';
import { laterInstant, waitFor } from '@pos/testing';
import { sharedKafka } from '@pos/testing/shared-containers';
import { type Admin, ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_READ_GROUP_PREFIX, KafkaMessageLog } from './kafka-message-log';

const PARTITIONS = 3;
const keyOf = (i: number) => `T${String(i + 1).padStart(7, '0')}`;
/** `perKey` messages for each of `keys` keys, interleaved; values `<key>:<seq>:<padding>`. */
const messages = (topic: string, keys: number, perKey: number, firstSeq = 0, padding = 0): LogMessage[] =>
  Array.from({ length: perKey }, (_, s) =>
    Array.from({ length: keys }, (_, k) => ({
      topic,
      key: keyOf(k),
      value: `${keyOf(k)}:${firstSeq + s}:${'x'.repeat(padding)}`,
      headers: { 'event-type': 'X', seq: String(firstSeq + s) },
    })),
  ).flat();
const seqOf = (m: ConsumedMessage) => Number(m.value.split(':')[1]);
const total = (positions: LogPositions) => Object.values(positions).reduce((n, v) => n + Number(v), 0);

/** Bounded range reads of the Kafka MessageLog against a real broker (Testcontainers). */
describe('Kafka message log: positions and bounded range reads', () => {
  const kafka = sharedKafka();
  let log: KafkaMessageLog;
  let admin: Admin;
  const warnings: string[] = [];
  const topic = () => `rr.${randomBytes(4).toString('hex')}`;

  const publish = async (all: readonly LogMessage[]) => {
    for (let i = 0; i < all.length; i += 2_000) await log.publish(all.slice(i, i + 2_000));
  };
  const read = async (options: { topics: string[]; from?: LogPositions; until: LogPositions }) => {
    const got: ConsumedMessage[] = [];
    const batches: number[] = [];
    await log.readRange({
      ...options,
      onBatch: async (batch) => {
        expect(new Set(batch.map((m) => m.partition)).size).toBe(1);
        batches.push(batch.length);
        got.push(...batch);
      },
    });
    return { got, batches };
  };
  // Read groups on the shared broker from before this spec (another spec's, left behind) are not this spec's to count.
  let foreign = new Set<string>();
  const readGroups = async () =>
    (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(AUDIT_READ_GROUP_PREFIX) && !foreign.has(g));
  /** Per partition, the offsets read must be exactly [from, until). */
  const expectExactRange = (got: readonly ConsumedMessage[], t: string, from: LogPositions, until: LogPositions) => {
    for (let p = 0; p < PARTITIONS; p++) {
      const [a, b] = [Number(from[positionKey(t, p)] ?? 0), Number(until[positionKey(t, p)])];
      expect(got.filter((m) => m.partition === p).map((m) => Number(m.offset))).toEqual(Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i));
    }
  };

  beforeAll(async () => {
    log = new KafkaMessageLog({
      brokers: kafka.brokers,
      clientId: 'read-range-test',
      partitions: PARTITIONS,
      replicationFactor: 1,
      log: { warn: (_o, msg) => void warnings.push(msg), error: () => undefined },
    });
    admin = new Kafka({ brokers: kafka.brokers, clientId: 'read-range-test-admin', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    foreign = new Set(await readGroups());
  });
  afterAll(async () => {
    await admin?.disconnect().catch(() => undefined);
    await log?.close().catch(() => undefined);
  });

  // ~7 MB: several fetches per partition, so cursors carry across batches and partitions finish apart.
  describe('a topic with 3 partitions and 30,000 keyed messages', () => {
    const t = topic();
    const KEYS = 80;
    const PER_KEY = 375;
    let end: LogPositions;

    beforeAll(async () => {
      await publish(messages(t, KEYS, PER_KEY, 0, 200));
      end = await log.endOffsets([t]);
    });

    it('reports the start and end of every partition', async () => {
      expect(Object.keys(end).sort()).toEqual([0, 1, 2].map((p) => positionKey(t, p)));
      expect(total(end)).toBe(KEYS * PER_KEY);
      expect(Object.values(end).every((v) => Number(v) > 0)).toBe(true);
      expect(await log.startOffsets([t])).toEqual({ [positionKey(t, 0)]: '0', [positionKey(t, 1)]: '0', [positionKey(t, 2)]: '0' });
    });

    it('reads the whole log: every message once, each key in order on one partition', async () => {
      const started = performance.now();
      let firstBatchAt = 0;
      const got: ConsumedMessage[] = [];
      let batches = 0;
      await log.readRange({
        topics: [t],
        until: end,
        onBatch: async (batch) => {
          firstBatchAt ||= performance.now();
          batches++;
          got.push(...batch);
        },
      });
      const seconds = (performance.now() - started) / 1000;
      const streaming = (performance.now() - firstBatchAt) / 1000;
      console.log(
        `[kafka readRange] whole log: ${got.length} messages (${batches} batches) in ${Math.round(seconds * 1000)} ms = ${Math.round(got.length / seconds)} messages/s ` +
          `(group join and first fetch ${Math.round((seconds - streaming) * 1000)} ms)`,
      );
      expect(batches).toBeGreaterThan(PARTITIONS);

      expect(got).toHaveLength(KEYS * PER_KEY);
      expectExactRange(got, t, {}, end);
      for (let k = 0; k < KEYS; k++) {
        const mine = got.filter((m) => m.key === keyOf(k));
        expect(mine.map(seqOf)).toEqual(Array.from({ length: PER_KEY }, (_, i) => i));
        expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
      }
      expect(got[0].headers).toMatchObject({ 'event-type': 'X' });
      expect(got.every((m) => m.topic === t && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(m.timestamp ?? ''))).toBe(true);
    });

    it('reads a range from mid offsets to mid offsets, and nothing for an empty range', async () => {
      const from = Object.fromEntries(Object.entries(end).map(([k, v]) => [k, String(Math.floor(Number(v) / 3))]));
      const until = Object.fromEntries(Object.entries(end).map(([k, v]) => [k, String(Math.floor((2 * Number(v)) / 3))]));
      const { got } = await read({ topics: [t], from, until });
      expect(got).toHaveLength(total(until) - total(from));
      expectExactRange(got, t, from, until);
      // Per key a contiguous run of its sequence.
      for (let k = 0; k < KEYS; k++) {
        const seqs = got.filter((m) => m.key === keyOf(k)).map(seqOf);
        expect(seqs.length).toBeGreaterThan(0);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));
      }

      const groupsBefore = await readGroups();
      const started = performance.now();
      const empty = await read({ topics: [t], from: until, until });
      expect(empty.got).toEqual([]);
      expect(performance.now() - started).toBeLessThan(2_000); // no consumer group was joined
      expect(await readGroups()).toEqual(groupsBefore);
    });

    it('reads only the partitions named in until', async () => {
      const only = { [positionKey(t, 1)]: end[positionKey(t, 1)] };
      const { got } = await read({ topics: [t], until: only });
      expect(got).toHaveLength(Number(end[positionKey(t, 1)]));
      expect(got.every((m) => m.partition === 1)).toBe(true);
    });

    it('ends a read in progress when the log is closed, and removes its consumer group', async () => {
      const other = new KafkaMessageLog({ brokers: kafka.brokers, clientId: 'read-range-close', partitions: PARTITIONS, replicationFactor: 1 });
      let batches = 0;
      let closing: Promise<void> | undefined;
      const reading = other.readRange({
        topics: [t],
        until: end,
        onBatch: async () => {
          batches++;
          // close() fails the read before it returns to us: no second batch is taken.
          closing ??= other.close();
        },
      });
      await expect(reading).rejects.toThrow('closed during readRange');
      await closing;
      expect(batches).toBe(1);
      expect(await readGroups()).toEqual([]);
    });

    it('rejects when onBatch fails, and still removes its consumer group', async () => {
      let calls = 0;
      await expect(
        log.readRange({
          topics: [t],
          until: end,
          onBatch: async () => {
            calls++;
            throw new Error('projection failed');
          },
        }),
      ).rejects.toThrow('projection failed');
      expect(calls).toBe(1);
      expect(await readGroups()).toEqual([]);
    });
  });

  it('finds, for an instant between two publish waves, exactly the first offsets of the second wave', async () => {
    const t = topic();
    const before = new Date();
    await publish(messages(t, 30, 50));
    const afterFirst = await log.endOffsets([t]);
    // Later than every first-wave timestamp, earlier than every second-wave one.
    const between = await laterInstant();
    await publish(messages(t, 30, 50, 50));
    const end = await log.endOffsets([t]);
    const after = await laterInstant();

    const found = await log.offsetsForTime([t], between);
    expect(found).toEqual(afterFirst);
    expect(Object.keys(found).filter((k) => found[k] !== end[k]).length).toBe(PARTITIONS); // the second wave reached every partition
    expect(await log.offsetsForTime([t], before)).toEqual(await log.startOffsets([t]));
    // After the last message: no record at or after it, Kafka answers -1 per partition: the end offsets.
    expect(await log.offsetsForTime([t], after)).toEqual(end);

    const { got } = await read({ topics: [t], from: found, until: end });
    expect(got).toHaveLength(30 * 50);
    expect(got.every((m) => seqOf(m) >= 50)).toBe(true);
    expect(got.every((m) => Date.parse(m.timestamp ?? '') >= between.getTime())).toBe(true);
  });

  it('joins no group of the services: their committed offsets stay, and no read group is left behind', async () => {
    const t = topic();
    const group = `settlement-${randomBytes(3).toString('hex')}`;
    await publish(messages(t, 10, 20));
    const consumed: ConsumedMessage[] = [];
    const consumer = await log.consume({ groupId: group, topics: [t], handleBatch: async (ms) => void consumed.push(...ms) });
    await waitFor(async () => (await log.lag(group, [t])) === 0, 'the group to catch up', 30_000, 100);
    await consumer.stop();
    expect(consumed).toHaveLength(200);
    expect(consumed.every((m) => m.timestamp !== undefined && Date.parse(m.timestamp) > 0)).toBe(true);
    await publish(messages(t, 10, 20, 20)); // the group now lags: 200 messages
    const committed = await admin.fetchOffsets({ groupId: group, topics: [t] });
    expect(await log.lag(group, [t])).toBe(200);

    // While a read runs its own throw-away group exists; afterwards it is gone.
    const during: string[][] = [];
    const until = await log.endOffsets([t]);
    await log.readRange({
      topics: [t],
      until,
      onBatch: async () => void during.push(await readGroups()),
    });
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((g) => g.length === 1)).toBe(true);
    expect(await readGroups()).toEqual([]);
    expect(await admin.fetchOffsets({ groupId: group, topics: [t] })).toEqual(committed);
    expect(await log.lag(group, [t])).toBe(200);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain(group);
    expect(warnings.filter((w) => w.includes('could not delete'))).toEqual([]);
  });

  it('creates topics (and their dead-letter topics) that keep messages forever', async () => {
    const t = topic();
    await log.ensureTopics([t]);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [t, dlqTopic(t)].map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms', 'retention.bytes'] })),
    });
    expect(resources).toHaveLength(2);
    for (const r of resources) {
      const config = Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]));
      expect(config).toEqual({ 'retention.ms': '-1', 'retention.bytes': '-1' });
    }
  });

  it('refuses topics the cluster does not have, without creating them', async () => {
    const t = topic();
    await expect(log.endOffsets([t])).rejects.toThrow(`unknown Kafka topic: ${t}`);
    await expect(log.readRange({ topics: [t], until: {}, onBatch: async () => undefined })).rejects.toThrow(/unknown Kafka topic/);
    expect(await admin.listTopics()).not.toContain(t);
  });
});
