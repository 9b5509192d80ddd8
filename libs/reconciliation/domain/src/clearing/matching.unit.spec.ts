import type { BatchTotals } from '@pos/contracts';
import { type CurrencyCode, feeAtBps } from '@pos/money';
import { describe, expect, it } from 'vitest';
import {
  type ClearingBatchSummary,
  type ClearingRecord,
  DEFAULT_TOLERANCES,
  type HostBatch,
  type HostTransaction,
  type MatchingTolerances,
  type MatchResult,
  type PresentedBatchSummary,
  type PresentedRecord,
} from './clearing.types';
import { summariseBatches } from './clearing-file';
import { type MatchDayInput, matchDay } from './matching';

const DAY = '2025-03-14';
const NEXT = '2025-03-17';

const TERMINALS = {
  T1: { merchantId: 'M1', batchNo: '000001', currency: 'CNY' },
  T2: { merchantId: 'M1', batchNo: '000007', currency: 'HKD' },
  T3: { merchantId: 'M2', batchNo: '000003', currency: 'CNY' },
} as const satisfies Record<string, { merchantId: string; batchNo: string; currency: CurrencyCode }>;
type TerminalId = keyof typeof TERMINALS;

/** 08:mm:ss on DAY. */
const at = (minute: number, second = 0): string => new Date(Date.UTC(2025, 2, 14, 8, minute, second)).toISOString();

// --- host side -------------------------------------------------------------------------------

/** A host transaction; trace number, time and card follow from the RRN so that no two look alike unless a test says so. */
const txn = (rrn: string, terminalId: TerminalId, amount: bigint, o: Partial<HostTransaction> = {}): HostTransaction => {
  const t = TERMINALS[terminalId];
  const kind = o.kind ?? 'SALE';
  return {
    rrn, terminalId, merchantId: t.merchantId, businessDay: DAY, batchNo: t.batchNo, stan: rrn.slice(-6), kind, method: 'BANK_CARD',
    amount, currency: t.currency, occurredAt: at(Number(rrn.slice(-2))), maskedPan: `622848******${rrn.slice(-4)}`, status: 'COMPLETED',
    // 0.60%, refunds keep the fee (the plan's refundReturnsFee = false).
    expectedFee: kind === 'REFUND' ? 0n : feeAtBps(amount, 60, 'HALF_UP'),
    ...o,
  };
};

const zero = (currency: CurrencyCode): BatchTotals => ({ currency, debitCount: 0, debitAmount: 0n, creditCount: 0, creditAmount: 0n });

/** Totals by currency the way a terminal adds them up: sales debits, refunds and voids credits, reversed left out. */
const totalsOf = (txns: readonly HostTransaction[]): BatchTotals[] => {
  const by = new Map<CurrencyCode, BatchTotals>();
  for (const t of txns.filter((h) => h.status === 'COMPLETED')) {
    const s = by.get(t.currency) ?? zero(t.currency);
    by.set(t.currency, t.kind === 'SALE'
      ? { ...s, debitCount: s.debitCount + 1, debitAmount: s.debitAmount + t.amount }
      : { ...s, creditCount: s.creditCount + 1, creditAmount: s.creditAmount + t.amount });
  }
  return [...by.values()];
};

/** Closed, balanced batches of the given transactions (terminal and host agree). */
const batchesOf = (txns: readonly HostTransaction[]): HostBatch[] => {
  const by = new Map<string, HostTransaction[]>();
  for (const h of txns) by.set(`${h.terminalId}|${h.batchNo}`, [...(by.get(`${h.terminalId}|${h.batchNo}`) ?? []), h]);
  return [...by.values()].map((list) => {
    const totals = totalsOf(list);
    const { terminalId, merchantId, businessDay, batchNo } = list[0];
    return { terminalId, merchantId, businessDay, batchNo, result: 'BALANCED', terminalTotals: totals, hostTotals: totals, terminalTotalsAtClose: totals };
  });
};

/**
 * A clean day: M1 with T1 (CNY, two batches, a sale, a refund and a void) and T2 (HKD);
 * M2 with T3 (CNY and USD in one batch, and a sale reversed at the host).
 */
const cleanDay = (): HostTransaction[] => [
  txn('100101', 'T1', 12_345n),
  txn('100102', 'T1', 50_000n),
  txn('100103', 'T1', 8_800n, { kind: 'REFUND', originalRrn: '090001' }),
  txn('100104', 'T1', 50_000n, { kind: 'VOID', originalRrn: '100102' }),
  txn('100105', 'T1', 2_000n, { batchNo: '000002' }),
  txn('200101', 'T2', 30_000n),
  txn('200102', 'T2', 4_500n),
  txn('300101', 'T3', 99_900n),
  txn('300102', 'T3', 1_500n, { currency: 'USD' }),
  txn('300103', 'T3', 7_700n, { status: 'REVERSED' }),
];

