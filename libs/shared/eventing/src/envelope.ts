import { ContractError, encodeEvent, isKnownEventType, type LedgerEvent, topicOf } from '@pos/contracts';
import type { RecordedEvent } from '@pos/kernel';
import type { LogMessage } from './message-log.port';
import { decodeStoredEvent, MetadataError, metadataOf } from './decode';

/** Headers on every published event, so consumers can route and reject before parsing. */
export const HEADERS = {
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  eventId: 'event-id',
  correlationId: 'correlation-id',
  contentType: 'content-type',
  dlqReason: 'dlq-reason',
  dlqCode: 'dlq-code',
  dlqSource: 'dlq-source-topic',
} as const;

/** Events about a terminal are keyed by it, so one terminal's story stays in order on one partition. */
export const partitionKeyOf = (event: { data: unknown; metadata: { streamId: string } }): string => {
  const data = event.data as { terminalId?: unknown };
  return typeof data?.terminalId === 'string' ? data.terminalId : event.metadata.streamId;
};

export const toLogMessage = (event: RecordedEvent): LogMessage => {
  const { schemaVersion, payload } = encodeEvent(event.type, event.data);
  return {
    topic: topicOf(event.type),
    key: partitionKeyOf(event),
    value: JSON.stringify({ type: event.type, data: payload, metadata: { ...event.metadata, schemaVersion } }),
    headers: {
      [HEADERS.eventType]: event.type,
      [HEADERS.schemaVersion]: String(schemaVersion),
      [HEADERS.eventId]: event.metadata.eventId,
      [HEADERS.correlationId]: event.metadata.correlationId,
      [HEADERS.contentType]: 'application/json',
    },
  };
};

/** A message that can never be applied: it goes to the dead-letter topic with this reason. */
export class PoisonMessageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/** Parses and validates a published event against the contracts; throws PoisonMessageError. */
export const fromLogMessage = (message: Pick<LogMessage, 'value' | 'headers'>): RecordedEvent<LedgerEvent> => {
  let raw: unknown;
  try {
    raw = JSON.parse(message.value);
  } catch {
    throw new PoisonMessageError('MESSAGE_UNPARSEABLE', 'value is not JSON');
  }
  const type: unknown = typeof raw === 'object' && raw !== null ? Reflect.get(raw, 'type') : undefined;
  const metadata: unknown = typeof raw === 'object' && raw !== null ? Reflect.get(raw, 'metadata') : undefined;
  if (typeof raw !== 'object' || raw === null || typeof type !== 'string' || typeof metadata !== 'object' || metadata === null)
    throw new PoisonMessageError('MESSAGE_MALFORMED', 'expected { type, data, metadata }');
  if (!isKnownEventType(type)) throw new PoisonMessageError('EVENT_TYPE_UNKNOWN', `unknown event type ${JSON.stringify(type)}`);
  const schemaVersion = Number(Reflect.get(metadata, 'schemaVersion') ?? message.headers[HEADERS.schemaVersion]);
  try {
    return decodeStoredEvent(type, Reflect.get(raw, 'data'), metadataOf(metadata, schemaVersion));
  } catch (e) {
    if (e instanceof ContractError || e instanceof MetadataError) throw new PoisonMessageError(e.code, e.message);
    throw e;
  }
};
