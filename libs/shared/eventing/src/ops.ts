import { dlqTopic, type MessageLog } from './message-log.port';

/** A consumer group's lag on one partition: messages on the log it has not committed. */
export interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

const splitKey = (key: string) => ({ topic: key.slice(0, key.lastIndexOf('/')), partition: Number(key.slice(key.lastIndexOf('/') + 1)) });

/** Per partition, how far a group is behind the end of its topics (from where retention starts, if it never committed there). */
export const consumerLagByPartition = async (log: MessageLog, group: string, topics: readonly string[]): Promise<PartitionLag[]> => {
  const [ends, starts, committed] = await Promise.all([log.endOffsets(topics), log.startOffsets(topics), log.committedOffsets(group, topics)]);
  return Object.entries(ends).map(([key, end]) => {
    const from = [BigInt(committed[key] ?? '0'), BigInt(starts[key] ?? '0')].reduce((a, b) => (a > b ? a : b));
    const lag = BigInt(end) - from;
    return { group, ...splitKey(key), lag: Number(lag > 0n ? lag : 0n) };
  });
};

/** Messages held on each topic's dead-letter topic (`<topic>.dlq`), every partition together. */
export const deadLetterCounts = async (log: MessageLog, topics: readonly string[]): Promise<Array<{ topic: string; count: number }>> => {
  const out = [];
  for (const topic of [...new Set(topics)].map(dlqTopic)) {
    const [ends, starts] = await Promise.all([log.endOffsets([topic]), log.startOffsets([topic])]);
    const count = Object.entries(ends).reduce((n, [key, end]) => n + (BigInt(end) - BigInt(starts[key] ?? '0')), 0n);
    out.push({ topic, count: Number(count) });
  }
  return out;
};
