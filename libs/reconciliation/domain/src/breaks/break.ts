import type { BreakResolution, MatchedTotal, ReconciliationBreakAssigned, ReconciliationBreakDetected, ReconciliationBreakResolved } from '@pos/contracts';
import { type Actor, actorFields, type RecordedEvent } from '@pos/kernel';
import { ReconciliationErrors } from '../reconciliation.errors';

export const BREAK_STATUSES = ['OPEN', 'ASSIGNED', 'RESOLVED'] as const;
export type BreakStatus = (typeof BREAK_STATUSES)[number];

/** A break's life: detected, possibly assigned (and reassigned), resolved with a reason by someone. */
export type BreakState = ReconciliationBreakDetected['data'] & {
  readonly status: BreakStatus;
  readonly detectedAt: string;
  readonly assignee?: string;
  readonly assignedAt?: string;
  readonly resolvedAt?: string;
  readonly resolution?: BreakResolution;
  readonly resolutionNote?: string;
  readonly resolvedBy?: Actor;
  /** Every step, in order: who did what when. */
  readonly history: ReadonlyArray<{ readonly at: string; readonly type: string; readonly actor: Actor; readonly note?: string }>;
};

export type BreakEvent = ReconciliationBreakDetected | ReconciliationBreakAssigned | ReconciliationBreakResolved;

const step = (e: RecordedEvent, note?: string) => ({ at: e.metadata.occurredAt, type: e.type, actor: actorFields(e.metadata.actor), ...(note ? { note } : {}) });

/** Folds a break's stream. */
export const evolveBreak = (state: BreakState | undefined, e: RecordedEvent<BreakEvent>): BreakState | undefined => {
  switch (e.type) {
    case 'ReconciliationBreakDetected': {
      const { breakId, key, type, businessDay, merchantId, terminalId, detail, refs, ...rest } = e.data;
      return { breakId, key, type, businessDay, merchantId, terminalId, detail, refs, ...rest, status: 'OPEN', detectedAt: e.metadata.occurredAt, history: [step(e, detail)] };
    }
    case 'ReconciliationBreakAssigned':
      return state && { ...state, status: 'ASSIGNED', assignee: e.data.assignee, assignedAt: e.metadata.occurredAt, history: [...state.history, step(e, e.data.note ?? `assigned to ${e.data.assignee}`)] };
    case 'ReconciliationBreakResolved':
      return state && {
        ...state, status: 'RESOLVED', resolvedAt: e.metadata.occurredAt, resolution: e.data.reason, resolutionNote: e.data.note,
        resolvedBy: actorFields(e.metadata.actor), history: [...state.history, step(e, `${e.data.reason}: ${e.data.note}`)],
      };
  }
};

export type BreakCommand =
  | { readonly type: 'AssignBreak'; readonly assignee: string; readonly note?: string }
  | { readonly type: 'ResolveBreak'; readonly reason: BreakResolution; readonly note: string; readonly bySystem?: boolean };

/** Reasons a person may give; CLEARED_ON_RERUN is the matcher's own. */
export const MANUAL_RESOLUTIONS: readonly BreakResolution[] = ['ACQUIRER_CORRECTED', 'HOST_CORRECTED', 'TIMING_DIFFERENCE', 'WRITTEN_OFF', 'OTHER'];

/** Longest assignee and note, as given (the API's schema says the same). */
export const BREAK_ASSIGNEE_MAX = 128;
export const BREAK_NOTE_MAX = 2000;

/**
 * A command's own values, judged before any break is looked at (bad input is refused as
 * such, whatever the break): a reason people may give, a note and an assignee that are not
 * blank ("" as "  ") nor too long.
 */
export const checkBreakCommand = (command: BreakCommand): void => {
  if (command.type === 'AssignBreak') {
    if (!command.assignee.trim() || command.assignee.length > BREAK_ASSIGNEE_MAX)
      throw ReconciliationErrors.BREAK_ASSIGNEE_INVALID(`an assignee of 1 to ${BREAK_ASSIGNEE_MAX} characters, not all blank, is required`);
    return;
  }
  if (!command.bySystem && !MANUAL_RESOLUTIONS.includes(command.reason))
    throw ReconciliationErrors.BREAK_RESOLUTION_INVALID(`reason must be one of ${MANUAL_RESOLUTIONS.join(', ')}`);
  if (!command.note.trim() || command.note.length > BREAK_NOTE_MAX)
    throw ReconciliationErrors.BREAK_NOTE_REQUIRED(`a resolution needs a note of 1 to ${BREAK_NOTE_MAX} characters, not all blank, saying what was done`);
};

