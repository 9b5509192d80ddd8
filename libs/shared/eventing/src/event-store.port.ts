import type { EventTypes, LedgerEvent } from '@pos/contracts';
import type { ConcurrencyError, EventContext, RecordedEvent } from '@pos/kernel';
import type { StoredEventContent } from './checkpoint';
import type { LogMessage } from './message-log.port';

/** Versions count from 1; a stream that does not exist is at version 0. */
export type ExpectedVersion = number | 'ANY';

export interface NewEvent {
  readonly type: string;
  readonly data: unknown;
  readonly context: EventContext;
  readonly occurredAt: Date;
  readonly eventId?: string;
}

/** A position in a store's commit order (see RecordedEvent's `position`); '0' is before the first event. */
export type StorePosition = string;
export const STORE_START: StorePosition = '0';

/** A document written with a stream's events, only if that stream's append is accepted. */
export interface DocumentWrite {
  readonly collection: string;
  readonly key: string;
  readonly doc: unknown;
}

/** One stream's part of a group commit: the writer's view of the stream head, its new events and what goes with them. */
export interface StreamAppend {
  readonly streamId: string;
  /** The version the writer decided on (0: the stream must not exist yet). */
  readonly expectedVersion: number;
  /** The hash of the event at `expectedVersion` (GENESIS_HASH for a new stream): the new events link to it. */
  readonly prevHash: string;
  readonly events: readonly NewEvent[];
  /** Written in the same transaction, and only when the append is accepted (inline projections, snapshots). */
  readonly documents?: readonly DocumentWrite[];
}

/** Each stream of a group commits or conflicts on its own: one stale writer does not fail the others. */
export type AppendOutcome =
  | { readonly ok: true; readonly recorded: readonly RecordedEvent[] }
  | { readonly ok: false; readonly conflict: ConcurrencyError };

export interface EventStoreTx {
  /** Appends atomically or throws ConcurrencyError. Each event also enters the outbox of the same transaction. */
  append(streamId: string, expected: ExpectedVersion, events: readonly NewEvent[]): Promise<RecordedEvent[]>;
  /** As ServiceStore.readStream, inside the transaction. */
  readStream<E extends LedgerEvent>(streamId: string, types: EventTypes<E>, fromVersion?: number): Promise<RecordedEvent<E>[]>;
}

export interface ListOptions {
  /** Only keys after this one (paging). */
  readonly after?: string;
  readonly limit?: number;
}

/** Reading a service's documents. Keys sort as strings (byte order). */
export interface DocumentReader {
  get<T>(collection: string, key: string): Promise<T | undefined>;
  /** Several documents of one collection in one read; absent keys are missing from the map. */
  getMany<T>(collection: string, keys: readonly string[]): Promise<Map<string, T>>;
  /** Documents whose key starts with `prefix`, in key order. */
  list<T>(collection: string, prefix: string, options?: ListOptions): Promise<Array<{ key: string; doc: T }>>;
}

/** A service's own JSON documents: read models, credentials, pending state. */
export interface DocumentStoreTx extends DocumentReader {
  put(collection: string, key: string, doc: unknown): Promise<void>;
  /** Many puts in as few statements as the store allows (bulk loads: rebuilds, clearing-file imports). */
  putMany(collection: string, entries: ReadonlyArray<{ key: string; doc: unknown }>): Promise<void>;
  delete(collection: string, key: string): Promise<void>;
  /** Deletes every document of a collection (a dropped read-model generation); returns how many. */
  clear(collection: string): Promise<number>;
}

/** What a consumer has applied, recorded in the same transaction as the effect. */
export interface ProcessedMessagesTx {
  has(consumer: string, messageId: string): Promise<boolean>;
  mark(consumer: string, messageId: string): Promise<void>;
  /** Of `messageIds`, those the consumer has already applied (one query for a batch). */
  seen(consumer: string, messageIds: readonly string[]): Promise<Set<string>>;
  /** Marks a batch as applied; a message already marked fails the transaction (another applier won). */
  markMany(consumer: string, messageIds: readonly string[]): Promise<void>;
}

/** Where a subscription over the store's own events has got to, saved with its effect. */
export interface CheckpointsTx {
  /** STORE_START when the subscription has applied nothing. */
  get(subscriptionId: string): Promise<StorePosition>;
  set(subscriptionId: string, position: StorePosition): Promise<void>;
}

export type LockMode = 'shared' | 'exclusive';

export interface StoreTx {
  readonly events: EventStoreTx;
  readonly documents: DocumentStoreTx;
  readonly processed: ProcessedMessagesTx;
  readonly checkpoints: CheckpointsTx;
  /**
   * Takes a named lock until the transaction ends: shared holders run together, an
   * exclusive holder alone (across processes). On SQLite every write transaction is
   * already exclusive, so this only matters where transactions run concurrently.
   */
  lock(name: string, mode: LockMode): Promise<void>;
}

