import type { BatchDifference, BatchTotals, PaymentMethod, TransactionKind } from '@pos/contracts';
import { type Actor, type JsonValue, toJsonSafe } from '@pos/kernel';
import type { CurrencyCode } from '@pos/money';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../audit-trail/audit-trail.projection';
import { type AuditExportLine, auditExportLines, auditExportSummary, decodeAuditEntry, type RunningTotals, totalsIn } from './audit-export';

const DAY = '2025-03-14';
const M1 = 'M00000000000001';
const M2 = 'M00000000000002';
const OPERATOR: Actor = { type: 'operator', id: '01' };
const SETTLEMENT: Actor = { type: 'system', id: 'settlement' };

/** Trail entries as the audit trail stores them: JSON-safe data (amounts as decimal strings), one second apart. */
let tick = 0;
const versions = new Map<string, number>();
beforeEach(() => {
  tick = 0;
  versions.clear();
});

const entryOf = (type: string, data: Record<string, unknown>, actor: Actor, streamId: string): AuditEntry => {
  const version = (versions.get(streamId) ?? 0) + 1;
  versions.set(streamId, version);
  tick += 1;
  return {
    terminalId: String(data.terminalId),
    businessDay: DAY,
    eventId: `${streamId}#${version}`,
    type,
    occurredAt: new Date(Date.UTC(2025, 2, 14, 8, 0, tick)).toISOString(),
    actor,
    streamId,
    version,
    correlationId: `corr-${tick}`,
    causationId: `cause-${tick}`,
    schemaVersion: 1,
    hash: `${streamId}@${version}`,
    prevHash: `${streamId}@${version - 1}`,
    data: toJsonSafe(data),
  };
};

const field = (e: AuditEntry, name: string): string => String((e.data as Record<string, JsonValue>)[name]);

/** One terminal's day, event by event: each call returns the entry the trail would hold. */
const terminalDay = (terminalId: string, merchantId: string, currency: CurrencyCode, batchNo = '000001') => {
  let stan = 0;
  const stream = `terminal-${terminalId}`;
  const scoped = { terminalId, merchantId, businessDay: DAY, batchNo };
  const answered = () => {
    stan += 1;
    const s = String(stan).padStart(6, '0');
    return { stan: s, fingerprint: `request-${terminalId}-${s}` };
  };
  const txn = (kind: TransactionKind, amount: bigint, o: { method?: PaymentMethod; originalRrn?: string; capture?: 'ONLINE' | 'BATCH_UPLOAD' } = {}) => {
    const a = answered();
    const rrn = `5${terminalId.slice(-3)}${a.stan}00`;
    return entryOf(
      'TransactionCompleted',
      {
        ...scoped, ...a, transactionId: `${terminalId}-${rrn}`, kind, method: o.method ?? 'BANK_CARD', amount, currency, rrn,
        authCode: '0A1B2C', operatorId: '01', originalRrn: o.originalRrn, capture: o.capture ?? 'ONLINE',
      },
      OPERATOR,
      stream,
    );
  };
  return {
    signOn: () => entryOf('TerminalSignedOn', { ...scoped, ...answered(), operatorId: '01' }, OPERATOR, stream),
    sale: (amount: bigint, o: { method?: PaymentMethod; capture?: 'ONLINE' | 'BATCH_UPLOAD' } = {}) => txn('SALE', amount, o),
    void: (sale: AuditEntry) => txn('VOID', BigInt(field(sale, 'amount')), { originalRrn: field(sale, 'rrn'), method: field(sale, 'method') as PaymentMethod }),
    refund: (originalRrn: string, amount: bigint) => txn('REFUND', amount, { originalRrn }),
    reverse: (t: AuditEntry) =>
      entryOf(
        'TransactionReversed',
        {
          ...scoped, ...answered(), transactionId: field(t, 'transactionId'), rrn: field(t, 'rrn'), kind: field(t, 'kind'), method: field(t, 'method'),
          amount: BigInt(field(t, 'amount')), currency, originalStan: field(t, 'stan'), reason: '98',
        },
        { type: 'terminal', id: terminalId },
        stream,
      ),
    close: (terminalTotals: BatchTotals[], hostTotals: BatchTotals[], differences: BatchDifference[] = []) =>
      entryOf(
        'BatchClosed',
        {
          ...scoped, ...answered(), result: differences.length ? 'UNBALANCED' : 'BALANCED', terminalTotals, hostTotals, differences,
          transactionCount: hostTotals.reduce((n, t) => n + t.debitCount + t.creditCount, 0), nextBatchNo: '000002', nextBusinessDay: '2025-03-15',
        },
        OPERATOR,
        stream,
      ),
    payout: (amount: bigint) =>
      entryOf(
        'PayoutScheduled',
        { payoutId: `S-${terminalId}-${currency}`, settlementId: `S-${terminalId}`, terminalId, merchantId, batchNo, businessDay: DAY, currency, amount, payoutDate: '2025-03-17' },
        SETTLEMENT,
        `settlement-${terminalId}-${DAY}-${batchNo}`,
      ),
  };
};

