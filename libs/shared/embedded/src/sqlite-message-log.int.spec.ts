import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConsumedMessage, type LogMessage, type LogPositions, positionKey } from '@pos/eventing';
import { laterInstant, waitFor } from '@pos/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partitionFor, SqliteMessageLog } from './sqlite-message-log';

const PARTITIONS = 4;
const keys = Array.from({ length: 12 }, (_, i) => `T${String(i + 1).padStart(7, '0')}`);
/** `n` messages per key, values `<key>:<seq>` so order and origin can be checked. */
const wave = (topic: string, n: number, first = 0): LogMessage[] =>
  Array.from({ length: n }, (_, i) => keys.map((key) => ({ topic, key, value: `${key}:${first + i}`, headers: { seq: String(first + i) } }))).flat();

const readAll = async (log: SqliteMessageLog, options: { topics: string[]; from?: LogPositions; until: LogPositions }) => {
  const batches: ConsumedMessage[][] = [];
  await log.readRange({ ...options, onBatch: async (messages) => void batches.push([...messages]) });
  return { batches, messages: batches.flat() };
};

/** Per key, the sequence numbers in the order they were read. */
const seqsByKey = (messages: readonly ConsumedMessage[]) => {
  const out = new Map<string, number[]>();
  for (const m of messages) out.set(m.key, [...(out.get(m.key) ?? []), Number(m.value.split(':')[1])]);
  return out;
};

