import type { RecordedEvent } from '@pos/kernel';
import type { LedgerEvent, LedgerEventType } from './registry';

/** The member of the ledger's event union with type `T`. */
export type EventOf<T extends LedgerEventType> = Extract<LedgerEvent, { type: T }>;

/**
 * A set of event types that types what it admits: a stream's or a projection's event union,
 * as a value. `includes` is the one narrowing from the ledger's union to `E`, by a check, so
 * no reader casts; `EventTypes.of` is the only way to make one, so the names and `E` agree.
 */
export class EventTypes<E extends LedgerEvent> {
  private constructor(private readonly names: ReadonlySet<string>) {}

  static of<T extends LedgerEventType>(...types: readonly T[]): EventTypes<EventOf<T>> {
    return new EventTypes(new Set(types));
  }

  /** Every type of a schema map (`terminalSchemas`, ...). */
  static ofSchemas<T extends LedgerEventType>(schemas: Readonly<Record<T, unknown>>): EventTypes<EventOf<T>> {
    return new EventTypes(new Set(Object.keys(schemas)));
  }

  /** (Typed over `RecordedEvent<E>` too only so that the predicate may name it.) */
  includes(event: RecordedEvent<LedgerEvent> | RecordedEvent<E>): event is RecordedEvent<E> {
    return this.names.has(event.type);
  }

  /** The same check on an event without metadata (decoded data, a decision). */
  has(event: LedgerEvent | E): event is E {
    return this.names.has(event.type);
  }

  /** Whether events of `type` belong here, before decoding one. */
  hasType(type: string): type is E['type'] {
    return this.names.has(type);
  }

  get types(): readonly string[] {
    return [...this.names];
  }
}