// --- acquirer side ---------------------------------------------------------------------------

type Detail = Omit<ClearingRecord, 'line'>;

/** The line an acquirer writes for a host transaction (as the host has it, unless told otherwise). */
const line = (h: HostTransaction, o: Partial<Detail> = {}): Detail => {
  const d = {
    merchantId: h.merchantId, terminalId: h.terminalId, batchNo: h.batchNo, stan: h.stan, rrn: h.rrn, type: h.kind, maskedPan: h.maskedPan ?? '',
    amount: h.amount, currency: h.currency, fee: h.expectedFee, settlementAmount: 0n, transactionTime: h.occurredAt, settlementDate: NEXT, ...o,
  };
  return { ...d, settlementAmount: d.type === 'SALE' ? d.amount - d.fee : -(d.amount - d.fee) };
};

/** Lines for every transaction the host completed. */
const presentAll = (txns: readonly HostTransaction[]): Detail[] => txns.filter((h) => h.status === 'COMPLETED').map((h) => line(h));

/** BATCH lines as an acquirer derives them from its own details (the clearing-file writer's rule). */
const consistentSummaries = (details: readonly Detail[]): Omit<ClearingBatchSummary, 'line'>[] => summariseBatches(details.map((d) => ({ ...d, line: 0 })));

interface AcquirerFile {
  readonly fileBusinessDay: string;
  readonly presented: readonly PresentedRecord[];
  readonly summaries: readonly PresentedBatchSummary[];
}

/** A clearing file: header on line 1, details from line 2, then BATCH lines (by default consistent with the details). */
const acquirerFile = (fileId: string, fileBusinessDay: string, details: readonly Detail[], summaries = consistentSummaries(details)): AcquirerFile => ({
  fileBusinessDay,
  presented: details.map((d, i) => ({ ...d, line: i + 2, fileId, fileBusinessDay })),
  summaries: summaries.map((s, i) => ({ ...s, line: details.length + 2 + i, fileId, fileBusinessDay })),
});

/** What the application hands the matcher for `day`: its files, plus other days' lines for its own RRNs. */
const input = (o: {
  txns: readonly HostTransaction[];
  files: readonly AcquirerFile[];
  day?: string;
  batches?: readonly HostBatch[];
  elsewhere?: readonly HostTransaction[];
  tolerances?: Partial<MatchingTolerances>;
}): MatchDayInput => {
  const day = o.day ?? DAY;
  const own = new Set(o.txns.map((h) => h.rrn));
  return {
    businessDay: day,
    host: { businessDay: day, transactions: o.txns, batches: o.batches ?? batchesOf(o.txns) },
    hostByRrn: (terminalId, rrn) => o.elsewhere?.find((h) => h.terminalId === terminalId && h.rrn === rrn),
    presented: o.files.flatMap((f) => (f.fileBusinessDay === day ? f.presented : f.presented.filter((r) => own.has(r.rrn)))),
    summaries: o.files.filter((f) => f.fileBusinessDay === day).flatMap((f) => f.summaries),
    tolerances: { ...DEFAULT_TOLERANCES, ...o.tolerances },
  };
};

/** The breaks as type, key and refs: enough to see that exactly the expected ones were found. */
const found = (r: MatchResult) => r.breaks.map((b) => ({ type: b.type, key: b.key, refs: b.refs }));
const ref = (f: AcquirerFile, rrn: string, nth = 0) => {
  const r = f.presented.filter((p) => p.rrn === rrn)[nth];
  return { fileId: r.fileId, line: r.line };
};

const without = (txns: readonly HostTransaction[], rrn: string) => txns.filter((h) => h.rrn !== rrn);
const byRrn = (txns: readonly HostTransaction[], rrn: string): HostTransaction => txns.find((h) => h.rrn === rrn)!;
/** The clean day's lines with one transaction's line changed. */
const presentWith = (txns: readonly HostTransaction[], rrn: string, o: Partial<Detail>) =>
  presentAll(txns).map((d) => (d.rrn === rrn ? line(byRrn(txns, rrn), o) : d));

// ------------------------------------------------------------------------------------------------

