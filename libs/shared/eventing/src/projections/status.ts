import { randomUUID } from 'node:crypto';
import type { ServiceStore } from '../event-store.port';
import { ProjectionErrors } from './projection.errors';
import { committedDocuments, type ProjectionDefinition, readProjectionState } from './projection';
import { type RebuildReport, liveDigest, rebuildInProgress, rebuildProjection, type ReplayProgress } from './rebuild';
import type { SourceDeps } from './source';

/** Where a rebuild started over HTTP reports its progress and result: one document per projection, in the projection's store. */
export const REBUILD_STATUS = 'projection-rebuilds';

/** A rebuild's progress and, once it ended, its result (SWAPPED: the rebuilt generation is live; FAILED: live kept, `error` says why). */
export interface RebuildStatus {
  readonly rebuildId: string;
  readonly startedAt: string;
  readonly phase: ReplayProgress['phase'];
  /** Records replayed of `total` (the source up to the handover). */
  readonly processed: number;
  readonly total: number;
  readonly finishedAt?: string;
  readonly result?: 'SWAPPED' | 'FAILED';
  /** The generation built (live once SWAPPED). */
  readonly generation?: number;
  readonly digest?: string;
  readonly errorCode?: string;
  readonly error?: string;
}

/** A projection as operations see it: its live generation and digest, how far its live projector got, and any rebuild. */
export interface ProjectionStatus {
  readonly name: string;
  readonly service: string;
  readonly description: string;
  readonly generation: number;
  readonly documents: number;
  readonly digest: string;
  /** When `digest` (and `documents`) were taken, and at which `position`: equal to `position`, the digest is of now. */
  readonly digestAt: string;
  readonly digestPosition: string;
  /** The last store position applied (store-fed), or the log messages applied (log-fed: the group's committed offsets, summed). */
  readonly position: string;
  /** Events in its source the live projector has not applied yet. */
  readonly lagEvents: number;
  readonly state: 'LIVE' | 'REBUILDING';
  readonly rebuild?: RebuildStatus;
}

const sum = (values: readonly string[]) => values.reduce((a, v) => a + BigInt(v), 0n);

const livePosition = async (def: ProjectionDefinition, deps: SourceDeps): Promise<{ position: string; lagEvents: number }> => {
  if (def.source.kind === 'store') {
    const subscription = def.source.subscription;
    const checkpoint = await deps.store.transaction((tx) => tx.checkpoints.get(subscription));
    const until = (BigInt(await deps.store.lastPosition()) + 1n).toString();
    return { position: checkpoint, lagEvents: await deps.store.countBetween(checkpoint, until) };
  }
  if (!deps.log) throw new Error(`${def.name} is fed by the log, but no log is open`);
  const { topics, consumerGroup } = def.source;
  return { position: sum(Object.values(await deps.log.committedOffsets(consumerGroup, topics))).toString(), lagEvents: await deps.log.lag(consumerGroup, topics) };
};

type LiveDigest = Awaited<ReturnType<typeof liveDigest>>;

/**
 * Digests of live generations, each reused for `maxAgeMs` while its generation stays: a digest
 * reads every document, and a console refreshing every few seconds must not read a large
 * projection in full each time. Taken again after that, whether or not the projection moved
 * (a document changed behind its back shows within `maxAgeMs`).
 */
export class DigestCache {
  private readonly entries = new Map<string, { readonly at: number; readonly position: string; readonly digest: LiveDigest }>();

  constructor(private readonly maxAgeMs: number) {}

  async of(def: ProjectionDefinition, store: ServiceStore, generation: number, position: string): Promise<LiveDigest & { at: number; position: string }> {
    const hit = this.entries.get(def.name);
    if (hit && hit.digest.generation === generation && Date.now() - hit.at < this.maxAgeMs) return { ...hit.digest, at: hit.at, position: hit.position };
    const entry = { at: Date.now(), position, digest: await liveDigest(def, store) };
    this.entries.set(def.name, entry);
    return { ...entry.digest, at: entry.at, position };
  }
}

/** A projection's status now; `digests` may answer a digest taken a moment ago (`digestAt` says when). */
export const projectionStatus = async (def: ProjectionDefinition, deps: SourceDeps, digests = new DigestCache(0)): Promise<ProjectionStatus> => {
  const state = await readProjectionState(committedDocuments(deps.store), def.name);
  const position = await livePosition(def, deps);
  const live = await digests.of(def, deps.store, state.active.generation, position.position);
  const rebuild = await deps.store.getDocument<RebuildStatus>(REBUILD_STATUS, def.name);
  return {
    name: def.name, service: def.service, description: def.description, generation: live.generation, documents: live.documents, digest: live.digest,
    digestAt: new Date(live.at).toISOString(), digestPosition: live.position, ...position, state: state.building ? 'REBUILDING' : 'LIVE', ...(rebuild ? { rebuild } : {}),
  };
};

