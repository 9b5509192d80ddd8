import { Inject, Injectable } from '@nestjs/common';
import { TERMINAL_EVENTS, terminalStreamId } from '@pos/contracts';
import { type DocumentWrite, GENESIS_HASH, GroupCommit, type NewEvent, type ServiceStore, type StoreTx } from '@pos/eventing';
import { type Actor, type Clock, ConcurrencyError, type TerminalId } from '@pos/kernel';
import { CLOCK, LEDGER_CONFIG, type LedgerConfig, type LedgerMetrics, METRICS, SERVICE_STORE } from '@pos/platform';
import {
  decide, evolve, initialTerminalState, priorAnswer, responseOf, type SettledSale, type SettledSales, settledSalesNeeded, settledSaleUpdates, snapshotOf,
  stateFromSnapshot, stateSize, type TerminalCommand, TerminalErrors, type TerminalSnapshot, type TerminalState,
} from '@pos/terminal-domain';
import { TerminalCache, type TerminalEntry } from './terminal-cache';

export interface RequestOrigin {
  readonly correlationId: string;
  readonly actor: Actor;
  /** Batch (none for sign-on and sign-off), trace number and body fingerprint, for requests a terminal may retry. */
  readonly batchNo?: string;
  readonly stan?: string;
  readonly fingerprint?: string;
}

export type TerminalAnswer = Readonly<Record<string, unknown>>;

/** The gateway's own documents beside the streams. */
export const GATEWAY_DOCS = {
  /** A terminal's state at some version, so loading it does not start at its first event. */
  snapshots: 'terminal-snapshots',
  /** Sales of closed batches, for refunds: `terminalId|rrn`. */
  settledSales: 'settled-sales',
} as const;

const settledSaleKey = (terminalId: string, rrn: string) => `${terminalId}|${rrn}`;

const MAX_ATTEMPTS = 5;
/**
 * Snapshots: at every batch close, so a load never reads closed batches, and every this many
 * events while the open batch weighs less (a long run of events that leave little state). A
 * snapshot weighs as much as the open batch, so one is never written more often than every
 * `stateSize` events: the tail a load reads is at most the open batch's own events.
 */
const SNAPSHOT_EVERY = 1_000;

/**
 * Load, decide, append with the expected version: the one write path of the gateway.
 * Requests of one terminal run one after the other (a terminal sends one at a time; a retry
 * racing its original waits for it); requests of different terminals are appended together
 * by group commit. Terminal state stays in memory (bounded, least recently used first out)
 * and is trusted until an append says otherwise: a conflict (another replica wrote the
 * terminal) reloads it and decides again, so a retried request that raced its original
 * gets the original answer.
 */
@Injectable()
export class TerminalCommandRunner {
  private readonly cache: TerminalCache;
  private readonly lanes = new Map<string, Promise<unknown>>();
  private readonly group: GroupCommit;

  constructor(
    @Inject(SERVICE_STORE) private readonly store: ServiceStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
    @Inject(METRICS) private readonly metrics: LedgerMetrics,
  ) {
    this.cache = new TerminalCache(config.terminalCacheEntries);
    this.group = new GroupCommit(store, { onGroup: (n) => metrics.groupCommitStreams.observe({ service: 'terminal-gateway' }, n) });
  }

  /** The terminal's state as committed (from memory, or snapshot and tail from the store). */
  async load(terminalId: string): Promise<TerminalEntry> {
    const cached = this.cache.get(terminalId);
    if (cached) return cached;
    const snapshot = await this.store.getDocument<TerminalSnapshot>(GATEWAY_DOCS.snapshots, terminalId);
    const start = (snapshot && stateFromSnapshot(snapshot)) ?? initialTerminalState;
    // From the snapshot's own event: its hash is the link the next append needs.
    const events = await this.store.readStream(terminalStreamId(terminalId), TERMINAL_EVENTS, Math.max(1, start.version));
    let entry: TerminalEntry = { state: start, hash: GENESIS_HASH, snapshotVersion: start.version };
    for (const e of events) entry = e.metadata.version <= start.version ? { ...entry, hash: e.metadata.hash } : { ...entry, state: evolve(entry.state, e), hash: e.metadata.hash };
    this.remember(terminalId, entry);
    return entry;
  }

  /** Catches a cached state up with events another writer appended; true when there were any. */
  private async refresh(terminalId: string, entry: TerminalEntry): Promise<boolean> {
    const newer = await this.store.readStream(terminalStreamId(terminalId), TERMINAL_EVENTS, entry.state.version + 1);
    if (newer.length === 0) return false;
    this.remember(terminalId, {
      ...entry,
      state: newer.reduce(evolve, entry.state),
      hash: newer[newer.length - 1].metadata.hash,
    });
    return true;
  }

  private remember(terminalId: string, entry: TerminalEntry) {
    this.cache.set(terminalId, entry, stateSize(entry.state) + 1);
    this.metrics.terminalCache.set({ service: 'terminal-gateway' }, this.cache.weight);
  }

  run(
    terminalId: TerminalId,
    origin: RequestOrigin,
    build: (state: TerminalState) => TerminalCommand | Promise<TerminalCommand>,
    extra?: (tx: StoreTx) => Promise<void>,
  ): Promise<TerminalAnswer> {
    return this.inLane(terminalId, () => this.attempt(terminalId, origin, build, extra));
  }