describe('matchDay: a clean day', () => {
  it('finds no break and counts every completed transaction as matched, per merchant and currency', () => {
    const txns = cleanDay();
    const result = matchDay(input({ txns, files: [acquirerFile('F1', DAY, presentAll(txns))] }));

    expect(result.breaks).toEqual([]);
    expect(result.matched).toEqual([
      { merchantId: 'M1', currency: 'CNY', count: 5, amount: 12_345n + 50_000n + 8_800n + 50_000n + 2_000n },
      { merchantId: 'M1', currency: 'HKD', count: 2, amount: 34_500n },
      { merchantId: 'M2', currency: 'CNY', count: 1, amount: 99_900n },
      { merchantId: 'M2', currency: 'USD', count: 1, amount: 1_500n },
    ]);
    expect(result).toMatchObject({ businessDay: DAY, hostTransactions: 10, acquirerRecords: 9 });
  });

  it('gives the same result whatever order the host and the acquirer lines come in', () => {
    const txns = [...cleanDay(), txn('100150', 'T1', 777n)];
    // The second line of 200101 differs: which line is "first" must not depend on the input order.
    const details = [...presentWith(without(txns, '100150'), '100102', { amount: 50_001n }), line(txn('999901', 'T2', 10n)), line(byRrn(txns, '200101'), { amount: 1n })];
    const given = input({ txns, files: [acquirerFile('F1', DAY, details)] });
    const reversed = { ...given, host: { ...given.host, transactions: [...given.host.transactions].reverse() }, presented: [...given.presented].reverse() };

    const a = matchDay(given);
    expect(matchDay(reversed)).toEqual(a);
    // Sorted by type, then key.
    expect(found(a).map((b) => b.key)).toEqual([
      'AMOUNT_MISMATCH|T1|100102', 'DUPLICATE_AT_ACQUIRER|T2|200101', 'MISSING_AT_ACQUIRER|T1|100150', 'MISSING_AT_HOST|T2|999901',
    ]);
  });
});