const PROGRESS_EVERY_MS = 250;

const outcomeOf = (r: RebuildReport): Pick<RebuildStatus, 'result' | 'generation' | 'digest' | 'errorCode' | 'error'> =>
  r.swapped
    ? { result: 'SWAPPED', generation: r.generation, digest: r.rebuilt.digest }
    : {
        result: 'FAILED', generation: r.generation, digest: r.rebuilt.digest, errorCode: 'REBUILD_DIFFERS',
        error: `generation ${r.generation} rebuilt to ${r.rebuilt.documents} documents, digest ${r.rebuilt.digest}, which differs from live generation ${r.previousGeneration} (${r.live.documents} documents, digest ${r.live.digest}) in ${r.differences.length}${r.differences.length === 20 ? '+' : ''} documents: live kept, the rebuilt generation discarded (compare with \`ledger-audit rebuild --compare-only\`)`,
      };

/**
 * Rebuilds started by operations (POST /v1/ops/projections/{name}/rebuild): each runs in the
 * background as `ledger-audit rebuild` does (a new generation beside live, swapped when its
 * digest equals live), its progress and result kept in REBUILD_STATUS for any replica to show.
 */
export class ProjectionRebuilds {
  private readonly running = new Map<string, Promise<RebuildStatus>>();

  constructor(private readonly o: { readonly owner: string; readonly now: () => Date; readonly batchSize?: number; readonly dropGraceMs?: number; readonly onError?: (e: unknown, projection: string) => void }) {}

  /**
   * Registers the build and answers once it is registered (a rebuild already registered, here or
   * by another process, is refused with REBUILD_IN_PROGRESS; a log that lost its start with
   * LOG_TRUNCATED); `done` settles when it ends, with its last status.
   */
  async start(def: ProjectionDefinition, deps: SourceDeps): Promise<{ rebuildId: string; done: Promise<RebuildStatus> }> {
    if (this.running.has(def.name)) {
      const state = await readProjectionState(committedDocuments(deps.store), def.name);
      throw state.building ? rebuildInProgress(state) : ProjectionErrors.REBUILD_IN_PROGRESS(`projection ${def.name} is being registered for a rebuild by this process; wait for it`);
    }
    let finished!: (s: Promise<RebuildStatus>) => void;
    // Held from here, so a second request in this process is refused before it reaches the store.
    this.running.set(def.name, new Promise<RebuildStatus>((resolve) => (finished = (s) => resolve(s))));
    const store: ServiceStore = deps.store;
    let status: RebuildStatus = { rebuildId: randomUUID(), startedAt: this.o.now().toISOString(), phase: 'replay', processed: 0, total: 0 };
    let writes = Promise.resolve();
    let written = 0;
    const save = () => {
      const snapshot = status;
      written = Date.now();
      writes = writes.then(() => store.transaction((tx) => tx.documents.put(REBUILD_STATUS, def.name, snapshot))).catch((e) => this.o.onError?.(e, def.name));
      return writes;
    };
    let registered: (() => void) | undefined;
    const begun = new Promise<void>((resolve) => (registered = resolve));
    const onProgress = (p: ReplayProgress) => {
      const phaseChanged = p.phase !== status.phase;
      status = { ...status, phase: p.phase, ...(p.phase === 'replay' ? { processed: p.done, total: p.total } : {}) };
      if (registered) {
        // The first progress report comes once the build is registered: from here on it has a status.
        registered();
        registered = undefined;
        void save();
      } else if (phaseChanged || Date.now() - written >= PROGRESS_EVERY_MS) void save();
    };
    const run = rebuildProjection({ def, store, log: deps.log, owner: this.o.owner, now: this.o.now, swap: 'if-equal', onProgress, batchSize: this.o.batchSize, dropGraceMs: this.o.dropGraceMs });
    const first = await Promise.race([begun.then(() => undefined), run.then(() => undefined, (e: unknown) => ({ e }))]);
    // Refused before it was registered: nothing of it was written, the other build's status stays.
    if (first && registered) {
      this.running.delete(def.name);
      throw first.e;
    }
    await writes;
    const done = run
      .then(outcomeOf, (e: unknown) => ({ result: 'FAILED' as const, errorCode: (e as { code?: string }).code ?? 'FAILED', error: e instanceof Error ? e.message : String(e) }))
      .then(async (outcome) => {
        status = { ...status, ...outcome, finishedAt: this.o.now().toISOString() };
        await save();
        return status;
      })
      .finally(() => this.running.delete(def.name));
    finished(done);
    return { rebuildId: status.rebuildId, done };
  }

  /** Waits for the rebuilds still running (a process stopping lets them end rather than cut them off). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }
}
