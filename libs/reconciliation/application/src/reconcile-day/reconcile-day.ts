import { createHash, randomUUID } from 'node:crypto';
import {
  BREAK_EVENTS, breakStreamId, type DayReconciled, type MatchedTotal, RECONCILIATION_DAY_EVENTS, reconciliationDayStreamId, type ReconciliationBreakResolved,
  type ReconciliationRunCompleted,
} from '@pos/contracts';
import { activeCollection, committedDocuments, type NewEvent, type ServiceStore, type StoreTx } from '@pos/eventing';
import type { Actor, EventContext } from '@pos/kernel';
import {
  type BreakState, decideBreak, type DetectedBreak, evolveBreak, type HostTransaction, matchDay, type MatchingTolerances, type PresentedBatchSummary,
  type PresentedRecord, ReconciliationErrors,
} from '@pos/reconciliation-domain';
import { HOST_KEYS, HOST_LEDGER, hostTransactionByRrn, loadHostDay } from '../host-ledger/host-ledger.projector';
import { allFiles, batchLinesOf, type ClearingFileEntry, filesOfDay, presentedElsewhere, recordsOf } from '../import-clearing-file/clearing-store';

/** A break's id: the first 96 bits of sha256 of its stable key, so every run names the same break the same way. */
export const breakIdOf = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 24);

export interface RunContext {
  readonly actor: Actor;
  readonly now: () => Date;
  readonly correlationId: string;
}

const newEvent = (type: string, data: unknown, ctx: RunContext, causationId: string): NewEvent => ({
  type, data, occurredAt: ctx.now(), context: { correlationId: ctx.correlationId, causationId, actor: ctx.actor } satisfies EventContext,
});

/** A break's current state, folded from its own stream inside the transaction. */
export const breakState = async (tx: StoreTx, breakId: string): Promise<{ state?: BreakState; version: number }> => {
  const events = await tx.events.readStream(breakStreamId(breakId), BREAK_EVENTS);
  return { state: events.reduce<BreakState | undefined>(evolveBreak, undefined), version: events.length };
};

const lastRun = async (tx: StoreTx, businessDay: string) => {
  const events = await tx.events.readStream(reconciliationDayStreamId(businessDay), RECONCILIATION_DAY_EVENTS);
  const run = events.findLast((e) => e.type === 'ReconciliationRunCompleted');
  return { run: run?.type === 'ReconciliationRunCompleted' ? run.data : undefined, last: events.at(-1) };
};

/** The day is clean when every break its last run found (and that belongs to it) is resolved: then DayReconciled, once. */
export const reconcileIfClean = async (tx: StoreTx, businessDay: string, ctx: RunContext, causationId: string): Promise<boolean> => {
  const { run, last } = await lastRun(tx, businessDay);
  if (!run) return false;
  let resolved = 0;
  for (const id of run.breakIds) {
    const { state } = await breakState(tx, id);
    if (state && state.businessDay === businessDay && state.status !== 'RESOLVED') return false;
    if (state?.status === 'RESOLVED') resolved++;
  }
  if (last?.type === 'DayReconciled') return true;
  const data: DayReconciled['data'] = { businessDay, runId: run.runId, fileIds: run.fileIds, matched: run.matched, resolvedBreaks: resolved };
  await tx.events.append(reconciliationDayStreamId(businessDay), 'ANY', [newEvent('DayReconciled', data, ctx, causationId)]);
  return true;
};

/**
 * What a run found, as far as a reconciled day is concerned: the same files, host and
 * acquirer counts, matched totals and breaks. A day is reconciled once; a run that finds the
 * same again changes nothing. Anything new for the day (a clearing file clearing it or
 * presenting its transactions, a late host event) shows here and reopens it.
 */
const sameFindings = (a: ReconciliationRunCompleted['data'], b: ReconciliationRunCompleted['data']): boolean => {
  const set = (ids: readonly string[]) => [...ids].sort().join();
  const totals = (m: readonly MatchedTotal[]) => m.map((t) => `${t.merchantId}|${t.currency}|${t.count}|${t.amount}`).join();
  return set(a.fileIds) === set(b.fileIds) && set(a.breakIds) === set(b.breakIds) && a.hostTransactions === b.hostTransactions
    && a.acquirerRecords === b.acquirerRecords && totals(a.matched) === totals(b.matched);
};

export interface ReconcileDayResult {
  readonly runId: string;
  readonly businessDay: string;
  readonly files: readonly ClearingFileEntry[];
  readonly hostTransactions: number;
  readonly acquirerRecords: number;
  readonly matched: readonly MatchedTotal[];
  readonly breaks: ReadonlyArray<DetectedBreak & { readonly breakId: string; readonly isNew: boolean }>;
  readonly clearedBreaks: number;
  readonly openBreaks: number;
  readonly reconciled: boolean;
  /** False when the day was reconciled and this run found the same again: nothing was recorded (runId is the reconciling run's). */
  readonly recorded: boolean;
}

/**
 * One matching run of a business day: the host side from the host-ledger projection, the
 * acquirer side from every imported file clearing the day (and lines of other days' files
 * for this day's transactions), matched; new breaks recorded, breaks no longer found closed
 * as CLEARED_ON_RERUN, the run recorded, and DayReconciled when nothing is open. All of it
 * commits in one transaction. A reconciled day whose run finds the same again records
 * nothing: it stays reconciled once, until a run finds something new for it.
 */