export const decideBreak = (command: BreakCommand, state: BreakState | undefined): Array<ReconciliationBreakAssigned | ReconciliationBreakResolved> => {
  checkBreakCommand(command);
  if (!state) throw ReconciliationErrors.BREAK_UNKNOWN('no such break');
  if (state.status === 'RESOLVED') throw ReconciliationErrors.BREAK_ALREADY_RESOLVED(`break ${state.breakId} was resolved (${state.resolution}) at ${state.resolvedAt}`);
  const scope = { breakId: state.breakId, businessDay: state.businessDay, merchantId: state.merchantId, terminalId: state.terminalId };
  if (command.type === 'AssignBreak') {
    const assignee = command.assignee.trim();
    if (state.assignee === assignee) throw ReconciliationErrors.BREAK_ALREADY_ASSIGNED(`break ${state.breakId} is already assigned to ${assignee}`);
    return [{ type: 'ReconciliationBreakAssigned', data: { ...scope, assignee, ...(command.note?.trim() ? { note: command.note.trim() } : {}) } }];
  }
  return [{ type: 'ReconciliationBreakResolved', data: { ...scope, reason: command.reason, note: command.note.trim() } }];
};

export type AgeBucket = 'UNDER_1_DAY' | 'DAYS_1_TO_3' | 'DAYS_3_TO_7' | 'OVER_7_DAYS';
export const AGE_BUCKETS: readonly AgeBucket[] = ['UNDER_1_DAY', 'DAYS_1_TO_3', 'DAYS_3_TO_7', 'OVER_7_DAYS'];

/** How long a break has been open (or was, until resolved), in whole hours, and its ageing bucket. */
export const ageOf = (b: BreakState, now: Date): { hours: number; bucket: AgeBucket } => {
  const end = b.resolvedAt ? Date.parse(b.resolvedAt) : now.getTime();
  const hours = Math.max(0, Math.floor((end - Date.parse(b.detectedAt)) / 3_600_000));
  const bucket: AgeBucket = hours < 24 ? 'UNDER_1_DAY' : hours < 72 ? 'DAYS_1_TO_3' : hours < 168 ? 'DAYS_3_TO_7' : 'OVER_7_DAYS';
  return { hours, bucket };
};

export interface ReconciliationReportScope {
  readonly businessDay: string;
  readonly merchantId?: string;
}

interface Section {
  readonly matched: readonly MatchedTotal[];
  readonly breaks: { readonly open: number; readonly resolved: number; readonly byType: Readonly<Record<string, { open: number; resolved: number }>> };
  readonly ageing: Readonly<Record<AgeBucket, number>>;
}

export interface ReconciliationReport extends Section {
  readonly businessDay: string;
  readonly merchantId?: string;
  /** A matching run has happened for the day. */
  readonly reconciledAt?: string;
  readonly lastRunAt?: string;
  readonly fileIds: readonly string[];
  /** No break open after at least one run. */
  readonly clean: boolean;
  readonly merchants: ReadonlyArray<Section & { readonly merchantId: string }>;
  readonly openBreaks: readonly BreakState[];
}

const section = (breaks: readonly BreakState[], matched: readonly MatchedTotal[], now: Date): Section => {
  const byType: Record<string, { open: number; resolved: number }> = {};
  const ageing = Object.fromEntries(AGE_BUCKETS.map((b) => [b, 0])) as Record<AgeBucket, number>;
  for (const b of breaks) {
    const t = (byType[b.type] ??= { open: 0, resolved: 0 });
    if (b.status === 'RESOLVED') t.resolved++;
    else {
      t.open++;
      ageing[ageOf(b, now).bucket]++;
    }
  }
  const open = breaks.filter((b) => b.status !== 'RESOLVED').length;
  return { matched, breaks: { open, resolved: breaks.length - open, byType }, ageing };
};

/** A day's reconciliation: matched counts and amounts, breaks by type (open and resolved), ageing of what is open; per merchant and overall. */
export const reconciliationReport = (
  scope: ReconciliationReportScope,
  input: { readonly breaks: readonly BreakState[]; readonly matched: readonly MatchedTotal[]; readonly fileIds: readonly string[]; readonly lastRunAt?: string; readonly reconciledAt?: string },
  now: Date,
): ReconciliationReport => {
  const breaks = input.breaks.filter((b) => b.businessDay === scope.businessDay && (!scope.merchantId || b.merchantId === scope.merchantId));
  const matched = input.matched.filter((m) => !scope.merchantId || m.merchantId === scope.merchantId);
  const merchantIds = [...new Set([...breaks.map((b) => b.merchantId), ...matched.map((m) => m.merchantId)])].sort();
  const overall = section(breaks, matched, now);
  return {
    businessDay: scope.businessDay,
    ...(scope.merchantId ? { merchantId: scope.merchantId } : {}),
    ...(input.lastRunAt ? { lastRunAt: input.lastRunAt } : {}),
    ...(input.reconciledAt ? { reconciledAt: input.reconciledAt } : {}),
    fileIds: input.fileIds,
    clean: input.lastRunAt !== undefined && overall.breaks.open === 0,
    ...overall,
    merchants: merchantIds.map((merchantId) => ({ merchantId, ...section(breaks.filter((b) => b.merchantId === merchantId), matched.filter((m) => m.merchantId === merchantId), now) })),
    openBreaks: breaks.filter((b) => b.status !== 'RESOLVED'),
  };
};
