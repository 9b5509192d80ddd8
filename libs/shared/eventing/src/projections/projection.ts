import type { EventTypes, LedgerEvent } from '@pos/contracts';
import type { RecordedEvent } from '@pos/kernel';
import type { DocumentReader, DocumentStoreTx, ServiceStore, StoreTx } from '../event-store.port';
import { parseWithBigInt, stringifyWithBigInt } from '../json';
import { BufferedDocuments } from './documents';

/**
 * Where an event was read from: a log partition (`topic/partition` and its offset) or,
 * for projections of a service's own events, the store's global position (`store`).
 */
export interface SourcePosition {
  readonly key: string;
  readonly offset: string;
}

export const STORE_POSITION_KEY = 'store';
export const storePosition = (event: RecordedEvent): SourcePosition => ({ key: STORE_POSITION_KEY, offset: String(event.metadata.position) });

/**
 * A projection is fed either by topics of the log (through a consumer group) or by the
 * events of its own service's store (through a checkpointed subscription). The rebuild
 * reads the same source, and waits for the live projector to pass its handover.
 */
export type ProjectionSource =
  | { readonly kind: 'log'; readonly topics: readonly string[]; readonly consumerGroup: string }
  | { readonly kind: 'store'; readonly subscription: string };

/**
 * A read model that can be rebuilt from events at any time, over the events it folds (`E`,
 * as Emmett's projections are over their event type). `apply` must be a pure function of
 * the event and the documents it reads (no clock, no I/O of its own), so a rebuild from the
 * same events gives the same documents as the live projection.
 *
 * The live path, rebuilds and replays take projections over the whole ledger union; one over
 * fewer events enters them through `projection()`, which passes it only the events it handles.
 * (apply and reads are function-typed properties, not methods, so that TypeScript refuses a
 * narrower projection where a wider one is expected instead of letting it through.)
 */
export interface ProjectionDefinition<E extends LedgerEvent = LedgerEvent> {
  readonly name: string;
  /** The service whose store holds the read model. */
  readonly service: string;
  readonly description: string;
  readonly source: ProjectionSource;
  /** The event types it folds: others pass it by. */
  readonly handles: EventTypes<E>;
  readonly apply: (event: RecordedEvent<E>, docs: DocumentStoreTx, collection: string) => Promise<void>;
  /** The documents `apply` will read for `event`, so a batch reads them all in one query per collection. */
  readonly reads?: (event: RecordedEvent<E>) => readonly string[];
}

/** A projection over its own events, as the runtime applies it: every event it does not handle passes it by. */
export const projection = <E extends LedgerEvent>(def: ProjectionDefinition<E>): ProjectionDefinition => {
  const { handles, apply, reads } = def;
  return {
    ...def,
    handles,
    apply: async (event, docs, collection) => {
      if (handles.includes(event)) await apply(event, docs, collection);
    },
    reads: reads && ((event) => (handles.includes(event) ? reads(event) : [])),
  };
};

export interface Generation {
  readonly generation: number;
  /** The document collection holding this generation's read model. */
  readonly collection: string;
  /** When it became active (or started building). */
  readonly since: string;
}

export interface BuildingGeneration extends Generation {
  /**
   * End of the source when the build was registered, per partition (`store` for a store
   * source): the rebuild applies every event before it, the live projector every event at
   * or after it. The two ranges cover the log exactly once.
   */
  readonly handover: Readonly<Record<string, string>>;
  /** Who runs the build (host and pid), to tell a live build from an abandoned one. */
  readonly owner: string;
  /**
   * Set until the rebuild has applied everything before the handover. Meanwhile the live
   * projector queues what it would apply to this generation (see queueCollection) instead:
   * applied before the replay, an event past the handover would read documents the replay
   * has not written yet (a sale priced before its terminal's plan is known, a reversal of a
   * sale not there yet). The rebuild applies the queue in the live order, then clears this.
   */
  readonly replaying?: true;
  /** Live batches queued so far: the next one's sequence. */
  readonly queued?: number;
}

/** Where the live projector queues its batches for a generation still replaying, one document per batch in live order. */
export const queueCollection = (building: Pick<BuildingGeneration, 'collection'>): string => `${building.collection}~queue`;

/** A queued live batch: its events as JSON text (bigint kept), each with where it was read. */
interface QueuedBatch {
  readonly items: string;
}

const queueKey = (sequence: number) => String(sequence).padStart(12, '0');
const queuedBatch = (items: readonly LiveItem[]): QueuedBatch => ({ items: stringifyWithBigInt(items) });
export const queuedItems = (batch: QueuedBatch): LiveItem[] => parseWithBigInt(batch.items);

/** The registry entry of one projection: which generation queries read, and the one being built beside it. */
export interface ProjectionState {
  readonly projection: string;
  readonly active: Generation;
  readonly building?: BuildingGeneration;
  readonly lastGeneration: number;
}

