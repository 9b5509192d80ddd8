import { ContractError, decodeEvent, encodeEvent, isKnownEventType, topicOf } from '@pos/contracts';
import type { RecordedEvent } from '@pos/kernel';
import type { LogMessage } from './message-log.port';

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
export const fromLogMessage = (message: Pick<LogMessage, 'value' | 'headers'>): RecordedEvent => {
  let raw: { type?: unknown; data?: unknown; metadata?: Record<string, unknown> };
  try {
    raw = JSON.parse(message.value);
  } catch {
    throw new PoisonMessageError('MESSAGE_UNPARSEABLE', 'value is not JSON');
  }
  if (!raw || typeof raw !== 'object' || typeof raw.type !== 'string' || !raw.metadata || typeof raw.metadata !== 'object')
    throw new PoisonMessageError('MESSAGE_MALFORMED', 'expected { type, data, metadata }');
  if (!isKnownEventType(raw.type)) throw new PoisonMessageError('EVENT_TYPE_UNKNOWN', `unknown event type ${JSON.stringify(raw.type)}`);
  const m = raw.metadata;
  if (typeof m.eventId !== 'string' || typeof m.streamId !== 'string' || typeof m.version !== 'number')
    throw new PoisonMessageError('MESSAGE_MALFORMED', 'metadata lacks eventId, streamId or version');
  const schemaVersion = Number(m.schemaVersion ?? message.headers[HEADERS.schemaVersion]);
  try {
    const data = decodeEvent(raw.type, schemaVersion, raw.data);
    return { type: raw.type, data, metadata: { ...(m as unknown as RecordedEvent['metadata']), schemaVersion } };
  } catch (e) {
    if (e instanceof ContractError) throw new PoisonMessageError(e.code, e.message);
    throw e;
  }
};