describe('matchDay: one break of each type, found once and alone', () => {
  it('MISSING_AT_ACQUIRER: a completed sale the acquirer never presented', () => {
    const txns = cleanDay();
    const result = matchDay(input({ txns, files: [acquirerFile('F1', DAY, presentAll(without(txns, '200102')))] }));

    expect(found(result)).toEqual([{ type: 'MISSING_AT_ACQUIRER', key: 'MISSING_AT_ACQUIRER|T2|200102', refs: [] }]);
    expect(result.breaks[0]).toMatchObject({ businessDay: DAY, merchantId: 'M1', terminalId: 'T2', batchNo: '000007', stan: '200102', hostAmount: 4_500n, currency: 'HKD' });
    expect(result.breaks[0].detail).toContain('45.00 HKD');
    expect(result.matched.find((m) => m.currency === 'HKD')).toEqual({ merchantId: 'M1', currency: 'HKD', count: 1, amount: 30_000n });
  });

  it('MISSING_AT_HOST: a line for a transaction the host does not know', () => {
    const txns = cleanDay();
    const stranger = line(txn('400101', 'T3', 6_600n));
    const file = acquirerFile('F1', DAY, [...presentAll(txns), stranger]);
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([{ type: 'MISSING_AT_HOST', key: 'MISSING_AT_HOST|T3|400101', refs: [ref(file, '400101')] }]);
    expect(result.breaks[0]).toMatchObject({ merchantId: 'M2', terminalId: 'T3', acquirerAmount: 6_600n, currency: 'CNY' });
  });

  it('AMOUNT_MISMATCH: reported alone even when the fee differs too', () => {
    const txns = cleanDay();
    const file = acquirerFile('F1', DAY, presentWith(txns, '100101', { amount: 12_445n, fee: 75n }));
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([{ type: 'AMOUNT_MISMATCH', key: 'AMOUNT_MISMATCH|T1|100101', refs: [ref(file, '100101')] }]);
    expect(result.breaks[0]).toMatchObject({ hostAmount: 12_345n, acquirerAmount: 12_445n });
    // Amounts in words with the currency's exponent.
    expect(result.breaks[0].detail).toContain('123.45 CNY');
    expect(result.breaks[0].detail).toContain('124.45 CNY');
  });

  it('FEE_MISMATCH: the acquirer charged another fee than the plan says', () => {
    const txns = cleanDay();
    const file = acquirerFile('F1', DAY, presentWith(txns, '300101', { fee: 700n }));
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([{ type: 'FEE_MISMATCH', key: 'FEE_MISMATCH|T3|300101', refs: [ref(file, '300101')] }]);
    // 999.00 at 0.60% = 5.99
    expect(result.breaks[0]).toMatchObject({ hostAmount: 599n, acquirerAmount: 700n, merchantId: 'M2' });
    expect(result.breaks[0].detail).toMatch(/5\.99 CNY.*7\.00 CNY/);
  });

  it('CURRENCY_MISMATCH: reported alone, not also as an amount or fee mismatch', () => {
    const txns = cleanDay();
    const file = acquirerFile('F1', DAY, presentWith(txns, '100101', { currency: 'HKD', amount: 13_500n, fee: 1n }));
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([{ type: 'CURRENCY_MISMATCH', key: 'CURRENCY_MISMATCH|T1|100101', refs: [ref(file, '100101')] }]);
    expect(result.breaks[0].detail).toMatch(/123\.45 CNY.*135\.00 HKD/);
  });

  it('DUPLICATE_AT_ACQUIRER: one break naming every extra line, the first line still compared', () => {
    const txns = cleanDay();
    const twice = line(byRrn(txns, '200101'));
    const file = acquirerFile('F1', DAY, [...presentAll(txns), twice, twice]);
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([
      { type: 'DUPLICATE_AT_ACQUIRER', key: 'DUPLICATE_AT_ACQUIRER|T2|200101', refs: [ref(file, '200101', 1), ref(file, '200101', 2)] },
    ]);
    expect(result.breaks[0]).toMatchObject({ hostAmount: 30_000n, acquirerAmount: 90_000n });
    expect(result.matched.find((m) => m.currency === 'HKD')?.count).toBe(1);
  });

  it('DUPLICATE_AT_HOST: two lookalike sales at the host, one presented', () => {
    // Same terminal, card and amount two minutes apart: the host booked the sale twice.
    const txns = [...cleanDay(), txn('100110', 'T1', 3_300n, { maskedPan: '622848******0001' }), txn('100112', 'T1', 3_300n, { maskedPan: '622848******0001' })];
    const file = acquirerFile('F1', DAY, presentAll(without(txns, '100112')));
    const result = matchDay(input({ txns, files: [file] }));

    // The refs show the acquirer line the lookalike was presented on.
    expect(found(result)).toEqual([{ type: 'DUPLICATE_AT_HOST', key: 'DUPLICATE_AT_HOST|T1|100112', refs: [ref(file, '100110')] }]);
    expect(result.breaks[0].detail).toContain('100110');
  });

  it('DUPLICATE_AT_HOST is not raised for a lookalike group the acquirer presented in full', () => {
    const txns = [...cleanDay(), txn('100110', 'T1', 3_300n, { maskedPan: '622848******0001' }), txn('100112', 'T1', 3_300n, { maskedPan: '622848******0001' })];
    const result = matchDay(input({ txns, files: [acquirerFile('F1', DAY, presentAll(txns))] }));

    expect(result.breaks).toEqual([]);
    expect(result.matched.find((m) => m.merchantId === 'M1' && m.currency === 'CNY')?.count).toBe(7);
  });

  it('a lookalike group with as many lines as members is no DUPLICATE_AT_HOST: one member presented twice, the other missing', () => {
    const pan = { maskedPan: '622848******0001' };
    const txns = [...cleanDay(), txn('100110', 'T1', 3_300n, pan), txn('100112', 'T1', 3_300n, pan)];
    const file = acquirerFile('F1', DAY, [...presentAll(without(txns, '100112')), line(byRrn(txns, '100110'))]);
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([
      { type: 'DUPLICATE_AT_ACQUIRER', key: 'DUPLICATE_AT_ACQUIRER|T1|100110', refs: [ref(file, '100110', 1)] },
      { type: 'MISSING_AT_ACQUIRER', key: 'MISSING_AT_ACQUIRER|T1|100112', refs: [] },
    ]);
  });

  it('LATE_PRESENTMENT: a sale of this day presented only in a later day\'s file', () => {
    const txns = cleanDay();
    const today = acquirerFile('F1', DAY, presentAll(without(txns, '100105')));
    const later = acquirerFile('F2', NEXT, [line(byRrn(txns, '100105'))]);
    const result = matchDay(input({ txns, files: [today, later] }));

    expect(found(result)).toEqual([{ type: 'LATE_PRESENTMENT', key: 'LATE_PRESENTMENT|T1|100105', refs: [ref(later, '100105')] }]);
    expect(result.breaks[0].detail).toContain(NEXT);
  });

  it('BATCH_TOTALS_MISMATCH (terminal): the terminal\'s totals at close still differ from the host\'s', () => {
    const txns = cleanDay();
    const batches = batchesOf(txns).map((b) =>
      b.terminalId === 'T2'
        ? { ...b, result: 'UNBALANCED' as const, terminalTotalsAtClose: [{ currency: 'HKD' as const, debitCount: 3, debitAmount: 35_000n, creditCount: 0, creditAmount: 0n }] }
        : b,
    );
    const result = matchDay(input({ txns, batches, files: [acquirerFile('F1', DAY, presentAll(txns))] }));

    expect(found(result)).toEqual([{ type: 'BATCH_TOTALS_MISMATCH', key: 'BATCH_TOTALS_MISMATCH|T2|000007|HKD|terminal', refs: [] }]);
    expect(result.breaks[0]).toMatchObject({ terminalAmount: 35_000n, hostAmount: 34_500n, batchNo: '000007' });
    expect(result.breaks[0].detail).toMatch(/terminal 3 debit\(s\) 350\.00 HKD.*host 2 debit\(s\) 345\.00 HKD/);
  });

  it('BATCH_TOTALS_MISMATCH (acquirer): a BATCH line that disagrees with its own file\'s details', () => {
    const txns = cleanDay();
    const details = presentAll(txns);
    const summaries = consistentSummaries(details).map((s) => (s.terminalId === 'T3' && s.currency === 'USD' ? { ...s, debitAmount: 1_600n } : s));
    const file = acquirerFile('F1', DAY, details, summaries);
    const usd = file.summaries.find((s) => s.currency === 'USD')!;
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([
      { type: 'BATCH_TOTALS_MISMATCH', key: 'BATCH_TOTALS_MISMATCH|T3|000003|USD|acquirer', refs: [{ fileId: 'F1', line: usd.line }] },
    ]);
    expect(result.breaks[0].detail).toMatch(/16\.00 USD.*15\.00 USD/);
  });

  it('BATCH_TOTALS_MISMATCH (acquirer): a non-zero BATCH line for a batch without details in its file; a zero one is fine', () => {
    const txns = cleanDay();
    const details = presentAll(txns);
    const extra = (batchNo: string, debitAmount: bigint) => ({ merchantId: 'M1', terminalId: 'T1', batchNo, currency: 'CNY' as const, debitCount: debitAmount > 0n ? 1 : 0, debitAmount, creditCount: 0, creditAmount: 0n });
    const file = acquirerFile('F1', DAY, details, [...consistentSummaries(details), extra('000009', 500n), extra('000010', 0n)]);
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([
      { type: 'BATCH_TOTALS_MISMATCH', key: 'BATCH_TOTALS_MISMATCH|T1|000009|CNY|acquirer', refs: [{ fileId: 'F1', line: file.summaries.at(-2)!.line }] },
    ]);
  });

  it('counts a BATCH line the acquirer\'s way: duplicates presented, a REVERSAL taking its line out, voids as credits', () => {
    const txns = cleanDay();
    const sale = byRrn(txns, '100101');
    const reversedAtAcquirer = byRrn(txns, '100102');
    const details = [...presentAll(txns), line(sale), line(reversedAtAcquirer, { type: 'REVERSAL' })];
    // Written by hand: T1 batch 000001 CNY = 100101 twice (debits), 100103 refund and 100104 void (credits); 100102 reversed.
    const t1: Omit<ClearingBatchSummary, 'line'> = { merchantId: 'M1', terminalId: 'T1', batchNo: '000001', currency: 'CNY', debitCount: 2, debitAmount: 24_690n, creditCount: 2, creditAmount: 58_800n };
    const file = acquirerFile('F1', DAY, details, [t1, ...consistentSummaries(presentAll(txns)).filter((s) => s.batchNo !== '000001')]);
    const result = matchDay(input({ txns, files: [file] }));

    // The record-level breaks, and no batch break: the BATCH line agrees with its details.
    expect(found(result).map((b) => b.type)).toEqual(['DUPLICATE_AT_ACQUIRER', 'STATUS_MISMATCH']);
  });

  it('raises no batch break when the BATCH lines agree with the file, even though lines are missing or changed', () => {
    const txns = cleanDay();
    const details = presentWith(txns, '100101', { amount: 12_000n }).filter((d) => d.rrn !== '300101');
    const result = matchDay(input({ txns, files: [acquirerFile('F1', DAY, details)] }));

    expect(found(result).map((b) => b.key)).toEqual(['AMOUNT_MISMATCH|T1|100101', 'MISSING_AT_ACQUIRER|T3|300101']);
  });
});