export const reconcileDay = async (store: ServiceStore, businessDay: string, tolerances: MatchingTolerances, ctx: RunContext): Promise<ReconcileDayResult> => {
  const reader = committedDocuments(store);
  const hostCollection = await activeCollection(store, HOST_LEDGER);
  if (!(await reader.get(hostCollection, HOST_KEYS.day(businessDay))))
    throw ReconciliationErrors.DAY_UNKNOWN(`the ledger has no business day ${businessDay}`);
  const host = await loadHostDay(reader, hostCollection, businessDay);
  const files = await filesOfDay(store, businessDay);

  const presented: PresentedRecord[] = [];
  const summaries: PresentedBatchSummary[] = [];
  for (const f of files) {
    for (const r of await recordsOf(store, f.importId)) presented.push({ ...r, fileId: f.fileId, fileBusinessDay: f.businessDay });
    for (const s of await batchLinesOf(store, f.importId)) summaries.push({ ...s, fileId: f.fileId, fileBusinessDay: f.businessDay });
  }
  // This day's transactions presented in other days' files (late, or early).
  const txnId = (x: { terminalId: string; rrn: string }) => `${x.terminalId}|${x.rrn}`;
  const seen = new Set(presented.map(txnId));
  const everyFile = await allFiles(store);
  for (const t of host.transactions) {
    if (seen.has(txnId(t))) continue;
    for (const { file, record } of await presentedElsewhere(store, everyFile, t.terminalId, t.rrn, businessDay)) presented.push({ ...record, fileId: file.fileId, fileBusinessDay: file.businessDay });
  }
  // Lines this day's host does not know: are they another day's transactions?
  const hostRrns = new Set(host.transactions.map(txnId));
  const others = new Map<string, HostTransaction>();
  for (const p of presented)
    if (!hostRrns.has(txnId(p)) && !others.has(txnId(p))) {
      const t = await hostTransactionByRrn(reader, hostCollection, p.terminalId, p.rrn);
      if (t && t.businessDay !== businessDay) others.set(txnId(p), t);
    }

  const result = matchDay({ businessDay, host, hostByRrn: (terminalId, rrn) => others.get(`${terminalId}|${rrn}`), presented, summaries, tolerances });
  const runId = randomUUID();

  return store.transaction(async (tx) => {
    const { run: previous, last } = await lastRun(tx, businessDay);
    const found: Array<DetectedBreak & { breakId: string; isNew: boolean }> = [];
    // Counted as found: a break this run recorded is open; one found again is as its stream says.
    let open = 0;
    for (const b of result.breaks) {
      const breakId = breakIdOf(b.key);
      const { state, version } = await breakState(tx, breakId);
      if (version === 0) await tx.events.append(breakStreamId(breakId), 0, [newEvent('ReconciliationBreakDetected', { ...b, breakId }, ctx, runId)]);
      const owner = state?.businessDay ?? b.businessDay;
      if (owner === businessDay && state?.status !== 'RESOLVED') open++;
      found.push({ ...b, breakId, isNew: version === 0 });
    }
    const run: ReconciliationRunCompleted['data'] = {
      runId, businessDay, fileIds: files.map((f) => f.fileId), hostTransactions: result.hostTransactions, acquirerRecords: result.acquirerRecords, matched: result.matched,
      newBreaks: found.filter((b) => b.isNew).length, openBreaks: open, clearedBreaks: 0, breakIds: found.map((b) => b.breakId), tolerances,
    };
    const outcome = { businessDay, files, hostTransactions: result.hostTransactions, acquirerRecords: result.acquirerRecords, matched: result.matched, breaks: found, openBreaks: open };
    // Same findings as the run that reconciled the day: no break is new and none is cleared, so nothing was written above either.
    if (last?.type === 'DayReconciled' && previous && sameFindings(previous, run))
      return { ...outcome, runId: previous.runId, clearedBreaks: 0, reconciled: true, recorded: false };
    // Breaks an earlier run of this day found that this run no longer finds: the acquirer or the host was corrected.
    const now = new Set(found.map((b) => b.breakId));
    let cleared = 0;
    for (const id of previous?.breakIds ?? []) {
      if (now.has(id)) continue;
      const { state, version } = await breakState(tx, id);
      if (!state || state.status === 'RESOLVED') continue;
      const events = decideBreak({ type: 'ResolveBreak', reason: 'CLEARED_ON_RERUN', note: `run ${runId} no longer finds it`, bySystem: true }, state) as ReconciliationBreakResolved[];
      await tx.events.append(breakStreamId(id), version, events.map((e) => newEvent(e.type, e.data, ctx, runId)));
      cleared++;
    }
    await tx.events.append(reconciliationDayStreamId(businessDay), 'ANY', [newEvent('ReconciliationRunCompleted', { ...run, clearedBreaks: cleared }, ctx, runId)]);
    const reconciled = await reconcileIfClean(tx, businessDay, ctx, runId);
    return { ...outcome, runId, clearedBreaks: cleared, reconciled, recorded: true };
  });
};

/** Assigns or resolves a break on behalf of a person; resolving the last open break of a day reconciles it. */
export const changeBreak = async (
  store: ServiceStore,
  breakId: string,
  command: { readonly type: 'AssignBreak'; readonly assignee: string; readonly note?: string } | { readonly type: 'ResolveBreak'; readonly reason: ReconciliationBreakResolved['data']['reason']; readonly note: string },
  ctx: RunContext,
): Promise<BreakState> =>
  store.transaction(async (tx) => {
    const { state, version } = await breakState(tx, breakId);
    const events = decideBreak(command, state);
    const recorded = await tx.events.append(breakStreamId(breakId), version, events.map((e) => newEvent(e.type, e.data, ctx, ctx.correlationId)));
    // The decided events with the metadata the store gave them.
    const next = events.reduce<BreakState | undefined>((s, e, i) => evolveBreak(s, { ...e, metadata: recorded[i].metadata }), state)!;
    if (command.type === 'ResolveBreak') await reconcileIfClean(tx, next.businessDay, ctx, recorded[0].metadata.eventId);
    return next;
  });
