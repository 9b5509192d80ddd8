import type { DomainError } from '@pos/kernel';
import type { ServiceStore } from '../event-store.port';
import { ProjectionErrors } from './projection.errors';
import { type CollectionDigest, diffCollections, digestCollection, type DocumentDifference } from './digest';
import { BufferedDocuments, MemoryDocuments } from './documents';
import {
  type BuildingGeneration, generationCollection, type Generation, type LiveItem, PROJECTION_REGISTRY, type ProjectionDefinition, PROJECTIONS_LOCK, type ProjectionState,
  queueCollection, queuedItems, readProjectionState,
} from './projection';
import { applyReplayed, newCounts, type ReplayCounts } from './replay';
import { liveReached, readSource, type SourceDeps, sourceEnd, type SourceRange, sourceRangeSize, sourceStart } from './source';

export interface ReplayProgress {
  readonly phase: 'replay' | 'join' | 'catch-up' | 'compare' | 'swap';
  /** Records done / to do in this phase (the total is known before the phase starts). */
  readonly done: number;
  readonly total: number;
}

/** if-equal: swap only when the rebuilt digest equals the live one; force: swap anyway (after a projection fix); never: compare only. */
export type SwapPolicy = 'if-equal' | 'never' | 'force';

export interface RebuildOptions extends SourceDeps {
  readonly def: ProjectionDefinition;
  readonly swap: SwapPolicy;
  /** Who runs it, recorded in the registry (e.g. `ledger-audit@host:pid`). */
  readonly owner: string;
  readonly now: () => Date;
  /** Events per store transaction (each holds the projection's lock exclusively for its duration). */
  readonly batchSize?: number;
  /** Keep the replaced generation's documents (for inspection) instead of dropping them. */
  readonly keepPrevious?: boolean;
  /** Pause between the swap and dropping the old generation, so queries that read the registry just before the swap finish. */
  readonly dropGraceMs?: number;
  readonly onProgress?: (p: ReplayProgress) => void;
  /**
   * Start somewhere other than the beginning (an offset, or the first offset at a log time;
   * `filter` for store-fed projections): the new generation then holds only what the source
   * holds from there, so it is swapped only when it still equals live, or with `force`.
   */
  readonly from?: Pick<SourceRange, 'from' | 'filter'>;
  /** How long to wait for the live projector to apply everything before the handover (it may lag) before comparing. */
  readonly catchUpTimeoutMs?: number;
}

export type RebuildOutcome = 'SWAPPED' | 'SWAPPED_WITH_DIFFERENCES' | 'COMPARED_EQUAL' | 'COMPARED_DIFFERENT' | 'REFUSED_DIFFERENT';

export interface RebuildReport {
  readonly projection: string;
  readonly service: string;
  readonly generation: number;
  readonly previousGeneration: number;
  readonly handover: Readonly<Record<string, string>>;
  readonly counts: ReplayCounts;
  /** Events past the handover the live projector applied while the replay ran, applied after it in the same order. */
  readonly joined: ReplayCounts;
  readonly replaySeconds: number;
  /** Events read per second while replaying into the new generation. */
  readonly eventsPerSecond: number;
  readonly live: CollectionDigest;
  readonly rebuilt: CollectionDigest;
  readonly equal: boolean;
  /** The first differing documents when the digests differ. */
  readonly differences: readonly DocumentDifference[];
  readonly swapped: boolean;
  readonly outcome: RebuildOutcome;
}

export const rebuildInProgress = (state: ProjectionState): DomainError =>
  ProjectionErrors.REBUILD_IN_PROGRESS(`projection ${state.projection} is already being rebuilt (generation ${state.building?.generation}, by ${state.building?.owner} since ${state.building?.since}); wait for it, or abort it if that build is gone`, { building: state.building });

const withoutBuilding = ({ building: _b, ...rest }: ProjectionState): ProjectionState => rest;

const put = (tx: { documents: { put(c: string, k: string, d: unknown): Promise<void> } }, state: ProjectionState) =>
  tx.documents.put(PROJECTION_REGISTRY, state.projection, state);

/** Refuses to rebuild from a log whose retention already removed messages: the result could not equal the live model. */
const assertSourceComplete = (def: ProjectionDefinition, start: Readonly<Record<string, string>>) => {
  if (def.source.kind !== 'log') return;
  const gone = Object.entries(start).filter(([, offset]) => BigInt(offset) > 0n);
  if (gone.length > 0)
    throw ProjectionErrors.LOG_TRUNCATED(`the log no longer holds the start of ${gone.map(([k, o]) => `${k} (starts at ${o})`).join(', ')}: a rebuild from it would miss events`, { start });
};

/**
 * Blue-green rebuild beside live traffic: registers a new generation with a handover
 * point, replays the source up to it into the new generation (live projectors apply
 * everything after it to both), compares digests on one snapshot, then swaps (or
 * discards) in one transaction and drops the generation no longer used.
 */
