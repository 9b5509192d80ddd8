import type { ConnectionOptions } from 'node:tls';
import { dlqTopic, type ConsumedMessage, type Consumer, type ConsumerOptions, type LogMessage, type MessageLog } from '@pos/eventing';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer as KafkaConsumer, type Producer, type SASLOptions } from 'kafkajs';

export interface KafkaLogOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Partitions and replication of topics this service creates if missing. */
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly ssl?: boolean | ConnectionOptions;
  readonly sasl?: SASLOptions;
  readonly log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/**
 * Retries what fails with a retriable Kafka error (a leader moving, metadata not yet
 * everywhere after another service created a topic) for a bounded time: at start-up
 * these are normal in a cluster, not a reason for a process to exit.
 */
const whileRetriable = async <T>(what: () => Promise<T>, ms = 60_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await what();
    } catch (e) {
      if (!(e as { retriable?: boolean }).retriable || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
};

const headersOf = (h: Record<string, unknown> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(h ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k, Buffer.isBuffer(v) ? v.toString('utf8') : String(v)]])));

/**
 * The MessageLog on Kafka (kafkajs). Producer: idempotent, acks=all, one
 * in-flight request, so a retry never duplicates or reorders. Consumers
 * commit an offset only after the handler resolved: what was applied, and
 * nothing else, is committed, also on graceful shutdown.
 */
export class KafkaMessageLog implements MessageLog {
  private readonly kafka: Kafka;
  private producer: Producer;
  private readonly admin: Admin;
  private readonly consumers = new Set<{ stop(): Promise<void> }>();
  private connected?: Promise<void>;
  private readonly knownTopics = new Set<string>();

  constructor(private readonly o: KafkaLogOptions) {
    this.kafka = new Kafka({
      clientId: o.clientId,
      brokers: [...o.brokers],
      ssl: o.ssl,
      sasl: o.sasl,
      logLevel: logLevel.WARN,
      logCreator: () => ({ level, log }) => {
        const { message, ...rest } = log;
        if (level === logLevel.ERROR) o.log?.error({ kafka: rest }, message);
        else if (level === logLevel.WARN) o.log?.warn({ kafka: rest }, message);
      },
      retry: { initialRetryTime: 100, retries: 10 },
    });
    this.producer = this.newProducer();
    this.admin = this.kafka.admin();
  }

