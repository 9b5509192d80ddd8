import { randomUUID } from 'node:crypto';
import { encodeEvent } from '@pos/contracts';
import type { EventContext } from '@pos/kernel';
import type { NewEvent } from './event-store.port';
import { chainHash } from './hash-chain';

/** An event as every store adapter writes it: wire payload, context and its link in the stream's hash chain. */
export interface StoredEventDraft {
  readonly eventId: string;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly schemaVersion: number;
  /** JSON-safe wire payload, validated against the contract. */
  readonly payload: unknown;
  readonly context: EventContext;
  readonly occurredAt: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** The hash of a stored event; the same for every adapter, so chains verify wherever they are kept. */
export const storedEventHash = (e: Omit<StoredEventDraft, 'hash'>): string =>
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

/** Encodes (and so validates) a new event and links it after `prevHash`. */
export const draftStoredEvent = (streamId: string, version: number, e: NewEvent, prevHash: string): StoredEventDraft => {
  const { schemaVersion, payload } = encodeEvent(e.type, e.data);
  const draft = {
    eventId: e.eventId ?? randomUUID(),
    streamId,
    version,
    type: e.type,
    schemaVersion,
    // Round-tripped so the hash covers exactly what a JSON column gives back.
    payload: JSON.parse(JSON.stringify(payload)) as unknown,
    context: { correlationId: e.context.correlationId, causationId: e.context.causationId, actor: e.context.actor },
    occurredAt: e.occurredAt.toISOString(),
    prevHash,
  };
  return { ...draft, hash: storedEventHash(draft) };
};