export const rebuildProjection = async (o: RebuildOptions): Promise<RebuildReport> => {
  const { def, store } = o;
  const batchSize = o.batchSize ?? 500;
  const start = await sourceStart(def, o);
  if (!o.from) assertSourceComplete(def, start);

  let previous!: Generation;
  const building: BuildingGeneration = await store.transaction(async (tx) => {
    await tx.lock(PROJECTIONS_LOCK, 'exclusive');
    const state = await readProjectionState(tx.documents, def.name);
    if (state.building) throw rebuildInProgress(state);
    previous = state.active;
    const generation = state.lastGeneration + 1;
    const collection = generationCollection(def.name, generation);
    await tx.documents.clear(collection);
    await tx.documents.clear(queueCollection({ collection }));
    // Taken while no live projector can commit (they hold the same lock): everything before it is the rebuild's.
    const handover = await sourceEnd(def, o);
    const b: BuildingGeneration = { generation, collection, since: o.now().toISOString(), handover, owner: o.owner, replaying: true };
    await put(tx, { ...state, building: b, lastGeneration: generation });
    return b;
  });

  try {
    const counts = newCounts();
    const seen = new Set<string>();
    const range: SourceRange = { ...o.from, until: building.handover };
    const total = await sourceRangeSize(def, o, start, range);
    let scanned = 0;
    o.onProgress?.({ phase: 'replay', done: 0, total });
    const started = performance.now();
    await readSource(def, o, range, async (items, n) => {
      for (let i = 0; i < items.length; i += batchSize) {
        const chunk = items.slice(i, i + batchSize);
        await store.transaction(async (tx) => {
          // Exclusive, like every write of a generation: nothing else runs a read-modify-write beside this batch's.
          await tx.lock(PROJECTIONS_LOCK, 'exclusive');
          const batch = new BufferedDocuments(tx.documents);
          await applyReplayed(chunk, batch, (event, docs) => def.apply(event, docs, building.collection), seen, counts);
          await batch.flush();
        });
      }
      scanned += n;
      o.onProgress?.({ phase: 'replay', done: scanned, total });
    });
    const replaySeconds = (performance.now() - started) / 1000;
    o.onProgress?.({ phase: 'join', done: 0, total: 1 });
    const joined = newCounts();
    await joinLive(def, store, building, (items, docs) => applyReplayed(items, docs, (event, d) => def.apply(event, d, building.collection), seen, joined));

    // Live may still lag behind the handover: compared before it caught up, it would look short.
    o.onProgress?.({ phase: 'catch-up', done: 0, total: 1 });
    const deadline = Date.now() + (o.catchUpTimeoutMs ?? 120_000);
    while (!(await liveReached(def, o, building.handover))) {
      if (Date.now() > deadline)
        throw ProjectionErrors.LIVE_PROJECTOR_BEHIND(`the live projector of ${def.name} has not applied everything before the handover after ${Math.round((o.catchUpTimeoutMs ?? 120_000) / 1000)} s: is the ${def.service} service running?`, { handover: building.handover });
      await new Promise((r) => setTimeout(r, 100));
    }
    o.onProgress?.({ phase: 'compare', done: 0, total: 1 });
    const compared = await store.readSnapshot(async (docs) => {
      const state = await readProjectionState(docs, def.name);
      const live = await digestCollection(docs, state.active.collection);
      const rebuilt = await digestCollection(docs, building.collection);
      const differences = live.digest === rebuilt.digest ? [] : await diffCollections(docs, state.active.collection, building.collection);
      return { live, rebuilt, differences };
    });
    o.onProgress?.({ phase: 'compare', done: 1, total: 1 });
    const equal = compared.live.digest === compared.rebuilt.digest;
    const swap = o.swap === 'force' || (o.swap === 'if-equal' && equal);

    o.onProgress?.({ phase: 'swap', done: 0, total: 1 });
    await store.transaction(async (tx) => {
      await tx.lock(PROJECTIONS_LOCK, 'exclusive');
      const state = await readProjectionState(tx.documents, def.name);
      if (state.building?.generation !== building.generation) throw aborted(def, building);
      const next = withoutBuilding(state);
      await put(tx, swap ? { ...next, active: { generation: building.generation, collection: building.collection, since: o.now().toISOString() } } : next);
    });
    if (swap && !o.keepPrevious) {
      await new Promise((r) => setTimeout(r, o.dropGraceMs ?? 1_000));
      await store.transaction((tx) => tx.documents.clear(previous.collection));
    }
    if (!swap) await store.transaction((tx) => tx.documents.clear(building.collection));
    o.onProgress?.({ phase: 'swap', done: 1, total: 1 });

    const outcome: RebuildOutcome = swap ? (equal ? 'SWAPPED' : 'SWAPPED_WITH_DIFFERENCES') : o.swap === 'never' ? (equal ? 'COMPARED_EQUAL' : 'COMPARED_DIFFERENT') : 'REFUSED_DIFFERENT';
    return {
      projection: def.name,
      service: def.service,
      generation: building.generation,
      previousGeneration: previous.generation,
      handover: building.handover,
      counts,
      joined,
      replaySeconds,
      eventsPerSecond: replaySeconds > 0 ? counts.read / replaySeconds : counts.read,
      live: compared.live,
      rebuilt: compared.rebuilt,
      equal,
      differences: compared.differences,
      swapped: swap,
      outcome,
    };
  } catch (e) {
    // A failed build must not leave live projectors writing to a generation nobody will finish.
    await abandonBuild(def, store, building.generation).catch(() => undefined);
    throw e;
  }
};