describe('matchDay: status mismatches', () => {
  it('a sale reversed at the host but presented by the acquirer', () => {
    const txns = cleanDay();
    const reversed = byRrn(txns, '300103');
    const file = acquirerFile('F1', DAY, [...presentAll(txns), line(reversed)]);
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([{ type: 'STATUS_MISMATCH', key: 'STATUS_MISMATCH|T3|300103', refs: [ref(file, '300103')] }]);
    expect(result.breaks[0].detail).toContain('reversed at the host');
  });

  it('a reversed host transaction presented together with its REVERSAL line is no break', () => {
    const txns = cleanDay();
    const reversed = byRrn(txns, '300103');
    const result = matchDay(input({ txns, files: [acquirerFile('F1', DAY, [...presentAll(txns), line(reversed), line(reversed, { type: 'REVERSAL' })])] }));

    expect(result.breaks).toEqual([]);
  });

  it('a sale reversed at the acquirer only', () => {
    const txns = cleanDay();
    const file = acquirerFile('F1', DAY, [...presentAll(txns), line(byRrn(txns, '200102'), { type: 'REVERSAL' })]);
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([{ type: 'STATUS_MISMATCH', key: 'STATUS_MISMATCH|T2|200102', refs: [ref(file, '200102', 0), ref(file, '200102', 1)] }]);
    expect(result.breaks[0].detail).toContain('reversed by the acquirer');
  });

  it('a void on the host only', () => {
    const txns = cleanDay();
    const result = matchDay(input({ txns, files: [acquirerFile('F1', DAY, presentAll(without(txns, '100104')))] }));

    expect(found(result)).toEqual([{ type: 'STATUS_MISMATCH', key: 'STATUS_MISMATCH|T1|100104', refs: [] }]);
    expect(result.breaks[0].detail).toContain('100102');
  });

  it('a void and a reversal at the acquirer only', () => {
    const txns = cleanDay();
    const file = acquirerFile('F1', DAY, [
      ...presentAll(txns),
      line(txn('400201', 'T1', 1_000n, { kind: 'VOID', originalRrn: '100101' })),
      line(txn('400202', 'T1', 2_000n), { type: 'REVERSAL' }),
    ]);
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([
      { type: 'STATUS_MISMATCH', key: 'STATUS_MISMATCH|T1|400201', refs: [ref(file, '400201')] },
      { type: 'STATUS_MISMATCH', key: 'STATUS_MISMATCH|T1|400202', refs: [ref(file, '400202')] },
    ]);
  });

  it('a line of another type than the host transaction', () => {
    const txns = cleanDay();
    const file = acquirerFile('F1', DAY, presentWith(txns, '200101', { type: 'REFUND' }));
    const result = matchDay(input({ txns, files: [file] }));

    expect(found(result)).toEqual([{ type: 'STATUS_MISMATCH', key: 'STATUS_MISMATCH|T2|200101', refs: [ref(file, '200101')] }]);
  });

  it('a sale the host never had, presented and reversed by the acquirer, is no break (both say it did not happen)', () => {
    const txns = cleanDay();
    const ghost = txn('400301', 'T2', 900n);
    const result = matchDay(input({ txns, files: [acquirerFile('F1', DAY, [...presentAll(txns), line(ghost), line(ghost, { type: 'REVERSAL' })])] }));

    expect(result.breaks).toEqual([]);
  });
});

