/** A partitioned, replayable log: Kafka in production, an embedded log on one machine. */
export interface LogMessage {
  readonly topic: string;
  /** Messages with one key keep their order (one partition). */
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ConsumedMessage extends LogMessage {
  readonly partition: number;
  readonly offset: string;
  /** When the message entered the log (ISO-8601): Kafka's record timestamp, the embedded log's append time. */
  readonly timestamp?: string;
}

/**
 * Offsets per partition, keyed `topic/partition` (see `positionKey`). Offsets are decimal
 * strings: Kafka's are 64-bit. An end position is the next offset to be written.
 */
export type LogPositions = Readonly<Record<string, string>>;

export const positionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

export interface ReadRangeOptions {
  readonly topics: readonly string[];
  /** First offset to read per partition (inclusive); a partition not named starts at its earliest offset. */
  readonly from?: LogPositions;
  /** Offset to stop before per partition (exclusive), e.g. `endOffsets()` taken earlier; a partition not named is not read. */
  readonly until: LogPositions;
  /**
   * Receives messages of one partition in offset order, a batch at a time; the next
   * batch waits until it resolves (back-pressure). Batches of different partitions may interleave.
   */
  readonly onBatch: (messages: readonly ConsumedMessage[]) => Promise<void>;
}

/** What a batch handler may ask of the log while it works. */
export interface BatchContext {
  /** True once the partition was taken away (a rebalance) or the consumer is stopping: stop, commit nothing. */
  stale(): boolean;
}

export interface ConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Called with consecutive messages of one or more partitions, each partition's in offset
   * order; partitions run in parallel (Kafka hands one partition per call, the embedded log
   * all that have messages). When it resolves, the offset after each partition's last message
   * is committed (once per batch); when it rejects, the same messages are handed again later.
   */
  readonly handleBatch: (messages: readonly ConsumedMessage[], context: BatchContext) => Promise<void>;
  /** At most this many messages per call; default 2000. */
  readonly maxBatch?: number;
}

export const DEFAULT_MAX_BATCH = 2000;

export interface Consumer {
  stop(): Promise<void>;
  /** Messages published but not yet handled by this group (lag). */
  lag(): Promise<number>;
}

export interface MessageLog {
  publish(messages: readonly LogMessage[]): Promise<void>;
  consume(options: ConsumerOptions): Promise<Consumer>;
  /** Messages on `topics` the group has not committed yet. */
  lag(groupId: string, topics: readonly string[]): Promise<number>;
  /** Replay: rewind a stopped group to the start of its topics. */
  resetGroup(groupId: string, topics: readonly string[]): Promise<void>;
  /** Where a consumer group has got to: its committed next offset per partition ('0' where it has none). */
  committedOffsets(groupId: string, topics: readonly string[]): Promise<LogPositions>;
  /** The end of every partition of `topics` now (next offset to be written). */
  endOffsets(topics: readonly string[]): Promise<LogPositions>;
  /** The first offset of every partition whose log time is at or after `at` (the partition's end offset if none is). */
  offsetsForTime(topics: readonly string[], at: Date): Promise<LogPositions>;
  /** The earliest offset still held by every partition (above 0 once retention removed messages). */
  startOffsets(topics: readonly string[]): Promise<LogPositions>;
  /**
   * Reads a bounded range of the log for audits and rebuilds: joins no consumer group
   * that the services use and commits nothing; resolves once every partition reached `until`.
   */
  readRange(options: ReadRangeOptions): Promise<void>;
  /**
   * Creates the topics where the log has them only once written to (Kafka's admin client):
   * for a reader that must see a topic nothing was published to yet as empty (checkpoints).
   */
  ensureTopics(topics: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export const dlqTopic = (topic: string): string => `${topic}.dlq`;