/** An unpublished event, ready for the log: built from the stored row, not decoded and encoded again. */
export interface OutboxRecord {
  readonly outboxId: string;
  readonly eventId: string;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly message: LogMessage;
}

export interface HashChainReport {
  readonly streamId: string;
  /** Events stored in the stream. */
  readonly events: number;
  readonly ok: boolean;
  /** First version (in version order) at which the chain or its head does not hold; absent when ok. */
  readonly brokenAtVersion?: number;
  /** The stored event at `brokenAtVersion`; absent when that version is not stored (a deletion). */
  readonly eventId?: string;
  /**
   * Stable, for machines: EVENT_CONTENT_ALTERED (content no longer hashes to its stored hash),
   * EVENT_MISSING (a version gap), CHAIN_LINK_BROKEN (prevHash is not the previous event's hash:
   * reordered or re-chained), STREAM_HEAD_MISMATCH (the streams row disagrees with the last stored event).
   */
  readonly code?: 'EVENT_CONTENT_ALTERED' | 'EVENT_MISSING' | 'CHAIN_LINK_BROKEN' | 'STREAM_HEAD_MISMATCH';
  /** For people; wording may change, `code` does not. */
  readonly reason?: string;
  /** What differs, by code; null means that row does not exist. */
  readonly detail?:
    | { readonly storedHash: string; readonly recomputedHash: string }
    | { readonly expectedVersion: number; readonly foundVersion: number }
    | { readonly expectedPrevHash: string; readonly storedPrevHash: string }
    | {
        readonly headVersion: number | null;
        readonly headHash: string | null;
        readonly lastStoredVersion: number | null;
        readonly lastStoredHash: string | null;
      };
}

/**
 * One service's database: its event store, outbox, documents and consumer
 * bookkeeping. Everything inside `transaction` commits or rolls back together.
 */
export interface ServiceStore {
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * A group commit: appends to many streams in one store transaction and one durable commit.
   * Each stream is accepted (events, outbox and its documents written) or refused with a
   * conflict on its own; nothing is written when the transaction fails.
   */
  appendBatch(appends: readonly StreamAppend[]): Promise<AppendOutcome[]>;
  /**
   * A stream's events from `fromVersion` (default 1) to `toVersion` (inclusive; default the last),
   * decoded at their current version. `types` are the ones the stream may hold: the events come
   * typed by them, and one of another type is refused (ContractError EVENT_TYPE_UNEXPECTED).
   */
  readStream<E extends LedgerEvent>(streamId: string, types: EventTypes<E>, fromVersion?: number, toVersion?: number): Promise<RecordedEvent<E>[]>;
  /** Committed documents, read without a transaction (no write lock): for queries and credential checks. */
  getDocument<T>(collection: string, key: string): Promise<T | undefined>;
  listDocuments<T>(collection: string, prefix: string, options?: ListOptions): Promise<Array<{ key: string; doc: T }>>;
  /** Runs `fn` on one consistent, read-only snapshot of the documents (e.g. to compare two collections under live writes). */
  readSnapshot<T>(fn: (docs: DocumentReader) => Promise<T>): Promise<T>;
  /**
   * Position of the last event a reader may take (STORE_START when there is none): every
   * event at or before it has committed, and any event committing later lies after it.
   */
  lastPosition(): Promise<StorePosition>;
  /** Events after `afterPosition` in commit order, up to `lastPosition()` as of the read. */
  readAll(afterPosition: StorePosition, limit: number): Promise<RecordedEvent<LedgerEvent>[]>;
  /** How many readable events lie in (after, until): for progress. */
  countBetween(after: StorePosition, until: StorePosition): Promise<number>;
  verifyStream(streamId: string): Promise<HashChainReport>;
  /** A stream's events from `fromVersion` to `toVersion` (inclusive) exactly as stored, undecoded: what a checkpoint recomputes its leaves from. */
  readStoredEvents(streamId: string, fromVersion: number, toVersion: number): Promise<StoredEventContent[]>;
  listStreams(prefix: string): Promise<string[]>;
  /**
   * Hands the oldest unpublished events (up to `limit`, in order) to `publish`
   * and removes them once it resolves. Only one publisher runs at a time per
   * store, so one key's events leave in the order they were appended.
   */
  publishOutbox(limit: number, publish: (records: readonly OutboxRecord[]) => Promise<void>): Promise<number>;
  outboxBacklog(): Promise<number>;
  /** Resolves when something was appended (or after `ms`), so pollers need not spin. */
  waitForAppend(ms: number): Promise<void>;
  close(): Promise<void>;
}
