import { encodeEvent, topicOf } from '@pos/contracts';
import { v7 as uuidV7 } from 'uuid';
import type { EventContext, RecordedEvent } from '@pos/kernel';
import { HEADERS, partitionKeyOf } from './envelope';
import type { NewEvent } from './event-store.port';
import { canonicalJson, chainHash, chainHashOfCanonical } from './hash-chain';
import type { LogMessage } from './message-log.port';

/** An event as every store adapter writes it: wire payload, context and its link in the stream's hash chain. */
export interface StoredEventDraft {
  readonly eventId: string;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly schemaVersion: number;
  /** JSON-safe wire payload, validated against the contract. */
  readonly payload: unknown;
  /** `payload` as canonical JSON text (sorted keys), serialised once for the store and the hash. */
  readonly payloadJson: string;
  readonly context: EventContext;
  readonly occurredAt: string;
  readonly prevHash: string;
  readonly hash: string;
  /** Where the outbox relay publishes it. */
  readonly topic: string;
  readonly key: string;
}

type HashedDraft = Pick<StoredEventDraft, 'eventId' | 'streamId' | 'version' | 'type' | 'schemaVersion' | 'payload' | 'context' | 'occurredAt' | 'prevHash'>;

/**
 * The hash of a stored event; the same for every adapter, so chains verify wherever they are
 * kept. Its context is hashed as stored, whatever it holds: a verifier recomputes, never trusts.
 */
export const storedEventHash = (e: Omit<HashedDraft, 'context'> & { readonly context: unknown }): string =>
  chainHash(e.prevHash, {
    streamId: e.streamId,
    version: e.version,
    eventId: e.eventId,
    type: e.type,
    schemaVersion: e.schemaVersion,
    occurredAt: e.occurredAt,
    payload: e.payload,
    context: e.context,
  });

/**
 * Encodes (and so validates) a new event once and links it after `prevHash`. The payload a
 * zod encode gives is plain JSON data, so the hash over it equals the hash a verifier
 * recomputes from the stored JSON (canonicalJson follows JSON's rules for undefined).
 */
export const draftStoredEvent = (streamId: string, version: number, e: NewEvent, prevHash: string): StoredEventDraft => {
  const { schemaVersion, payload } = encodeEvent(e.type, e.data);
  const draft: HashedDraft = {
    // Time-ordered (RFC 9562 v7): ids are keys of unique indexes and of every consumer's
    // processed marks, where random ids scatter each insert over its own page.
    eventId: e.eventId ?? uuidV7(),
    streamId,
    version,
    type: e.type,
    schemaVersion,
    payload,
    context: { correlationId: e.context.correlationId, causationId: e.context.causationId, actor: e.context.actor },
    occurredAt: e.occurredAt.toISOString(),
    prevHash,
  };
  // Stored as its canonical text: the hash covers exactly these bytes, serialised once.
  const payloadJson = canonicalJson(payload);
  return {
    ...draft,
    payloadJson,
    hash: chainHashOfCanonical(prevHash, { ...draft, payloadJson, contextJson: canonicalJson(draft.context) }),
    topic: topicOf(e.type),
    key: partitionKeyOf({ data: e.data, metadata: { streamId } }),
  };
};

/** Drafts a stream's new events, each linked to the one before. */
export const draftStream = (streamId: string, expectedVersion: number, prevHash: string, events: readonly NewEvent[]): StoredEventDraft[] => {
  const drafts: StoredEventDraft[] = [];
  let link = prevHash;
  for (const [i, e] of events.entries()) {
    const d = draftStoredEvent(streamId, expectedVersion + i + 1, e, link);
    drafts.push(d);
    link = d.hash;
  }
  return drafts;
};

/** The event as appended, from the writer's own data: nothing is read back or decoded again. */
export const recordedFromDraft = (d: StoredEventDraft, data: unknown, position: string): RecordedEvent => ({
  type: d.type,
  data,
  metadata: {
    ...d.context,
    eventId: d.eventId,
    streamId: d.streamId,
    version: d.version,
    occurredAt: d.occurredAt,
    schemaVersion: d.schemaVersion,
    position,
    prevHash: d.prevHash,
    hash: d.hash,
  },
});

/** The stored parts of an event, as the outbox relay reads them back (the payload exactly as stored, as JSON text). */
export type StoredEventRow = Omit<StoredEventDraft, 'payload'> & { readonly position: string };

/**
 * The published form of a stored event (`{ type, data, metadata }`, the contract's wire
 * payload as `data`), spliced from the stored JSON: it was validated when it was appended.
 */
export const storedLogMessage = (row: StoredEventRow): LogMessage => {
  const metadata = {
    ...row.context,
    eventId: row.eventId,
    streamId: row.streamId,
    version: row.version,
    occurredAt: row.occurredAt,
    schemaVersion: row.schemaVersion,
    position: row.position,
    prevHash: row.prevHash,
    hash: row.hash,
  };
  return {
    topic: row.topic,
    key: row.key,
    value: `{"type":${JSON.stringify(row.type)},"data":${row.payloadJson},"metadata":${JSON.stringify(metadata)}}`,
    headers: {
      [HEADERS.eventType]: row.type,
      [HEADERS.schemaVersion]: String(row.schemaVersion),
      [HEADERS.eventId]: row.eventId,
      [HEADERS.correlationId]: row.context.correlationId,
      [HEADERS.contentType]: 'application/json',
    },
  };
};
