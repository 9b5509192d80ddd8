import type { ReconciliationBreakType } from '@pos/contracts';
import type { Actor, RecordedEvent } from '@pos/kernel';
import { describe, expect, it } from 'vitest';
import { ageOf, type BreakEvent, type BreakState, decideBreak, evolveBreak, reconciliationReport } from './break';

let position = 0;
const recorded = (event: BreakEvent, at: string, actor: Actor = { type: 'system', id: 'matcher' }): RecordedEvent<BreakEvent> => ({
  ...event,
  metadata: { eventId: `e${++position}`, streamId: 'break-x', version: position, occurredAt: at, correlationId: 'c', causationId: 'c', actor, schemaVersion: 1, position: String(position), prevHash: '', hash: '' },
});

const scope = { breakId: 'aaaaaaaaaaaaaaaaaaaaaaaa', businessDay: '2026-11-24', merchantId: 'M00000000000001', terminalId: 'T0000001' };
const detected = (o: Partial<typeof scope> & { type?: ReconciliationBreakType; at?: string } = {}) =>
  recorded({ type: 'ReconciliationBreakDetected', data: { ...scope, ...o, key: `MISSING_AT_ACQUIRER|T0000001|${o.breakId ?? 'x'}`, type: o.type ?? 'MISSING_AT_ACQUIRER', detail: 'not presented', refs: [] } }, o.at ?? '2026-11-25T02:00:00.000Z');

const given = (...events: RecordedEvent<BreakEvent>[]): BreakState | undefined => events.reduce<BreakState | undefined>(evolveBreak, undefined);

describe('a break through its lifecycle', () => {
  it('given a detected break, when it is assigned and then resolved, then it records who did what and when', () => {
    let state = given(detected());
    expect(state).toMatchObject({ status: 'OPEN', type: 'MISSING_AT_ACQUIRER', detectedAt: '2026-11-25T02:00:00.000Z' });
    const [assigned] = decideBreak({ type: 'AssignBreak', assignee: ' ops-anna ', note: 'call the acquirer' }, state);
    expect(assigned.data).toEqual({ ...scope, assignee: 'ops-anna', note: 'call the acquirer' });
    state = evolveBreak(state, recorded(assigned, '2026-11-25T09:00:00.000Z', { type: 'admin', id: 'lead' }));
    const [resolved] = decideBreak({ type: 'ResolveBreak', reason: 'ACQUIRER_CORRECTED', note: 'line re-sent' }, state);
    state = evolveBreak(state, recorded(resolved, '2026-11-26T10:00:00.000Z', { type: 'admin', id: 'ops-anna' }));
    expect(state).toMatchObject({ status: 'RESOLVED', assignee: 'ops-anna', resolution: 'ACQUIRER_CORRECTED', resolutionNote: 'line re-sent', resolvedBy: { type: 'admin', id: 'ops-anna' } });
    expect(state?.history.map((h) => [h.type, h.actor.id])).toEqual([
      ['ReconciliationBreakDetected', 'matcher'], ['ReconciliationBreakAssigned', 'lead'], ['ReconciliationBreakResolved', 'ops-anna'],
    ]);
    expect(ageOf(state!, new Date('2027-01-01T00:00:00Z'))).toEqual({ hours: 32, bucket: 'DAYS_1_TO_3' });
  });

  it('refuses what the lifecycle does not allow, with stable codes', () => {
    const open = given(detected())!;
    expect(() => decideBreak({ type: 'AssignBreak', assignee: 'x' }, undefined)).toThrow(expect.objectContaining({ code: 'BREAK_UNKNOWN', kind: 'not_found' }));
    expect(() => decideBreak({ type: 'AssignBreak', assignee: '  ' }, open)).toThrow(expect.objectContaining({ code: 'BREAK_ASSIGNEE_INVALID' }));
    expect(() => decideBreak({ type: 'ResolveBreak', reason: 'CLEARED_ON_RERUN', note: 'x' }, open)).toThrow(expect.objectContaining({ code: 'BREAK_RESOLUTION_INVALID' }));
    expect(() => decideBreak({ type: 'ResolveBreak', reason: 'WRITTEN_OFF', note: ' ' }, open)).toThrow(expect.objectContaining({ code: 'BREAK_NOTE_REQUIRED' }));
    expect(decideBreak({ type: 'ResolveBreak', reason: 'CLEARED_ON_RERUN', note: 'run r no longer finds it', bySystem: true }, open)[0].data).toMatchObject({ reason: 'CLEARED_ON_RERUN' });
    const [r] = decideBreak({ type: 'ResolveBreak', reason: 'WRITTEN_OFF', note: 'small' }, open);
    const resolved = evolveBreak(open, recorded(r, '2026-11-25T03:00:00.000Z'))!;
    expect(() => decideBreak({ type: 'ResolveBreak', reason: 'WRITTEN_OFF', note: 'again' }, resolved)).toThrow(expect.objectContaining({ code: 'BREAK_ALREADY_RESOLVED', kind: 'conflict' }));
    expect(() => decideBreak({ type: 'AssignBreak', assignee: 'x' }, resolved)).toThrow(expect.objectContaining({ code: 'BREAK_ALREADY_RESOLVED' }));
    const assigned = evolveBreak(open, recorded({ type: 'ReconciliationBreakAssigned', data: { ...scope, assignee: 'bo' } }, '2026-11-25T03:00:00.000Z'))!;
    expect(() => decideBreak({ type: 'AssignBreak', assignee: 'bo' }, assigned)).toThrow(expect.objectContaining({ code: 'BREAK_ALREADY_ASSIGNED' }));
  });

  it("judges a command's values before the break, empty and blank alike", () => {
    const open = given(detected())!;
    for (const state of [open, undefined]) {
      expect(() => decideBreak({ type: 'ResolveBreak', reason: 'CLEARED_ON_RERUN', note: 'x' }, state)).toThrow(expect.objectContaining({ code: 'BREAK_RESOLUTION_INVALID', kind: 'validation' }));
      for (const note of ['', ' \n ', 'x'.repeat(2001)])
        expect(() => decideBreak({ type: 'ResolveBreak', reason: 'WRITTEN_OFF', note }, state)).toThrow(expect.objectContaining({ code: 'BREAK_NOTE_REQUIRED' }));
      for (const assignee of ['', '\t', 'a'.repeat(129)])
        expect(() => decideBreak({ type: 'AssignBreak', assignee }, state)).toThrow(expect.objectContaining({ code: 'BREAK_ASSIGNEE_INVALID' }));
    }
    expect(decideBreak({ type: 'ResolveBreak', reason: 'OTHER', note: 'x'.repeat(2000) }, open)[0].data).toMatchObject({ reason: 'OTHER' });
  });

  it('ages open breaks into buckets at their edges', () => {
    const b = given(detected({ at: '2026-11-24T00:00:00.000Z' }))!;
    const at = (hours: number) => new Date(Date.parse('2026-11-24T00:00:00.000Z') + hours * 3_600_000);
    expect([23, 24, 71, 72, 167, 168].map((h) => ageOf(b, at(h)).bucket)).toEqual(['UNDER_1_DAY', 'DAYS_1_TO_3', 'DAYS_1_TO_3', 'DAYS_3_TO_7', 'DAYS_3_TO_7', 'OVER_7_DAYS']);
  });
});