describe('matchDay: tolerances at their edges', () => {
  /** 100101 (123.45 CNY, expected fee 0.74) presented with `o`, under tolerances of 0.05 on the amount and 0.02 on the fee. */
  const edgeRun = (o: Partial<Detail>) => {
    const txns = cleanDay();
    const result = matchDay(input({ txns, files: [acquirerFile('F1', DAY, presentWith(txns, '100101', o))], tolerances: { amountMinor: 5n, feeMinor: 2n } }));
    return found(result).map((b) => b.key);
  };
  it('matches an amount exactly at the tolerance and flags one minor unit over', () => {
    expect(edgeRun({ amount: 12_350n })).toEqual([]);
    expect(edgeRun({ amount: 12_340n })).toEqual([]);
    expect(edgeRun({ amount: 12_351n })).toEqual(['AMOUNT_MISMATCH|T1|100101']);
    expect(edgeRun({ amount: 12_339n })).toEqual(['AMOUNT_MISMATCH|T1|100101']);
  });
  it('matches a fee exactly at the tolerance and flags one minor unit over', () => {
    expect(edgeRun({ fee: 76n })).toEqual([]);
    expect(edgeRun({ fee: 72n })).toEqual([]);
    expect(edgeRun({ fee: 77n })).toEqual(['FEE_MISMATCH|T1|100101']);
    expect(edgeRun({ fee: 71n })).toEqual(['FEE_MISMATCH|T1|100101']);
  });

  /** The acquirer reports 100102 under another RRN, its transaction time `seconds` after the host's. */
  const traceRun = (seconds: number) => {
    const txns = cleanDay();
    const h = byRrn(txns, '100102');
    const file = acquirerFile('F1', DAY, presentWith(txns, '100102', { rrn: '888802', transactionTime: new Date(Date.parse(h.occurredAt) + seconds * 1000).toISOString() }));
    return { file, result: matchDay(input({ txns, files: [file], tolerances: { timeSeconds: 120 } })) };
  };
  it('matches by terminal, batch and trace number within timeSeconds, and not one second beyond', () => {
    const inside = traceRun(120).result;
    expect(inside.breaks).toEqual([]);
    expect(inside.matched.find((m) => m.merchantId === 'M1' && m.currency === 'CNY')?.count).toBe(5);
    expect(traceRun(-120).result.breaks).toEqual([]);

    const { file, result } = traceRun(121);
    expect(found(result)).toEqual([
      { type: 'MISSING_AT_ACQUIRER', key: 'MISSING_AT_ACQUIRER|T1|100102', refs: [] },
      { type: 'MISSING_AT_HOST', key: 'MISSING_AT_HOST|T1|888802', refs: [ref(file, '888802')] },
    ]);
  });

  it('a line matched by trace number is compared like any other, under the host\'s RRN', () => {
    const { file, result } = (() => {
      const txns = cleanDay();
      const f = acquirerFile('F1', DAY, presentWith(txns, '100102', { rrn: '888802', amount: 49_000n }));
      return { file: f, result: matchDay(input({ txns, files: [f] })) };
    })();
    expect(found(result)).toEqual([{ type: 'AMOUNT_MISMATCH', key: 'AMOUNT_MISMATCH|T1|100102', refs: [ref(file, '888802')] }]);
  });

  /** Two lookalike sales `seconds` apart, the second not presented. */
  const lookalikeRun = (seconds: number) => {
    const pan = { maskedPan: '622848******0001' };
    const txns = [...cleanDay(), txn('100110', 'T1', 3_300n, { ...pan, occurredAt: at(30) }), txn('100112', 'T1', 3_300n, { ...pan, occurredAt: at(30, seconds) })];
    return matchDay(input({ txns, files: [acquirerFile('F1', DAY, presentAll(without(txns, '100112')))], tolerances: { timeSeconds: 45 } }));
  };
  it('treats host transactions as lookalikes within timeSeconds and not one second beyond', () => {
    expect(found(lookalikeRun(45)).map((b) => b.key)).toEqual(['DUPLICATE_AT_HOST|T1|100112']);
    expect(found(lookalikeRun(46)).map((b) => b.key)).toEqual(['MISSING_AT_ACQUIRER|T1|100112']);
  });

  it('does not treat transactions without a masked card number as lookalikes', () => {
    const txns = [...cleanDay(), txn('100110', 'T1', 3_300n, { maskedPan: undefined }), txn('100112', 'T1', 3_300n, { maskedPan: undefined })];
    const result = matchDay(input({ txns, files: [acquirerFile('F1', DAY, presentAll(without(txns, '100112')))] }));
    expect(found(result).map((b) => b.key)).toEqual(['MISSING_AT_ACQUIRER|T1|100112']);
  });
});