const totals = (currency: CurrencyCode, debitCount: number, debitAmount: bigint, creditCount: number, creditAmount: bigint): RunningTotals => ({
  currency, debitCount, debitAmount, creditCount, creditAmount, net: debitAmount - creditAmount,
});

describe('audit export lines', () => {
  it('given a sign-on and a sale, when exported, then each line names the event, its actor and stream, and only the sale moves money', () => {
    const t = terminalDay('T0000001', M1, 'CNY');
    const lines = auditExportLines([t.signOn(), t.sale(123_45n, { method: 'QR' })]);

    expect(lines[0]).toEqual({
      seq: 1, eventId: 'terminal-T0000001#1', occurredAt: '2025-03-14T08:00:01.000Z', type: 'TerminalSignedOn', actor: 'operator:01',
      terminalId: 'T0000001', merchantId: M1, businessDay: DAY, streamId: 'terminal-T0000001', version: 1,
      hash: 'terminal-T0000001@1', prevHash: 'terminal-T0000001@0', batchNo: '000001', stan: '000001', before: [], after: [],
    });
    expect(lines[1]).toMatchObject({
      seq: 2, type: 'TransactionCompleted', stan: '000002', rrn: '500100000200', kind: 'SALE', method: 'QR', amount: '12345', currency: 'CNY',
      movement: { currency: 'CNY', side: 'DEBIT', count: 1, amount: 123_45n },
      before: [],
      after: [totals('CNY', 1, 123_45n, 0, 0n)],
    });
  });

  it('given a terminal day with sales, a void, refunds, reversals and a BATCH_UPLOAD-booked sale, then the running totals count debits and credits and take reversals back', () => {
    const t = terminalDay('T0000001', M1, 'CNY');
    const saleA = t.sale(100_00n);
    const saleB = t.sale(250_50n, { method: 'QR' });
    const saleC = t.sale(88_88n);
    const refundKept = t.refund('500199999900', 30_00n);
    const refundReversed = t.refund('500199999900', 10_00n);
    const entries = [
      t.signOn(), saleA, saleB, t.void(saleB), saleC, t.reverse(saleC), refundKept, refundReversed, t.reverse(refundReversed),
      t.sale(45_00n, { capture: 'BATCH_UPLOAD' }),
    ];

    const lines = auditExportLines(entries);

    // debits: 100.00 + 250.50 + 45.00 (88.88 reversed); credits: void 250.50 + refund 30.00 (10.00 reversed)
    expect(lines.at(-1)!.after).toEqual([totals('CNY', 3, 395_50n, 2, 280_50n)]);
    expect(lines.at(-1)!.after[0].net).toBe(115_00n);
    expect(lines.map((l) => l.movement?.side ?? '-')).toEqual(['-', 'DEBIT', 'DEBIT', 'CREDIT', 'DEBIT', 'DEBIT', 'CREDIT', 'CREDIT', 'CREDIT', 'DEBIT']);
    for (let i = 1; i < lines.length; i++) expect(lines[i].before).toEqual(lines[i - 1].after);
  });

  it('given a refund, when it is reversed, then one credit and its amount leave the totals and net rises by the refund', () => {
    const t = terminalDay('T0000001', M1, 'CNY');
    const refund = t.refund('500199999900', 10_00n);
    const [, , reversal] = auditExportLines([t.sale(50_00n), refund, t.reverse(refund)]);

    expect(reversal).toMatchObject({ type: 'TransactionReversed', kind: 'REFUND', rrn: field(refund, 'rrn'), amount: '1000' });
    expect(reversal.movement).toEqual({ currency: 'CNY', side: 'CREDIT', count: -1, amount: -10_00n });
    expect(reversal.before).toEqual([totals('CNY', 1, 50_00n, 1, 10_00n)]);
    expect(reversal.after).toEqual([totals('CNY', 1, 50_00n, 0, 0n)]);
    expect(reversal.after[0].net - reversal.before[0].net).toBe(10_00n);
  });

  it('given a BatchClosed and a payout, then neither moves the totals and the close does not reset them', () => {
    const t = terminalDay('T0000001', M1, 'CNY');
    const day = [t.sale(200_00n), t.close([totals('CNY', 1, 200_00n, 0, 0n)], [totals('CNY', 1, 200_00n, 0, 0n)]), t.payout(198_80n), t.sale(1_00n)];

    const [, closed, payout, later] = auditExportLines(day);

    expect(closed.movement).toBeUndefined();
    expect(closed.after).toEqual(closed.before);
    expect(payout).toMatchObject({ type: 'PayoutScheduled', actor: 'system:settlement', amount: '19880', currency: 'CNY', batchNo: '000001' });
    expect(payout.movement).toBeUndefined();
    expect(payout.after).toEqual([totals('CNY', 1, 200_00n, 0, 0n)]);
    expect(later.after).toEqual([totals('CNY', 2, 201_00n, 0, 0n)]);
  });

  it('given a merchant-day export merged from two terminals and two currencies, then totals accumulate per currency, never across', () => {
    const cny = terminalDay('T0000001', M1, 'CNY');
    const hkd = terminalDay('T0000002', M1, 'HKD', '000007');
    const merged = [cny.sale(100_00n), hkd.sale(500_00n), cny.close([], []), hkd.refund('500299999900', 20_00n), cny.sale(1_00n)];

    const lines = auditExportLines(merged);

    expect(lines.map((l) => l.terminalId)).toEqual(['T0000001', 'T0000002', 'T0000001', 'T0000002', 'T0000001']);
    expect(lines[1].before).toEqual([totals('CNY', 1, 100_00n, 0, 0n)]);
    expect(lines[3].after).toEqual([totals('CNY', 1, 100_00n, 0, 0n), totals('HKD', 1, 500_00n, 1, 20_00n)]);
    expect(totalsIn(lines[4].after, 'CNY')).toEqual(totals('CNY', 2, 101_00n, 0, 0n));
    expect(totalsIn(lines[4].after, 'HKD').net).toBe(480_00n);
    expect(totalsIn(lines[0].after, 'HKD')).toEqual(totals('HKD', 0, 0n, 0, 0n));
  });

  it('given an amount that is not a decimal string of minor units, then the export is refused naming the entry', () => {
    const t = terminalDay('T0000001', M1, 'CNY');
    const sale = t.sale(1_00n);
    const malformed = (amount: JsonValue): AuditEntry => ({ ...sale, data: { ...(sale.data as Record<string, JsonValue>), amount } });

    expect(() => auditExportLines([malformed('12.50')])).toThrow(/terminal-T0000001#1 \(TransactionCompleted.*amount/);
    expect(() => auditExportLines([malformed('1e3')])).toThrow(expect.objectContaining({ code: 'AUDIT_ENTRY_INVALID' }));
    expect(() => auditExportLines([malformed(100)])).toThrow(/amount/);
    const unknown: AuditEntry = { ...sale, type: 'ReconciliationBreakDetected', data: { terminalId: 'T0000001', amount: '0012' } };
    expect(() => auditExportLines([unknown])).toThrow(/amount "0012" is not a decimal string of minor units/);
  });

  it('given an event type the contracts do not know, then it is listed as it is and moves nothing', () => {
    const other: AuditEntry = { ...terminalDay('T0000001', M1, 'CNY').signOn(), type: 'ReconciliationBreakDetected', data: { terminalId: 'T0000001', amount: '-500', currency: 'CNY' } };
    const [line] = auditExportLines([other]);
    expect(decodeAuditEntry(other)).toBeUndefined();
    expect(line).toMatchObject({ type: 'ReconciliationBreakDetected', amount: '-500', currency: 'CNY', before: [], after: [] });
    expect(line.movement).toBeUndefined();
  });

  it('leaves out the columns an event does not have, so the JSON export has no empty members', () => {
    const [line] = auditExportLines([terminalDay('T0000001', M1, 'CNY').signOn()]);
    expect(Object.keys(line)).not.toContain('rrn');
    expect(Object.keys(line)).not.toContain('amount');
    expect(Object.keys(line)).not.toContain('movement');
  });
});

describe('audit export summary', () => {
  it('given a two-terminal export, then it counts the events, names the terminals and gives the final totals per currency', () => {
    const a = terminalDay('T0000002', M2, 'HKD');
    const b = terminalDay('T0000001', M2, 'CNY');
    const lines: AuditExportLine[] = auditExportLines([a.signOn(), a.sale(10_00n), b.sale(20_00n), b.refund('500199999900', 5_00n)]);

    expect(auditExportSummary(lines)).toEqual({
      eventCount: 4,
      firstOccurredAt: '2025-03-14T08:00:01.000Z',
      lastOccurredAt: '2025-03-14T08:00:04.000Z',
      terminalIds: ['T0000001', 'T0000002'],
      totals: [totals('CNY', 1, 20_00n, 1, 5_00n), totals('HKD', 1, 10_00n, 0, 0n)],
    });
  });

  it('given no entries, then the summary is empty', () => {
    expect(auditExportSummary(auditExportLines([]))).toEqual({ eventCount: 0, terminalIds: [], totals: [] });
  });
});

describe('entries of a versioned event', () => {
  const failed = { terminalId: 'T0000001', merchantId: M1, businessDay: DAY, operatorId: '01', during: 'SIGN_ON', consecutiveFailures: 3, lockedOut: true };

  it('given an entry projected before OperatorAuthenticationFailed v2 and one projected after, then both decode as v2', () => {
    // Projected by a release before v2: its data is v1 and says so.
    const before = entryOf('OperatorAuthenticationFailed', failed, OPERATOR, 'terminal-T0000001');
    // Projected now (an old event upcast on read, or a new one): v2 data, version 2.
    const after: AuditEntry = { ...entryOf('OperatorAuthenticationFailed', { ...failed, maxFailures: 5 }, OPERATOR, 'terminal-T0000001'), schemaVersion: 2 };
    expect(decodeAuditEntry(before)).toEqual({ type: 'OperatorAuthenticationFailed', data: { ...failed, maxFailures: 3 } });
    expect(decodeAuditEntry(after)).toEqual({ type: 'OperatorAuthenticationFailed', data: { ...failed, maxFailures: 5 } });
    expect(() => decodeAuditEntry({ ...before, schemaVersion: 2 })).toThrow(expect.objectContaining({ code: 'AUDIT_ENTRY_INVALID', message: expect.stringContaining('maxFailures') }));
  });
});
