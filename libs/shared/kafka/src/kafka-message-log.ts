import { randomUUID } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import {
  DEFAULT_MAX_BATCH,
  dlqTopic,
  type ConsumedMessage,
  type Consumer,
  type ConsumerOptions,
  type LogMessage,
  type LogPositions,
  type MessageLog,
  positionKey,
  type ReadRangeOptions,
} from '@pos/eventing';
import { Kafka, type KafkaMessage, logLevel, Partitioners, type Admin, type Consumer as KafkaConsumer, type Producer, type SASLOptions } from 'kafkajs';

export interface KafkaLogOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Partitions and replication of topics this service creates if missing. */
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly ssl?: boolean | ConnectionOptions;
  readonly sasl?: SASLOptions;
  readonly log?: { info?(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  readonly consumer?: KafkaConsumerTuning;
}

/**
 * Group membership of the services' consumers. A member that stops heartbeating loses its
 * partitions after `sessionTimeoutMs`; the defaults hand a dead replica's partitions to the
 * others within 10 s (6 s to notice, a heartbeat and a rejoin to reassign). Brokers refuse
 * session timeouts below their `group.min.session.timeout.ms` (6 s by default).
 */
export interface KafkaConsumerTuning {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Partitions one member works on at once (each in order). */
  readonly partitionsConsumedConcurrently: number;
}

export const DEFAULT_CONSUMER_TUNING: KafkaConsumerTuning = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000, partitionsConsumedConcurrently: 6 };

/**
 * What a consumer group says while members come and go: rebalancing, a member id or
 * generation no longer valid. Routine in a group, so information rather than an error.
 */
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);
const REBALANCE_MESSAGES = /rebalanc|re-join|rejoin|not aware of this member|generation id is not valid|not the correct coordinator/i;
export const isRebalanceLog = (entry: { message?: string; error?: unknown; type?: unknown }): boolean =>
  (typeof entry.type === 'string' && REBALANCE_ERRORS.has(entry.type)) ||
  REBALANCE_MESSAGES.test(`${entry.message ?? ''} ${typeof entry.error === 'string' ? entry.error : ''}`);

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

/** A record's timestamp (epoch ms as a string) as ISO-8601; none for Kafka's "no timestamp" (-1). */
const isoTimestamp = (ms: string | undefined): string | undefined => {
  const n = Number(ms);
  return ms !== undefined && ms !== '' && Number.isFinite(n) && n >= 0 ? new Date(n).toISOString() : undefined;
};

const toConsumed = (topic: string, partition: number, message: KafkaMessage): ConsumedMessage => ({
  topic,
  partition,
  offset: message.offset,
  key: message.key?.toString('utf8') ?? '',
  value: message.value?.toString('utf8') ?? '',
  headers: headersOf(message.headers),
  timestamp: isoTimestamp(message.timestamp),
});

/** Topics this service creates keep every message: the log is replayed for audits. */
const KEEP_FOREVER = [
  { name: 'retention.ms', value: '-1' },
  { name: 'retention.bytes', value: '-1' },
];

/** Restarts of a read-range consumer after retriable crashes before the read fails. */
const READ_RESTARTS = 5;