  /** Runs `work` after every earlier request of the same terminal has finished. */
  private inLane<T>(terminalId: string, work: () => Promise<T>): Promise<T> {
    const before = this.lanes.get(terminalId) ?? Promise.resolve();
    const mine = before.then(work, work);
    const tail = mine.catch(() => undefined);
    this.lanes.set(terminalId, tail);
    void tail.then(() => {
      if (this.lanes.get(terminalId) === tail) this.lanes.delete(terminalId);
    });
    return mine;
  }

  private async attempt(terminalId: string, origin: RequestOrigin, build: (state: TerminalState) => TerminalCommand | Promise<TerminalCommand>, extra?: (tx: StoreTx) => Promise<void>): Promise<TerminalAnswer> {
    const streamId = terminalStreamId(terminalId);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const entry = await this.load(terminalId);
      const { state } = entry;
      const now = this.clock.now();
      let prior: ReturnType<typeof priorAnswer>;
      let settled: SettledSales = new Map();
      let decision: ReturnType<typeof decide> | undefined;
      let refusal: unknown;
      try {
        prior = origin.stan && origin.fingerprint ? priorAnswer(state, { batchNo: origin.batchNo, stan: origin.stan, fingerprint: origin.fingerprint }) : undefined;
        if (!prior) {
          const bare = await build(state);
          settled = await this.settledSales(terminalId, settledSalesNeeded(bare, state));
          decision = decide(settled.size > 0 ? ({ ...bare, settledSales: settled } as TerminalCommand) : bare, state, now);
        }
      } catch (e) {
        refusal = e;
      }
      if (!decision || decision.events.length === 0) {
        // Nothing to append, so no version check: an answer or a refusal must come from the
        // latest state (another replica may have moved the terminal since it was cached here).
        if (await this.refresh(terminalId, entry)) continue;
        if (refusal !== undefined) throw refusal;
        if (prior) return this.answerAt(streamId, prior.version);
        if (decision?.error) throw decision.error;
        return { responseCode: '00' };
      }
      const next = decision.events.reduce(evolve, state);
      const events: NewEvent[] = decision.events.map((e) => ({
        type: e.type, data: e.data, occurredAt: now,
        context: { correlationId: origin.correlationId, causationId: origin.correlationId, actor: origin.actor },
      }));
      const snapshot = decision.events.some((e) => e.type === 'BatchClosed') || next.version - entry.snapshotVersion >= Math.max(SNAPSHOT_EVERY, stateSize(next));
      const documents: DocumentWrite[] = [
        ...settledSaleUpdates(state, decision.events, settled).map((sale) => ({ collection: GATEWAY_DOCS.settledSales, key: settledSaleKey(terminalId, sale.rrn), doc: sale })),
        ...(snapshot ? [{ collection: GATEWAY_DOCS.snapshots, key: terminalId, doc: snapshotOf(next) }] : []),
      ];
      const hash = await this.append(streamId, entry, events, documents, extra);
      if (hash === undefined) {
        // Another writer moved the stream: decide again on what it wrote.
        this.cache.delete(terminalId);
        continue;
      }
      this.remember(terminalId, { state: next, hash, snapshotVersion: snapshot ? next.version : entry.snapshotVersion });
      if (decision.error) throw decision.error;
      const last = decision.events[decision.events.length - 1];
      return responseOf(last) ?? { responseCode: '00' };
    }
    throw TerminalErrors.TERMINAL_BUSY('the terminal is changing too fast; retry');
  }

  /** Appends by group commit (or, with extra writes, in a transaction of its own); the new head hash, or undefined on a conflict. */
  private async append(streamId: string, entry: TerminalEntry, events: readonly NewEvent[], documents: readonly DocumentWrite[], extra?: (tx: StoreTx) => Promise<void>): Promise<string | undefined> {
    const expectedVersion = entry.state.version;
    if (extra) {
      return this.store
        .transaction(async (tx) => {
          const recorded = await tx.events.append(streamId, expectedVersion, events);
          for (const d of documents) await tx.documents.put(d.collection, d.key, d.doc);
          await extra(tx);
          return recorded[recorded.length - 1].metadata.hash;
        })
        .catch((e: unknown) => {
          if (e instanceof ConcurrencyError) return undefined;
          throw e;
        });
    }
    const outcome = await this.group.append({ streamId, expectedVersion, prevHash: entry.hash, events, documents });
    return outcome.ok ? outcome.recorded[outcome.recorded.length - 1].metadata.hash : undefined;
  }

  /** The answer a retried request gets: built again from the event that answered it. */
  private async answerAt(streamId: string, version: number): Promise<TerminalAnswer> {
    const [event] = await this.store.readStream(streamId, TERMINAL_EVENTS, version, version);
    return (event && responseOf(event)) ?? { responseCode: '00' };
  }

  private async settledSales(terminalId: string, rrns: readonly string[]): Promise<SettledSales> {
    const out = new Map<string, SettledSale>();
    for (const rrn of rrns) {
      const sale = await this.store.getDocument<SettledSale>(GATEWAY_DOCS.settledSales, settledSaleKey(terminalId, rrn));
      if (sale) out.set(rrn, sale);
    }
    return out;
  }
}
