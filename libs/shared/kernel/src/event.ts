/**
 * Events are plain data: a stable past-tense `type` from a registry, the
 * `data`, and `metadata`. Never a class, never `constructor.name`.
 */
export interface Event<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly data: TData;
}

/** `admin`: the single back-office token of earlier versions (history only); `token`: a back-office token with a role. */
export type ActorType = 'terminal' | 'operator' | 'system' | 'admin' | 'token';

export interface Actor {
  readonly type: ActorType;
  readonly id: string;
  /** A back-office token's name and the role it acted in (`token` actors). */
  readonly name?: string;
  readonly role?: string;
}

/** An actor as stored in metadata, with only the fields an actor has (projections copy it into their documents). */
export const actorFields = (a: Actor): Actor => ({ type: a.type, id: a.id, ...(a.name ? { name: a.name } : {}), ...(a.role ? { role: a.role } : {}) });

/** What the writer supplies; the store adds stream, version, position and hashes. */
export interface EventContext {
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: Actor;
}

export interface EventMetadata extends EventContext {
  readonly eventId: string;
  readonly streamId: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly schemaVersion: number;
}

/** What the store adds to an event it recorded. */
export interface RecordedMetadata extends EventMetadata {
  /**
   * Where the event lies in the commit order of the store that wrote it: a decimal
   * integer (compare as BigInt). Readers that resume from a position never skip an event
   * that commits late. Not dense: PostgreSQL's folds in the writing transaction's id.
   */
  readonly position: string;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * An event as read back, with its metadata. An intersection, so over a union of events it is
 * a union of recorded events: `switch (e.type)` narrows `e.data` (Emmett's ReadEvent does the same).
 */
export type RecordedEvent<E extends Event = Event> = E & { readonly metadata: RecordedMetadata };