describe('matchDay: the same break seen from two business days has the same key', () => {
  /** DAY's 100105 presented only in NEXT's file (with `o` changed); NEXT has a clean sale of its own. */
  const twoDays = (o: Partial<Detail> = {}) => {
    const dayTxns = cleanDay();
    const late = byRrn(dayTxns, '100105');
    const nextTxns = [txn('500101', 'T1', 4_000n, { businessDay: NEXT, batchNo: '000002' })];
    const dayFile = acquirerFile('F1', DAY, presentAll(without(dayTxns, '100105')));
    const nextFile = acquirerFile('F2', NEXT, [...presentAll(nextTxns), line(late, o)]);
    const files = [dayFile, nextFile];
    return {
      nextFile,
      day: matchDay(input({ txns: dayTxns, files })),
      next: matchDay(input({ day: NEXT, txns: nextTxns, files, elsewhere: dayTxns })),
    };
  };

  it('LATE_PRESENTMENT|<rrn> from the day of the transaction and from the day of the file', () => {
    const { nextFile, day, next } = twoDays();
    const expected = [{ type: 'LATE_PRESENTMENT', key: 'LATE_PRESENTMENT|T1|100105', refs: [ref(nextFile, '100105')] }];

    expect(found(day)).toEqual(expected);
    expect(found(next)).toEqual(expected);
    // Named after the host transaction, and its day's break whichever day's run finds it.
    expect(next.breaks[0]).toMatchObject({ businessDay: DAY, merchantId: 'M1', terminalId: 'T1', batchNo: '000002', hostAmount: 2_000n });
    expect(day.breaks[0]).toEqual(next.breaks[0]);
    expect(next.matched).toEqual([{ merchantId: 'M1', currency: 'CNY', count: 1, amount: 4_000n }]);
  });

  it('a late line that also differs gives the same keys from both days', () => {
    const { day, next } = twoDays({ amount: 2_100n });
    const keys = ['AMOUNT_MISMATCH|T1|100105', 'LATE_PRESENTMENT|T1|100105'];

    expect(found(day).map((b) => b.key)).toEqual(keys);
    expect(found(next).map((b) => b.key)).toEqual(keys);
  });

  it('a REVERSAL in a later file for a sale the host completed is a STATUS_MISMATCH from both days', () => {
    const dayTxns = cleanDay();
    const nextTxns = [txn('500101', 'T1', 4_000n, { businessDay: NEXT })];
    const nextFile = acquirerFile('F2', NEXT, [...presentAll(nextTxns), line(byRrn(dayTxns, '200101'), { type: 'REVERSAL' })]);
    const files = [acquirerFile('F1', DAY, presentAll(dayTxns)), nextFile];
    const day = matchDay(input({ txns: dayTxns, files }));
    const next = matchDay(input({ day: NEXT, txns: nextTxns, files, elsewhere: dayTxns }));

    expect(found(day).map((b) => b.key)).toEqual(['STATUS_MISMATCH|T2|200101']);
    expect(found(next)).toEqual([{ type: 'STATUS_MISMATCH', key: 'STATUS_MISMATCH|T2|200101', refs: [ref(nextFile, '200101')] }]);
  });

  it('MISSING_AT_ACQUIRER carries no day in its key', () => {
    const txns = cleanDay().map((h) => ({ ...h, businessDay: NEXT }));
    const result = matchDay(input({ day: NEXT, txns, files: [acquirerFile('F2', NEXT, presentAll(without(txns, '200102')))] }));
    expect(found(result).map((b) => b.key)).toEqual(['MISSING_AT_ACQUIRER|T2|200102']);
  });
});

