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
}

export interface ConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Called once per message, in order per partition. When it resolves the
   * offset is committed; when it rejects, the message is retried later.
   */
  readonly handle: (message: ConsumedMessage) => Promise<void>;
}

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
  close(): Promise<void>;
}

export const dlqTopic = (topic: string): string => `${topic}.dlq`;
