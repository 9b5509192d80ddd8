import { ContractError, type LedgerEvent } from '@pos/contracts';
import { DomainError, type RecordedEvent } from '@pos/kernel';
import type { ServiceStore, StoreTx } from './event-store.port';
import { type BatchContext, type ConsumedMessage, type Consumer, dlqTopic, type LogMessage, type MessageLog, positionKey } from './message-log.port';
import { fromLogMessage, HEADERS, PoisonMessageError } from './envelope';
import type { LiveItem } from './projections/projection';

export interface ConsumerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface IdempotentConsumerOptions {
  /** Names the consumer in the processed-messages table and the consumer group. */
  readonly name: string;
  readonly topics: readonly string[];
  readonly store: ServiceStore;
  readonly log: MessageLog;
  readonly logger: ConsumerLogger;
  /**
   * Applies a batch of events (in log order, each new to this consumer) inside the store
   * transaction that also records them as processed; `at` is where each was read.
   */
  readonly apply: (items: readonly LiveItem[], tx: StoreTx) => Promise<void>;
  readonly onDeadLetter?: (code: string) => void;
  readonly onApplied?: (event: RecordedEvent<LedgerEvent>) => void;
  /** A programming error on one message is retried this many times before it is dead-lettered. Default 5. */
  readonly maxAttempts?: number;
  /** Messages per batch (one transaction, one offset commit). Default: the log's (2000). */
  readonly maxBatch?: number;
}

/**
 * Why applying failed, which decides what happens next:
 * - `poison`: the message can never be applied (refused by the domain, breaks a contract): dead-letter it;
 * - `bug`: a programming error on this message (TypeError, ...): retried a few times, then dead-lettered;
 * - `transient`: everything else (the database or the log unreachable, a concurrent applier
 *   that won a race: ConcurrencyError, which is not a DomainError): retried until it works,
 *   never dead-lettered, so an outage loses nothing.
 * Only a DomainError, a ContractError or an unreadable message is poison: infrastructure errors
 * are never built as DomainErrors (they have no catalogue), so none can pass for a refusal.
 */
export const failureKind = (e: unknown): 'poison' | 'bug' | 'transient' => {
  if (e instanceof DomainError || e instanceof ContractError || e instanceof PoisonMessageError) return 'poison';
  if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError) return 'bug';
  return 'transient';
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorCode = (e: unknown): string => (e as { code?: unknown }).code && typeof (e as { code?: unknown }).code === 'string' ? ((e as { code: string }).code) : 'CONSUMER_FAILED';
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Thrown when a partition was taken away while its batch waited for the store: nothing is committed. */
class BatchAbandoned extends Error {
  constructor(cause: unknown) {
    super(`batch abandoned: the partition was revoked while retrying (${messageOf(cause)})`);
  }
}

/**
 * A consumer that cannot double-apply: a batch's effects and its "processed" marks commit
 * together, and its offset is committed after that, so redelivery after a crash or a
 * rebalance changes nothing. Poison messages (unparseable, unknown type, invalid payload,
 * refused by the domain) go to `<topic>.dlq` with the reason and the consumer moves on; an
 * infrastructure failure is retried until it passes.
 */