describe('RRNs are per terminal', () => {
  it('given two terminals with the same RRN, each is matched to its own line and a missing one is named with its terminal', () => {
    const a = txn('100101', 'T1', 1_000n);
    const b = txn('100101', 'T2', 2_000n, { stan: '000777' });
    const result = matchDay(input({ txns: [a, b], files: [acquirerFile('F1', DAY, [line(a)])] }));
    expect(found(result)).toEqual([{ type: 'MISSING_AT_ACQUIRER', key: 'MISSING_AT_ACQUIRER|T2|100101', refs: [] }]);
    expect(result.matched).toEqual([{ merchantId: 'M1', currency: 'CNY', count: 1, amount: 1_000n }]);
  });

  it('given a multi-terminal day where two terminals share an RRN and one is reversed, the BATCH lines agree with their file', () => {
    // T1 and T3 both number a sale 100101; T3's was reversed, at the host and by the acquirer.
    const a = txn('100101', 'T1', 1_000n);
    const b = txn('100101', 'T3', 2_000n, { stan: '000777', status: 'REVERSED' });
    const c = txn('300101', 'T3', 3_000n);
    const details = [line(a), line(b), line(c), line(b, { type: 'REVERSAL' })];
    // Written as the acquirer does, by hand: T1 keeps its sale, T3 only 300101.
    const summaries: Omit<ClearingBatchSummary, 'line'>[] = [
      { merchantId: 'M1', terminalId: 'T1', batchNo: '000001', currency: 'CNY', debitCount: 1, debitAmount: 1_000n, creditCount: 0, creditAmount: 0n },
      { merchantId: 'M2', terminalId: 'T3', batchNo: '000003', currency: 'CNY', debitCount: 1, debitAmount: 3_000n, creditCount: 0, creditAmount: 0n },
    ];
    const result = matchDay(input({ txns: [a, b, c], files: [acquirerFile('F1', DAY, details, summaries)] }));
    expect(found(result)).toEqual([]);
    expect(result.matched).toEqual([
      { merchantId: 'M1', currency: 'CNY', count: 1, amount: 1_000n },
      { merchantId: 'M2', currency: 'CNY', count: 1, amount: 3_000n },
    ]);
  });
});
