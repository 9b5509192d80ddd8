import { ConcurrencyError, DomainError, type RecordedEvent } from '@pos/kernel';
import type { ServiceStore, StoreTx } from './event-store.port';
import { type ConsumedMessage, type Consumer, dlqTopic, type MessageLog, positionKey } from './message-log.port';
import { fromLogMessage, HEADERS, PoisonMessageError } from './envelope';
import type { SourcePosition } from './projections/projection';

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
  /** Applies one event inside the store transaction that also records it as processed; `at` is where it was read. */
  readonly apply: (event: RecordedEvent, tx: StoreTx, at: SourcePosition) => Promise<void>;
  readonly onDeadLetter?: (code: string) => void;
  readonly onApplied?: (event: RecordedEvent) => void;
  /** Unexpected failures are retried this many times before the message is dead-lettered. */
  readonly maxAttempts?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A consumer that cannot double-apply: the effect and the "processed" mark
 * commit together, so redelivery after a crash or rebalance changes nothing.
 * Poison messages (unparseable, unknown type, invalid payload, refused by the
 * domain) go to `<topic>.dlq` with the reason, and the consumer moves on.
 */
export const startIdempotentConsumer = async (o: IdempotentConsumerOptions): Promise<Consumer> => {
  const maxAttempts = o.maxAttempts ?? 8;

  const deadLetter = async (message: ConsumedMessage, code: string, reason: string) => {
    o.logger.warn({ topic: message.topic, partition: message.partition, offset: message.offset, code, reason }, 'dead-lettering message');
    await o.log.publish([
      {
        topic: dlqTopic(message.topic),
        key: message.key,
        value: message.value,
        headers: { ...message.headers, [HEADERS.dlqCode]: code, [HEADERS.dlqReason]: reason.slice(0, 1000), [HEADERS.dlqSource]: message.topic, 'dlq-consumer': o.name },
      },
    ]);
    o.onDeadLetter?.(code);
  };

  const handle = async (message: ConsumedMessage): Promise<void> => {
    let event: RecordedEvent;
    try {
      event = fromLogMessage(message);
    } catch (e) {
      if (e instanceof PoisonMessageError) return deadLetter(message, e.code, e.message);
      throw e;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const applied = await o.store.transaction(async (tx) => {
          if (await tx.processed.has(o.name, event.metadata.eventId)) return false;
          await o.apply(event, tx, { key: positionKey(message.topic, message.partition), offset: message.offset });
          await tx.processed.mark(o.name, event.metadata.eventId);
          return true;
        });
        if (applied) o.onApplied?.(event);
        else o.logger.info({ eventId: event.metadata.eventId, correlationId: event.metadata.correlationId, type: event.type }, 'duplicate delivery ignored');
        return;
      } catch (e) {
        if (e instanceof DomainError && !(e instanceof ConcurrencyError)) {
          o.logger.error({ eventId: event.metadata.eventId, correlationId: event.metadata.correlationId, code: e.code }, 'event refused by the domain');
          return deadLetter(message, e.code, e.message);
        }
        if (attempt >= maxAttempts) return deadLetter(message, 'CONSUMER_FAILED', e instanceof Error ? e.message : String(e));
        o.logger.warn({ err: e, attempt, eventId: event.metadata.eventId, correlationId: event.metadata.correlationId }, 'consumer apply failed; retrying');
        await sleep(Math.min(20 * 2 ** attempt, 2_000));
      }
    }
  };

  return o.log.consume({ groupId: o.name, topics: o.topics, handle });
};