/** Group ids of `readRange`'s throw-away consumers. */
export const AUDIT_READ_GROUP_PREFIX = 'ledger-audit-read-';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
        if (level > logLevel.WARN) return;
        if (isRebalanceLog(log)) o.log?.info?.({ kafka: rest }, message);
        else if (level === logLevel.ERROR) o.log?.error({ kafka: rest }, message);
        else o.log?.warn({ kafka: rest }, message);
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
          topics: missing.map((topic) => ({ topic, numPartitions: this.o.partitions, replicationFactor: this.o.replicationFactor, configEntries: KEEP_FOREVER })),
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

  /**
   * A member of the group that hands each fetched batch to the handler in slices of
   * `maxBatch`, partitions side by side, and commits each slice's offset once the handler
   * resolved. A slice whose handler fails is handed again (the partition is sought back to
   * it); a slice whose partition was taken away meanwhile is left uncommitted for its new owner.
   */
  async consume(options: ConsumerOptions): Promise<Consumer> {
    await this.ensureTopics(options.topics);
    const tuning = this.o.consumer ?? DEFAULT_CONSUMER_TUNING;
    const max = options.maxBatch ?? DEFAULT_MAX_BATCH;
    let stopped = false;
    let current: KafkaConsumer | undefined;
    // Slices being applied (and committed): a graceful stop waits for them.
    const inFlight = new Set<Promise<unknown>>();
    const start = async (): Promise<void> => {
      const consumer = this.kafka.consumer({
        groupId: options.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: tuning.sessionTimeoutMs,
        heartbeatInterval: tuning.heartbeatIntervalMs,
        // An idle fetch returns soon, so heartbeats (and so rebalances) are not held up by it.
        maxWaitTimeInMs: Math.min(500, tuning.heartbeatIntervalMs),
      });
      current = consumer;
      // kafkajs restarts itself after retriable failures; after any other crash we start a new consumer.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart || stopped) return;
        this.o.log?.error({ err: payload.error, groupId: options.groupId }, 'consumer crashed; starting a new one');
        setTimeout(() => {
          if (!stopped) start().catch((e) => this.o.log?.error({ err: e, groupId: options.groupId }, 'consumer restart failed'));
        }, 1_000);
      });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
        this.o.log?.info?.({ groupId: options.groupId, memberId: payload.memberId, assignment: payload.memberAssignment }, 'consumer group joined'),
      );
      await consumer.connect();
      for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: tuning.partitionsConsumedConcurrently,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          // Revoked: the partition went to another member; it re-reads what we did not commit.
          const revoked = () => !isRunning() || isStale();
          const gone = () => stopped || revoked();
          const { topic, partition } = batch;
          for (let i = 0; i < batch.messages.length; i += max) {
            if (gone()) return;
            const slice = batch.messages.slice(i, i + max);
            const last = slice[slice.length - 1].offset;
            // A slow slice (a database outage, say) must not cost the group membership.
            const beat = setInterval(() => void heartbeat().catch(() => undefined), tuning.heartbeatIntervalMs);
            const work = (async () => {
              await options.handleBatch(slice.map((m) => toConsumed(topic, partition, m)), { stale: gone });
              // Applied while stopping: commit it still, so a restart does not hand it again.
              if (revoked()) return false;
              await consumer.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
              return true;
            })();
            inFlight.add(work);
            try {
              if (!(await work)) return;
              resolveOffset(last);
            } catch (e) {
              if (gone()) return;
              // Not committed: read this slice again (after a pause, so a failing handler does not spin).
              this.o.log?.warn({ err: e, groupId: options.groupId, topic, partition, offset: slice[0].offset }, 'batch not applied; it is read again');
              await sleep(500);
              if (!gone()) consumer.seek({ topic, partition, offset: slice[0].offset });
              return;
            } finally {
              clearInterval(beat);
              inFlight.delete(work);
            }
            await heartbeat().catch(() => undefined);
          }
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
        // Graceful: take no new batch, finish and commit the slices in hand, then leave the group.
        stopped = true;
        this.consumers.delete(handle);
        current?.pause(options.topics.map((topic) => ({ topic })));
        await Promise.allSettled([...inFlight]);
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

  /** The group's committed (next) offset per partition; '0' where it committed nothing. */
  async committedOffsets(groupId: string, topics: readonly string[]): Promise<LogPositions> {
    await this.connect();
    const out: Record<string, string> = {};
    for (const { topic, partitions } of await whileRetriable(() => this.admin.fetchOffsets({ groupId, topics: [...topics] })))
      for (const { partition, offset } of partitions) out[positionKey(topic, partition)] = BigInt(offset) < 0n ? '0' : offset;
    return out;
  }

  /** Replay: rewind a (stopped) consumer group to the start of its topics. */
  async resetGroup(groupId: string, topics: readonly string[]): Promise<void> {
    await this.connect();
    for (const topic of topics) await this.admin.resetOffsets({ groupId, topic, earliest: true });
  }

  /** Fails clearly for topics the cluster lacks (reads never create topics: the admin client cannot). */
  private async assertTopics(topics: readonly string[]): Promise<void> {
    const unchecked = topics.filter((t) => !this.knownTopics.has(t));
    if (unchecked.length === 0) return;
    const existing = new Set(await whileRetriable(() => this.admin.listTopics()));
    const missing = unchecked.filter((t) => !existing.has(t));
    if (missing.length > 0) throw new Error(`unknown Kafka topic${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  }

  /** Low and high watermark of every partition of `topics`, in partition order. */
  private async watermarks(topics: readonly string[]): Promise<Array<{ topic: string; partition: number; low: string; high: string }>> {
    await this.connect();
    const unique = [...new Set(topics)];
    await this.assertTopics(unique);
    const out: Array<{ topic: string; partition: number; low: string; high: string }> = [];
    for (const topic of unique) {
      const offsets = await whileRetriable(() => this.admin.fetchTopicOffsets(topic));
      for (const { partition, low, high } of [...offsets].sort((a, b) => a.partition - b.partition)) out.push({ topic, partition, low, high });
    }
    return out;
  }

  /** The high watermark (next offset to be written) of every partition. */
  async endOffsets(topics: readonly string[]): Promise<LogPositions> {
    return Object.fromEntries((await this.watermarks(topics)).map((w) => [positionKey(w.topic, w.partition), w.high]));
  }

  /** The low watermark (first offset retention kept) of every partition. */
  async startOffsets(topics: readonly string[]): Promise<LogPositions> {
    return Object.fromEntries((await this.watermarks(topics)).map((w) => [positionKey(w.topic, w.partition), w.low]));
  }

  /**
   * Kafka's ListOffsets by timestamp: per partition the first offset whose record timestamp is at
   * or after `at`; a partition with no such record (Kafka answers -1) gets its end offset.
   */
  async offsetsForTime(topics: readonly string[], at: Date): Promise<LogPositions> {
    const ms = at.getTime();
    if (Number.isNaN(ms)) throw new Error('offsetsForTime: invalid date');
    // ListOffsets reads negative timestamps as special positions (-1 latest, -2 earliest):
    // an instant before 1970 precedes every record, so it is the start of each partition.
    if (ms < 0) return this.startOffsets(topics);
    await this.connect();
    const unique = [...new Set(topics)];
    await this.assertTopics(unique);
    const out: Record<string, string> = {};
    for (const topic of unique) {
      const found = await whileRetriable(() => this.admin.fetchTopicOffsetsByTimestamp(topic, ms));
      // kafkajs itself replaces -1 by the high watermark it read just before; map anything negative that is left.
      let ends: Array<{ partition: number; high: string }> | undefined;
      for (const { partition, offset } of [...found].sort((a, b) => a.partition - b.partition)) {
        if (BigInt(offset) >= 0n) {
          out[positionKey(topic, partition)] = offset;
          continue;
        }
        ends ??= await whileRetriable(() => this.admin.fetchTopicOffsets(topic));
        const end = ends.find((e) => e.partition === partition);
        if (!end) throw new Error(`no end offset for ${topic}/${partition}`);
        out[positionKey(topic, partition)] = end.high;
      }
    }
    return out;
  }

  /**
   * Reads [from, until) of every partition named in `until` with a consumer of its own: a
   * throw-away group (`ledger-audit-read-<uuid>`) that commits nothing and is deleted afterwards,
   * so the services' groups are untouched. `from` is raised to the partition's low watermark and
   * `until` capped at its high watermark when the read starts (it never waits for messages not
   * yet written). Resolves once every partition reached its `until`; rejects when `onBatch`
   * rejects or the consumer crashes for good (a crash with a retriable error restarts it, at
   * most READ_RESTARTS times, at the cursors).
   */
  async readRange(options: ReadRangeOptions): Promise<void> {
    interface Cursor {
      readonly topic: string;
      readonly partition: number;
      /** Next offset to hand to onBatch: everything below it was delivered once. */
      next: bigint;
      readonly until: bigint;
      done: boolean;
    }
    const cursors = new Map<string, Cursor>();
    for (const { topic, partition, low, high } of await this.watermarks(options.topics)) {
      const key = positionKey(topic, partition);
      const requested = options.until[key];
      if (requested === undefined) continue;
      const until = BigInt(requested) < BigInt(high) ? BigInt(requested) : BigInt(high);
      const from = BigInt(options.from?.[key] ?? low);
      const next = from > BigInt(low) ? from : BigInt(low);
      if (next < until) cursors.set(key, { topic, partition, next, until, done: false });
    }
    if (cursors.size === 0) return;

    const groupId = `${AUDIT_READ_GROUP_PREFIX}${randomUUID()}`;
    let settled = false;
    let restarts = 0;
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 60_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 250,
      retry: {
        // kafkajs asks after a crash with a retriable error. One it gave up on after its own
        // retries (a broker gone for a minute) ends the read; one it never retried (joining while
        // the group coordinator still loads, on a fresh cluster) is worth a few restarts, which
        // resume at the cursors (GROUP_JOIN below seeks there).
        restartOnFailure: async (e) => {
          if (settled || e.name === 'KafkaJSNumberOfRetriesExceeded' || ++restarts > READ_RESTARTS) return false;
          await sleep(Math.min(250 * 2 ** (restarts - 1), 4_000));
          return !settled;
        },
      },
    });
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const finished = new Promise<void>((resolve, reject) => (settle = { resolve: () => ((settled = true), resolve()), reject: (e) => ((settled = true), reject(e)) }));
    finished.catch(() => undefined); // may reject before it is awaited
    let failed = false;
    const fail = (e: unknown) => {
      failed = true;
      settle.reject(e);
    };
    const advance = (c: Cursor, lastOffset: string) => {
      const after = BigInt(lastOffset) + 1n;
      if (after > c.next) c.next = after < c.until ? after : c.until;
      if (c.next < c.until || c.done) return;
      c.done = true;
      consumer.pause([{ topic: c.topic, partitions: [c.partition] }]);
      if ([...cursors.values()].every((x) => x.done)) settle.resolve();
    };

    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) this.o.log?.warn({ err: payload.error, groupId }, 'read-range consumer crashed; restarting it at the cursors');
      else fail(payload.error);
    });
    // Called synchronously inside every (re)join, before the first fetch: put each assigned
    // partition at its cursor (the group has no offsets, so kafkajs would start at the earliest)
    // or pause it when there is nothing (left) to read.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      try {
        for (const [topic, partitions] of Object.entries(payload.memberAssignment))
          for (const partition of partitions) {
            const c = cursors.get(positionKey(topic, partition));
            if (c && !c.done) consumer.seek({ topic, partition, offset: c.next.toString() });
            else consumer.pause([{ topic, partitions: [partition] }]);
          }
      } catch (e) {
        fail(e);
      }
    });
    // A batch of only control records never reaches eachBatch, but still moves the partition on.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const c = cursors.get(positionKey(payload.topic, payload.partition));
      if (c && !c.done && !failed && payload.batchSize === 0) advance(c, payload.lastOffset);
    });

    // close() ends a read in progress (it rejects) and waits until its consumer and group are gone.
    let cleanedUp!: () => void;
    const gone = new Promise<void>((resolve) => (cleanedUp = resolve));
    const handle = {
      stop: async () => {
        fail(new Error('the message log was closed during readRange'));
        await gone;
      },
    };
    this.consumers.add(handle);
    try {
      await consumer.connect();
      for (const topic of new Set([...cursors.values()].map((c) => c.topic))) await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          const c = cursors.get(positionKey(batch.topic, batch.partition));
          // Stale: fetched before a seek; the seek re-reads from the cursor.
          if (!c || c.done || failed || !isRunning() || isStale()) return;
          const messages: ConsumedMessage[] = [];
          for (const m of batch.messages) {
            const offset = BigInt(m.offset);
            if (offset < c.next) continue; // delivered already (fetched before a seek)
            if (offset >= c.until) break;
            messages.push(toConsumed(batch.topic, batch.partition, m));
          }
          if (messages.length > 0) {
            // A slow onBatch must not cost the group membership (a rejoin stalls the read and re-fetches).
            const beat = setInterval(() => void heartbeat().catch(() => undefined), 3_000);
            try {
              await options.onBatch(messages);
            } catch (e) {
              fail(e);
              return;
            } finally {
              clearInterval(beat);
            }
          }
          advance(c, batch.lastOffset());
        },
      });
      await finished;
    } finally {
      await consumer.disconnect().catch((e: unknown) => this.o.log?.warn({ err: e, groupId }, 'read-range consumer did not disconnect cleanly'));
      await this.deleteReadGroup(groupId);
      this.consumers.delete(handle);
      cleanedUp();
    }
  }

  /** Removes a throw-away read group; one that is gone already (or never formed) is fine. */
  private async deleteReadGroup(groupId: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
      try {
        await this.admin.deleteGroups([groupId]);
        return;
      } catch (e) {
        const errors = ((e as { groups?: Array<{ error?: { type?: string; retriable?: boolean } }> }).groups ?? []).map((g) => g.error);
        if (errors.length > 0 && errors.every((x) => x?.type === 'GROUP_ID_NOT_FOUND')) return;
        // The member's leave may not have settled yet, or the coordinator is moving or loading.
        const transient = errors.length > 0 ? errors.every((x) => x?.type === 'NON_EMPTY_GROUP' || x?.retriable) : (e as { retriable?: boolean }).retriable;
        if (!transient || Date.now() > deadline) {
          this.o.log?.warn({ err: e, groupId }, 'could not delete the read-range consumer group');
          return;
        }
        await sleep(delay);
      }
    }
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