export const PROJECTION_REGISTRY = 'projections';

/** Generation 1 keeps the plain collection name, so read models written before generations existed stay live. */
export const generationCollection = (projection: string, generation: number): string =>
  generation === 1 ? projection : `${projection}~g${generation}`;

const initialState = (projection: string): ProjectionState => ({
  projection,
  active: { generation: 1, collection: generationCollection(projection, 1), since: new Date(0).toISOString() },
  lastGeneration: 1,
});

export const readProjectionState = async (docs: DocumentReader, projection: string): Promise<ProjectionState> =>
  (await docs.get<ProjectionState>(PROJECTION_REGISTRY, projection)) ?? initialState(projection);

/** A store's committed documents as a reader (no transaction). */
export const committedDocuments = (store: ServiceStore): DocumentReader => ({
  get: (collection, key) => store.getDocument(collection, key),
  getMany: async (collection, keys) => {
    const out = new Map<string, never>();
    for (const key of keys) {
      const doc = await store.getDocument<never>(collection, key);
      if (doc !== undefined) out.set(key, doc);
    }
    return out;
  },
  list: (collection, prefix, options) => store.listDocuments(collection, prefix, options),
});

/** The collection queries read now. */
export const activeCollection = async (store: ServiceStore, projection: string): Promise<string> =>
  (await readProjectionState(committedDocuments(store), projection)).active.collection;

/** Registry entries of several projections in one read. */
export const readProjectionStates = async (docs: DocumentReader, projections: readonly string[]): Promise<Map<string, ProjectionState>> => {
  const found = await docs.getMany<ProjectionState>(PROJECTION_REGISTRY, projections);
  return new Map(projections.map((p) => [p, found.get(p) ?? initialState(p)]));
};

/**
 * One lock for every projection of a store. A live batch holds it exclusively: two batches
 * (say, of the terminal and the settlement topic) may touch the same documents, and a
 * read-modify-write must not interleave with another. Registering a build, each rebuild
 * batch and the swap hold it too, so a live write never straddles a handover or a swap.
 */
export const PROJECTIONS_LOCK = 'projections';

export const belongsToLive = (at: SourcePosition, handover: Readonly<Record<string, string>>): boolean =>
  BigInt(at.offset) >= BigInt(handover[at.key] ?? '0');

/** An event and where it was read, as the live path applies it. */
export interface LiveItem {
  readonly event: RecordedEvent<LedgerEvent>;
  readonly at: SourcePosition;
}

/**
 * The live path, a batch at a time inside the caller's transaction: one lock and one
 * registry read for the batch, the documents it reads prefetched, each touched document
 * written once. Every event goes to each projection's active generation and, while a
 * rebuild runs, to the generation being built when it lies past the handover (the rebuild
 * applies everything before it): queued while that generation is still replaying, applied
 * directly once it has caught up.
 */
export const applyLiveBatch = async (defs: readonly ProjectionDefinition[], items: readonly LiveItem[], tx: StoreTx): Promise<void> => {
  if (items.length === 0) return;
  await tx.lock(PROJECTIONS_LOCK, 'exclusive');
  const states = await readProjectionStates(tx.documents, defs.map((d) => d.name));
  const docs = new BufferedDocuments(tx.documents);
  const direct = (state: ProjectionState) => state.building !== undefined && !state.building.replaying;
  for (const def of defs) {
    if (!def.reads) continue;
    const keys = items.flatMap((i) => def.reads!(i.event));
    const state = states.get(def.name)!;
    await docs.prefetch(state.active.collection, keys);
    if (direct(state)) await docs.prefetch(state.building!.collection, keys);
  }
  const queued = new Map<string, LiveItem[]>();
  for (const item of items)
    for (const def of defs) {
      const state = states.get(def.name)!;
      await def.apply(item.event, docs, state.active.collection);
      if (!state.building || !belongsToLive(item.at, state.building.handover)) continue;
      if (direct(state)) await def.apply(item.event, docs, state.building.collection);
      else queued.set(def.name, [...(queued.get(def.name) ?? []), item]);
    }
  for (const [name, batch] of queued) {
    const state = states.get(name)!;
    const building = state.building!;
    const sequence = building.queued ?? 0;
    await docs.put(queueCollection(building), queueKey(sequence), queuedBatch(batch.map(({ event, at }) => ({ event, at }))));
    await docs.put(PROJECTION_REGISTRY, name, { ...state, building: { ...building, queued: sequence + 1 } });
  }
  await docs.flush();
};

/** One event on the live path (see applyLiveBatch). */
export const applyLive = (def: ProjectionDefinition, event: RecordedEvent<LedgerEvent>, at: SourcePosition, tx: StoreTx): Promise<void> => applyLiveBatch([def], [{ event, at }], tx);