describe('the embedded message log: positions and bounded range reads', () => {
  let dir: string;
  let log: SqliteMessageLog;
  const topic = 'terminal-events';
  const other = 'settlement-events';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-'));
    log = new SqliteMessageLog(join(dir, 'log.db'), PARTITIONS, 20);
  });
  afterEach(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports every partition: start 0 and end = messages written, 0 for empty partitions and topics', async () => {
    // Two keys only, so some partitions stay empty.
    const two = ['T0000001', 'T0000002'];
    expect(partitionFor(two[0], PARTITIONS)).not.toBe(partitionFor(two[1], PARTITIONS));
    await log.publish(two.flatMap((key) => Array.from({ length: key === two[0] ? 5 : 3 }, (_, i) => ({ topic, key, value: String(i), headers: {} }))));

    const expected: Record<string, string> = {};
    for (let p = 0; p < PARTITIONS; p++) expected[positionKey(topic, p)] = '0';
    expected[positionKey(topic, partitionFor(two[0], PARTITIONS))] = '5';
    expected[positionKey(topic, partitionFor(two[1], PARTITIONS))] = '3';
    expect(await log.endOffsets([topic])).toEqual(expected);

    const starts = await log.startOffsets([topic, other]);
    expect(Object.keys(starts).sort()).toEqual([...Array.from({ length: PARTITIONS }, (_, p) => positionKey(topic, p)), ...Array.from({ length: PARTITIONS }, (_, p) => positionKey(other, p))].sort());
    expect(new Set(Object.values(starts))).toEqual(new Set(['0']));
    expect(Object.values(await log.endOffsets([other]))).toEqual(['0', '0', '0', '0']);
  });

  it('reads the whole log once, in offset order per partition, each key on its own partition, with timestamps', async () => {
    await log.publish(wave(topic, 40));
    await log.publish(wave(other, 2)); // another topic: not read
    await log.publish(wave(topic, 40, 40));
    const until = await log.endOffsets([topic]);
    expect(Object.values(until).reduce((n, v) => n + Number(v), 0)).toBe(keys.length * 80);

    const { batches, messages } = await readAll(log, { topics: [topic], until });
    expect(messages).toHaveLength(keys.length * 80);
    expect(messages.every((m) => m.topic === topic)).toBe(true);
    // Batches hold one partition each; offsets per partition run 0, 1, 2, ... once.
    for (const b of batches) expect(new Set(b.map((m) => m.partition)).size).toBe(1);
    for (let p = 0; p < PARTITIONS; p++) {
      const offsets = messages.filter((m) => m.partition === p).map((m) => Number(m.offset));
      expect(offsets).toEqual(Array.from({ length: Number(until[positionKey(topic, p)]) }, (_, i) => i));
    }
    for (const [key, seqs] of seqsByKey(messages)) {
      expect(seqs).toEqual(Array.from({ length: 80 }, (_, i) => i));
      expect(new Set(messages.filter((m) => m.key === key).map((m) => m.partition))).toEqual(new Set([partitionFor(key, PARTITIONS)]));
    }
    expect(messages[0].headers).toEqual({ seq: '0' });
    expect(messages.every((m) => typeof m.timestamp === 'string' && !Number.isNaN(Date.parse(m.timestamp)))).toBe(true);
  });

  it('reads a middle range [from, until) and nothing when from equals until', async () => {
    await log.publish(wave(topic, 30));
    const mid = await log.endOffsets([topic]);
    await log.publish(wave(topic, 30, 30));
    const end = await log.endOffsets([topic]);
    await log.publish(wave(topic, 30, 60)); // beyond `until`: not read

    const { messages } = await readAll(log, { topics: [topic], from: mid, until: end });
    expect(messages).toHaveLength(keys.length * 30);
    for (const seqs of seqsByKey(messages).values()) expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => 30 + i));
    for (let p = 0; p < PARTITIONS; p++) {
      const offsets = messages.filter((m) => m.partition === p).map((m) => Number(m.offset));
      const [a, b] = [Number(mid[positionKey(topic, p)]), Number(end[positionKey(topic, p)])];
      expect(offsets).toEqual(Array.from({ length: b - a }, (_, i) => a + i));
    }

    const nothing = await readAll(log, { topics: [topic], from: mid, until: mid });
    expect(nothing.batches).toEqual([]);

    // A partition left out of `until` is not read at all.
    const onlyZero = await readAll(log, { topics: [topic], until: { [positionKey(topic, 0)]: end[positionKey(topic, 0)] } });
    expect(onlyZero.messages.length).toBe(Number(end[positionKey(topic, 0)]));
    expect(onlyZero.messages.every((m) => m.partition === 0)).toBe(true);
  });

  it('finds offsets by time: before, between and after the publishes', async () => {
    const before = new Date();
    await log.publish(wave(topic, 10));
    const afterFirst = await log.endOffsets([topic]);
    // Later than every first-wave append time, earlier than every second-wave one.
    const between = await laterInstant();
    await log.publish(wave(topic, 10, 10));
    const end = await log.endOffsets([topic]);
    const after = await laterInstant();

    expect(await log.offsetsForTime([topic], before)).toEqual(await log.startOffsets([topic]));
    expect(await log.offsetsForTime([topic], between)).toEqual(afterFirst);
    expect(await log.offsetsForTime([topic], after)).toEqual(end);
    expect(await log.offsetsForTime([topic], new Date('+010000-01-01T00:00:00Z'))).toEqual(end);
    expect(await log.offsetsForTime([topic], new Date('1960-01-01T00:00:00Z'))).toEqual(await log.startOffsets([topic]));
    // An empty topic: every partition at its end, 0.
    expect(Object.values(await log.offsetsForTime([other], before))).toEqual(['0', '0', '0', '0']);

    // The second wave, and only it, is read from the offsets found for `between`.
    const { messages } = await readAll(log, { topics: [topic], from: await log.offsetsForTime([topic], between), until: end });
    expect(messages).toHaveLength(keys.length * 10);
    expect(messages.every((m) => Number(m.value.split(':')[1]) >= 10)).toBe(true);
    expect(messages.every((m) => Date.parse(m.timestamp ?? '') >= between.getTime())).toBe(true);
  });

  it('hands consumers the append time, and a failing onBatch fails the read', async () => {
    const t0 = Date.now();
    await log.publish(wave(topic, 1));
    const got: ConsumedMessage[] = [];
    const consumer = await log.consume({ groupId: 'g', topics: [topic], handleBatch: async (ms) => void got.push(...ms) });
    await waitFor(() => got.length >= keys.length, 'a message per key', 5_000);
    await consumer.stop();
    expect(got).toHaveLength(keys.length);
    for (const m of got) {
      expect(m.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(m.timestamp ?? '')).toBeGreaterThanOrEqual(t0);
      expect(Date.parse(m.timestamp ?? '')).toBeLessThanOrEqual(Date.now());
    }

    await expect(
      log.readRange({
        topics: [topic],
        until: await log.endOffsets([topic]),
        onBatch: async () => {
          throw new Error('projection failed');
        },
      }),
    ).rejects.toThrow('projection failed');
  });
});