  // Java's default (murmur2) partitioner: a key lands on the same partition as from any Kafka client.
  private newProducer(): Producer {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  private connect(): Promise<void> {
    return (this.connected ??= (async () => {
      await this.admin.connect();
      await this.producer.connect();
    })());
  }

  /** Creates the topics (and their dead-letter topics) if missing, with the configured layout. */
  ensureTopics(topics: readonly string[]): Promise<void> {
    return whileRetriable(() => this.createMissingTopics(topics));
  }

  private async createMissingTopics(topics: readonly string[]): Promise<void> {
    await this.connect();
    const wanted = [...new Set(topics.flatMap((t) => [t, dlqTopic(t)]))].filter((t) => !this.knownTopics.has(t));
    if (wanted.length === 0) return;
    const existing = new Set(await this.admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      try {
        await this.admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: this.o.partitions, replicationFactor: this.o.replicationFactor })),
        });
      } catch (e) {
        // Another service may have created them a moment ago: that is fine, anything else is not.
        const errors = (e as { topicErrors?: Array<{ type?: string }> }).topicErrors ?? [];
        if (errors.length === 0 || errors.some((x) => x.type !== 'TOPIC_ALREADY_EXISTS')) throw e;
      }
    }
    await this.waitForLeaders(wanted);
    wanted.forEach((t) => this.knownTopics.add(t));
  }

  /** Metadata of fresh topics takes a moment to reach every broker view; wait (bounded) until each partition has a leader. */
  private async waitForLeaders(topics: readonly string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const { topics: meta } = await this.admin.fetchTopicMetadata({ topics: [...topics] });
        if (meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
      if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leaders after 30 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async publish(messages: readonly LogMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.ensureTopics(messages.map((m) => m.topic));
    const byTopic = new Map<string, LogMessage[]>();
    for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, ms]) => ({ topic, messages: ms.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })) })),
      });
    } catch (e) {
      // After a broker restart an idempotent producer can be left in a state it never leaves
      // (e.g. an unknown producer id). Start a new one for the caller's retry: the retry may
      // write a message twice, which consumers drop by event id.
      this.o.log?.warn({ err: e }, 'publish failed; the next attempt uses a new producer');
      const broken = this.producer;
      this.producer = this.newProducer();
      await this.producer.connect().catch(() => undefined);
      await broken.disconnect().catch(() => undefined);
      throw e;
    }
  }

  async consume(options: ConsumerOptions): Promise<Consumer> {
    await this.ensureTopics(options.topics);
    let stopped = false;
    let current: KafkaConsumer | undefined;
    // The message being applied (and its commit): a graceful stop waits for it.
    let inFlight: Promise<unknown> = Promise.resolve();
    const start = async (): Promise<void> => {
      const consumer = this.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
      current = consumer;
      // kafkajs restarts itself after retriable failures; after any other crash we start a new consumer.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart || stopped) return;
        this.o.log?.error({ err: payload.error, groupId: options.groupId }, 'consumer crashed; starting a new one');
        setTimeout(() => {
          if (!stopped) start().catch((e) => this.o.log?.error({ err: e, groupId: options.groupId }, 'consumer restart failed'));
        }, 1_000);
      });
      await consumer.connect();
      for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 1,
        eachMessage: async ({ topic, partition, message, heartbeat }) => {
          // Stopping: leave it unapplied and uncommitted; the group's next consumer gets it.
          if (stopped) return;
          const consumed: ConsumedMessage = {
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? '',
            value: message.value?.toString('utf8') ?? '',
            headers: headersOf(message.headers),
          };
          const work = (async () => {
            await options.handle(consumed);
            await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
          })();
          inFlight = work.catch(() => undefined);
          await work;
          await heartbeat();
        },
      });
    };
    await whileRetriable(async () => {
      try {
        await start();
      } catch (e) {
        await current?.disconnect().catch(() => undefined);
        throw e;
      }
    });
    const handle = {
      stop: async () => {
        // Graceful: take no new message, finish and commit the one in hand, then leave the group.
        stopped = true;
        this.consumers.delete(handle);
        current?.pause(options.topics.map((topic) => ({ topic })));
        await inFlight;
        await current?.disconnect();
      },
      lag: () => this.lag(options.groupId, options.topics),
    };
    this.consumers.add(handle);
    return handle;
  }

  /** Messages on the topics not yet committed by the group. */
  async lag(groupId: string, topics: readonly string[]): Promise<number> {
    await this.connect();
    let lag = 0n;
    for (const topic of topics) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      const [committed] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
      for (const end of ends) {
        const c = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const from = BigInt(c) < 0n ? BigInt(end.low) : BigInt(c);
        lag += BigInt(end.high) - from;
      }
    }
    return Number(lag);
  }

  /** Replay: rewind a (stopped) consumer group to the start of its topics. */
  async resetGroup(groupId: string, topics: readonly string[]): Promise<void> {
    await this.connect();
    for (const topic of topics) await this.admin.resetOffsets({ groupId, topic, earliest: true });
  }

  /** Reachability, for readiness probes. */
  async describe(): Promise<{ brokers: number }> {
    await this.connect();
    const cluster = await this.admin.describeCluster();
    return { brokers: cluster.brokers.length };
  }

  async close(): Promise<void> {
    for (const c of [...this.consumers]) await c.stop();
    if (this.connected) {
      await this.producer.disconnect();
      await this.admin.disconnect();
    }
  }
}
