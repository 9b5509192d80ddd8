import type { ConsumedMessage, LogPositions, MessageLog } from '@pos/eventing';

/**
 * A MessageLog whose topics live under `<namespace>.` on the real log beneath: specs that use
 * the services' fixed topic names (`pos.terminal.events.v1`, …) share one broker without
 * reading each other's messages. Callers see the names they used; only the broker sees the prefix.
 */
export const namespacedLog = (log: MessageLog, namespace: string): MessageLog => {
  const prefix = `${namespace}.`;
  const out = (topic: string) => `${prefix}${topic}`;
  const back = (topic: string) => {
    if (!topic.startsWith(prefix)) throw new Error(`topic ${topic} is outside namespace ${namespace}`);
    return topic.slice(prefix.length);
  };
  const outAll = (topics: readonly string[]) => topics.map(out);
  /** Position keys are `topic/partition`: rename the topic part. */
  const keys = (positions: LogPositions | undefined, rename: (t: string) => string): LogPositions | undefined =>
    positions &&
    Object.fromEntries(
      Object.entries(positions).map(([key, offset]) => {
        const slash = key.lastIndexOf('/');
        return [`${rename(key.slice(0, slash))}${key.slice(slash)}`, offset];
      }),
    );
  const received = (ms: readonly ConsumedMessage[]): ConsumedMessage[] => ms.map((m) => ({ ...m, topic: back(m.topic) }));
  return {
    publish: (messages) => log.publish(messages.map((m) => ({ ...m, topic: out(m.topic) }))),
    consume: (o) => log.consume({ ...o, topics: outAll(o.topics), handleBatch: (ms, context) => o.handleBatch(received(ms), context) }),
    lag: (groupId, topics) => log.lag(groupId, outAll(topics)),
    resetGroup: (groupId, topics) => log.resetGroup(groupId, outAll(topics)),
    committedOffsets: async (groupId, topics) => keys(await log.committedOffsets(groupId, outAll(topics)), back)!,
    endOffsets: async (topics) => keys(await log.endOffsets(outAll(topics)), back)!,
    offsetsForTime: async (topics, at) => keys(await log.offsetsForTime(outAll(topics), at), back)!,
    startOffsets: async (topics) => keys(await log.startOffsets(outAll(topics)), back)!,
    readRange: (o) =>
      log.readRange({ topics: outAll(o.topics), from: keys(o.from, out), until: keys(o.until, out)!, onBatch: (ms) => o.onBatch(received(ms)) }),
    ensureTopics: (topics) => log.ensureTopics(outAll(topics)),
    close: () => log.close(),
  };
};
