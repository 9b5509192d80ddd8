import { ContractError, decodeEvent, type EventTypes, type LedgerEvent } from '@pos/contracts';
import type { Actor, ActorType, EventContext, RecordedEvent, RecordedMetadata } from '@pos/kernel';

/**
 * Reading events back: where stored rows and published messages become typed events. The
 * payload is decoded by the contracts (the one validating decoder); the metadata is checked
 * here field by field, so nothing read is trusted by a cast.
 */

/** Thrown when a stored or published event's metadata is not what every writer writes. */
export class MetadataError extends Error {
  readonly code = 'MESSAGE_MALFORMED';
}

// Every actor type once: adding one to the kernel's ActorType fails to compile until it is listed here.
const ACTOR_TYPES = { terminal: true, operator: true, system: true, admin: true, token: true } as const satisfies Record<ActorType, true>;
const isActorType = (t: string): t is ActorType => Object.prototype.hasOwnProperty.call(ACTOR_TYPES, t);

const text = (m: object, name: string): string => {
  const value: unknown = Reflect.get(m, name);
  if (typeof value !== 'string') throw new MetadataError(`metadata.${name} is not a string`);
  return value;
};

const integer = (m: object, name: string): number => {
  const value: unknown = Reflect.get(m, name);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new MetadataError(`metadata.${name} is not an integer`);
  return value;
};

const optionalText = (m: object, name: string): string | undefined => {
  const value: unknown = Reflect.get(m, name);
  if (value !== undefined && typeof value !== 'string') throw new MetadataError(`metadata.actor.${name} is not a string`);
  return value;
};

const objectOf = (value: unknown, what: string): object => {
  if (typeof value !== 'object' || value === null) throw new MetadataError(`${what} is not an object`);
  return value;
};

/** The writer's context as read back (a stored JSON column, a message's metadata), field by field. */
export const contextOf = (c: unknown): EventContext => {
  const m = objectOf(c, 'metadata');
  const actor = objectOf(Reflect.get(m, 'actor'), 'metadata.actor');
  const type = text(actor, 'type');
  if (!isActorType(type)) throw new MetadataError(`metadata.actor.type ${JSON.stringify(type)} is not an actor type`);
  // A token actor also names the token and the role it acted in.
  const name = optionalText(actor, 'name');
  const role = optionalText(actor, 'role');
  const read: Actor = { type, id: text(actor, 'id'), ...(name === undefined ? {} : { name }), ...(role === undefined ? {} : { role }) };
  return { correlationId: text(m, 'correlationId'), causationId: text(m, 'causationId'), actor: read };
};

/** A published event's metadata, field by field (its schema version comes from the message). */
export const metadataOf = (raw: unknown, schemaVersion: number): RecordedMetadata => {
  const m = objectOf(raw, 'metadata');
  return {
    ...contextOf(m),
    eventId: text(m, 'eventId'),
    streamId: text(m, 'streamId'),
    version: integer(m, 'version'),
    occurredAt: text(m, 'occurredAt'),
    schemaVersion,
    position: text(m, 'position'),
    prevHash: text(m, 'prevHash'),
    hash: text(m, 'hash'),
  };
};

/** A stored or published event, its payload decoded through the contracts (older versions upcast). */
export const decodeStoredEvent = (type: string, payload: unknown, metadata: RecordedMetadata): RecordedEvent<LedgerEvent> => ({
  ...decodeEvent(type, metadata.schemaVersion, payload),
  metadata,
});

/** A stream's events, each of a type the stream may hold (EVENT_TYPE_UNEXPECTED otherwise): typed by `types`. */
export const ofTypes = <E extends LedgerEvent>(events: readonly RecordedEvent<LedgerEvent>[], types: EventTypes<E>): RecordedEvent<E>[] => {
  const out: RecordedEvent<E>[] = [];
  for (const e of events) {
    if (!types.includes(e))
      throw new ContractError('EVENT_TYPE_UNEXPECTED', `${e.metadata.streamId} v${e.metadata.version} is a ${e.type}, which this stream does not hold (${types.types.join(', ')})`);
    out.push(e);
  }
  return out;
};