describe("a day's reconciliation report", () => {
  const m2 = 'M00000000000002';
  const breaks = [
    given(detected({ breakId: 'b1' }))!,
    given(detected({ breakId: 'b2', merchantId: m2, type: 'FEE_MISMATCH' }))!,
    evolveBreak(given(detected({ breakId: 'b3', type: 'FEE_MISMATCH' })), recorded({ type: 'ReconciliationBreakResolved', data: { ...scope, breakId: 'b3', reason: 'WRITTEN_OFF', note: 'n' } }, '2026-11-25T05:00:00.000Z'))!,
    given(detected({ breakId: 'b4', businessDay: '2026-11-23' }))!,
  ];
  const matched = [
    { merchantId: scope.merchantId, currency: 'CNY' as const, count: 10, amount: 123_45n },
    { merchantId: m2, currency: 'USD' as const, count: 2, amount: 5_00n },
  ];
  const now = new Date('2026-11-29T02:00:00.000Z');

  it('given open and resolved breaks of two merchants, then it counts them by type, ages the open ones and keeps currencies apart', () => {
    const r = reconciliationReport({ businessDay: '2026-11-24' }, { breaks, matched, fileIds: ['f'], lastRunAt: '2026-11-25T02:00:00.000Z' }, now);
    expect(r).toMatchObject({ clean: false, breaks: { open: 2, resolved: 1, byType: { MISSING_AT_ACQUIRER: { open: 1, resolved: 0 }, FEE_MISMATCH: { open: 1, resolved: 1 } } } });
    expect(r.ageing).toEqual({ UNDER_1_DAY: 0, DAYS_1_TO_3: 0, DAYS_3_TO_7: 2, OVER_7_DAYS: 0 });
    expect(r.merchants.map((m) => [m.merchantId, m.breaks.open, m.matched.map((x) => `${x.count} ${x.currency} ${x.amount}`)])).toEqual([
      [scope.merchantId, 1, ['10 CNY 12345']], [m2, 1, ['2 USD 500']],
    ]);
    expect(r.openBreaks.map((b) => b.breakId).sort()).toEqual(['b1', 'b2']);
  });

  it('for one merchant, only its breaks and totals; clean only after a run with nothing open', () => {
    const one = reconciliationReport({ businessDay: '2026-11-24', merchantId: m2 }, { breaks, matched, fileIds: [], lastRunAt: 'x' }, now);
    expect(one.merchants.map((m) => m.merchantId)).toEqual([m2]);
    expect(one.breaks.open).toBe(1);
    expect(reconciliationReport({ businessDay: '2026-11-22' }, { breaks, matched: [], fileIds: [] }, now).clean).toBe(false);
    expect(reconciliationReport({ businessDay: '2026-11-22' }, { breaks, matched: [], fileIds: [], lastRunAt: 'x' }, now).clean).toBe(true);
  });
});