const QUEUE_PAGE = 20;

const aborted = (def: ProjectionDefinition, building: BuildingGeneration) =>
  ProjectionErrors.REBUILD_ABORTED(`the build of ${def.name} generation ${building.generation} was aborted while it ran`);

/**
 * Applies what the live projector queued while the replay ran, in the order it applied it
 * to the active generation, a page per transaction; the transaction that empties the queue
 * also ends `replaying`, so from the next live batch on the live projector writes the new
 * generation itself. Each page holds the lock, so no live batch falls between.
 */
const joinLive = async (
  def: ProjectionDefinition,
  store: ServiceStore,
  building: BuildingGeneration,
  apply: (items: readonly LiveItem[], docs: BufferedDocuments) => Promise<void>,
): Promise<void> => {
  const queue = queueCollection(building);
  for (let joined = false; !joined; )
    joined = await store.transaction(async (tx) => {
      await tx.lock(PROJECTIONS_LOCK, 'exclusive');
      const state = await readProjectionState(tx.documents, def.name);
      if (state.building?.generation !== building.generation) throw aborted(def, building);
      const page = await tx.documents.list<{ items: string }>(queue, '', { limit: QUEUE_PAGE });
      const batch = new BufferedDocuments(tx.documents);
      for (const { doc } of page) await apply(queuedItems(doc), batch);
      await batch.flush();
      for (const { key } of page) await tx.documents.delete(queue, key);
      if (page.length === QUEUE_PAGE) return false;
      const { replaying: _r, queued: _q, ...caughtUp } = state.building;
      await put(tx, { ...state, building: caughtUp });
      return true;
    });
};

const abandonBuild = async (def: ProjectionDefinition, store: ServiceStore, generation?: number): Promise<BuildingGeneration | undefined> => {
  const dropped = await store.transaction(async (tx) => {
    await tx.lock(PROJECTIONS_LOCK, 'exclusive');
    const state = await readProjectionState(tx.documents, def.name);
    if (!state.building || (generation !== undefined && state.building.generation !== generation)) return undefined;
    await put(tx, withoutBuilding(state));
    return state.building;
  });
  if (dropped)
    await store.transaction(async (tx) => {
      await tx.documents.clear(dropped.collection);
      await tx.documents.clear(queueCollection(dropped));
    });
  return dropped;
};

/** Abandons a build left behind (its process died): live projectors stop writing to it and its documents go. */
export const abortRebuild = async (def: ProjectionDefinition, store: ServiceStore): Promise<BuildingGeneration> => {
  const dropped = await abandonBuild(def, store);
  if (!dropped) throw ProjectionErrors.REBUILD_NOT_RUNNING(`projection ${def.name} has no build in progress`);
  return dropped;
};

export interface MemoryReplay {
  readonly docs: MemoryDocuments;
  readonly collection: string;
  readonly counts: ReplayCounts;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly digest: CollectionDigest;
}

/**
 * Replays a range of a projection's source into memory, beside everything live: the
 * projection as of an instant, or what a stretch of the log contributed.
 */
export const replayIntoMemory = async (
  def: ProjectionDefinition,
  deps: SourceDeps,
  range: SourceRange,
  onProgress?: (p: ReplayProgress) => void,
): Promise<MemoryReplay> => {
  const docs = new MemoryDocuments();
  const counts = newCounts();
  const seen = new Set<string>();
  const total = await sourceRangeSize(def, deps, await sourceStart(def, deps), range);
  let scanned = 0;
  onProgress?.({ phase: 'replay', done: 0, total });
  const started = performance.now();
  await readSource(def, deps, range, async (items, n) => {
    await applyReplayed(items, docs, (event, d) => def.apply(event, d, def.name), seen, counts);
    scanned += n;
    onProgress?.({ phase: 'replay', done: scanned, total });
  });
  const seconds = (performance.now() - started) / 1000;
  return { docs, collection: def.name, counts, seconds, eventsPerSecond: seconds > 0 ? counts.read / seconds : counts.read, digest: await digestCollection(docs, def.name) };
};

/** The live generation's digest, for auditors and for comparing with a replay. */
export const liveDigest = (def: ProjectionDefinition, store: ServiceStore): Promise<CollectionDigest & { generation: number }> =>
  store.readSnapshot(async (docs) => {
    const state = await readProjectionState(docs, def.name);
    return { generation: state.active.generation, ...(await digestCollection(docs, state.active.collection)) };
  });