export const startIdempotentConsumer = async (o: IdempotentConsumerOptions): Promise<Consumer> => {
  const maxAttempts = o.maxAttempts ?? 5;

  const deadLetterMessage = (message: ConsumedMessage, code: string, reason: string): LogMessage => ({
    topic: dlqTopic(message.topic),
    key: message.key,
    value: message.value,
    headers: { ...message.headers, [HEADERS.dlqCode]: code, [HEADERS.dlqReason]: reason.slice(0, 1000), [HEADERS.dlqSource]: message.topic, 'dlq-consumer': o.name },
  });

  /** Runs `work` until it passes or fails other than transiently; gives up (BatchAbandoned) once the partition is gone. */
  const untilDone = async <T>(what: string, ctx: BatchContext, work: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (e) {
        if (failureKind(e) !== 'transient') throw e;
        if (ctx.stale()) throw new BatchAbandoned(e);
        o.logger.warn({ err: e, attempt, consumer: o.name }, `${what} failed; retrying`);
        await sleep(Math.min(25 * 2 ** attempt, 5_000));
      }
    }
  };

  const deadLetter = async (items: ReadonlyArray<{ message: ConsumedMessage; code: string; reason: string }>, ctx: BatchContext) => {
    if (items.length === 0) return;
    for (const i of items) o.logger.warn({ topic: i.message.topic, partition: i.message.partition, offset: i.message.offset, code: i.code, reason: i.reason }, 'dead-lettering message');
    await untilDone('dead-lettering', ctx, () => o.log.publish(items.map((i) => deadLetterMessage(i.message, i.code, i.reason))));
    for (const i of items) o.onDeadLetter?.(i.code);
  };

  interface Item extends LiveItem {
    readonly message: ConsumedMessage;
  }

  /** One transaction: skip what this consumer applied before, apply the rest, mark them. */
  const applyOnce = (items: readonly Item[]) =>
    o.store.transaction(async (tx) => {
      const seen = await tx.processed.seen(o.name, items.map((i) => i.event.metadata.eventId));
      const fresh = items.filter((i) => !seen.has(i.event.metadata.eventId));
      await o.apply(fresh, tx);
      await tx.processed.markMany(o.name, fresh.map((i) => i.event.metadata.eventId));
      return { fresh, duplicates: items.length - fresh.length };
    });

  /** Applies until done (transient failures retried); reports what was new. */
  const applied = async (items: readonly Item[], ctx: BatchContext) => {
    const { fresh, duplicates } = await untilDone('consumer apply', ctx, () => applyOnce(items));
    for (const i of fresh) o.onApplied?.(i.event);
    if (duplicates > 0) o.logger.info({ consumer: o.name, duplicates }, 'duplicate deliveries ignored');
  };

  /** One message that fails other than transiently: a bug gets a few more tries, then it is dead-lettered with the reason. */
  const setAside = async (item: Item, first: unknown, ctx: BatchContext) => {
    let e = first;
    for (let attempt = 2; failureKind(e) === 'bug' && attempt <= maxAttempts; attempt++) {
      o.logger.error({ err: e, attempt, eventId: item.event.metadata.eventId }, 'consumer apply failed');
      await sleep(Math.min(50 * 2 ** attempt, 2_000));
      try {
        return await applied([item], ctx);
      } catch (again) {
        if (again instanceof BatchAbandoned) throw again;
        e = again;
      }
    }
    const code = failureKind(e) === 'bug' ? 'CONSUMER_FAILED' : errorCode(e);
    o.logger.error({ eventId: item.event.metadata.eventId, correlationId: item.event.metadata.correlationId, code }, 'event refused; dead-lettering it');
    await deadLetter([{ message: item.message, code, reason: messageOf(e) }], ctx);
  };

  const applyBatch = async (items: readonly Item[], ctx: BatchContext): Promise<void> => {
    if (items.length === 0) return;
    try {
      await applied(items, ctx);
    } catch (e) {
      if (e instanceof BatchAbandoned) throw e;
      // One message spoils the batch: apply them one by one, so only that one is set aside.
      if (items.length > 1) for (const item of items) await applyBatch([item], ctx);
      else await setAside(items[0], e, ctx);
    }
  };

  const handleBatch = async (messages: readonly ConsumedMessage[], ctx: BatchContext): Promise<void> => {
    const items: Item[] = [];
    const unreadable: Array<{ message: ConsumedMessage; code: string; reason: string }> = [];
    const inBatch = new Set<string>();
    for (const message of messages) {
      try {
        const event = fromLogMessage(message);
        // The same event twice in one batch (an outbox re-publish): once is enough.
        if (inBatch.has(event.metadata.eventId)) continue;
        inBatch.add(event.metadata.eventId);
        items.push({ event, at: { key: positionKey(message.topic, message.partition), offset: message.offset }, message });
      } catch (e) {
        if (!(e instanceof PoisonMessageError)) throw e;
        unreadable.push({ message, code: e.code, reason: e.message });
      }
    }
    await deadLetter(unreadable, ctx);
    await applyBatch(items, ctx);
  };

  return o.log.consume({ groupId: o.name, topics: o.topics, handleBatch, maxBatch: o.maxBatch });
};
