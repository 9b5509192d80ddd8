import type {
  BatchDifference, BatchTotals, JournalPosting, LedgerEvent, PaymentMethod, PayoutPart, SettlementLine, TransactionCompleted, TransactionKind,
} from '@pos/contracts';
import type { Actor, RecordedEvent } from '@pos/kernel';
import type { CurrencyCode } from '@pos/money';
import { describe, expect, it } from 'vitest';
import { type AuditEntry, projectAuditTrail } from '../audit-trail/audit-trail.projection';
import { type DayReport, type DayReportBatch, dayReport } from './day-report';

const DAY = '2025-03-14';
const NEXT = '2025-03-17';
const M1 = 'M00000000000001';
const M2 = 'M00000000000002';

/**
 * A business day of several terminals, written as the services would: each terminal's
 * events on its stream, each settlement on its own, one minute apart. `entries()` runs
 * them through the audit trail projection, so the report reads real trail entries.
 */
class Day {
  private readonly events: RecordedEvent[] = [];
  private minute = 0;

  record(event: LedgerEvent, actor: Actor, streamId: string, businessDay = DAY): void {
    const version = this.events.filter((e) => e.metadata.streamId === streamId).length + 1;
    const at = new Date(Date.UTC(2025, 2, 14, 8, this.minute++)).toISOString();
    const ids = { eventId: `${streamId}/${version}`, correlationId: `c${this.minute}`, causationId: `c${this.minute}` };
    const chain = { position: String(this.events.length + 1), prevHash: `${streamId}:${version - 1}`, hash: `${streamId}:${version}` };
    this.events.push({ type: event.type, data: { ...event.data, businessDay }, metadata: { ...ids, ...chain, streamId, version, occurredAt: at, actor, schemaVersion: 1 } });
  }

  /** Adds a payout part to the BatchSettled already recorded on `streamId`. */
  addPayoutPart(streamId: string, part: PayoutPart): void {
    const settled = this.events.find((e) => e.metadata.streamId === streamId && e.type === 'BatchSettled');
    if (!settled) throw new Error(`no BatchSettled on ${streamId}`);
    const data = settled.data as { payoutParts?: PayoutPart[] };
    data.payoutParts = [...(data.payoutParts ?? []), part];
  }

  entries(): AuditEntry[] {
    return projectAuditTrail(this.events).map((k) => k.entry);
  }

  terminal(terminalId: string, merchantId: string, currency: CurrencyCode, batchNo = '000001'): Till {
    return new Till(this, terminalId, merchantId, currency, batchNo);
  }
}

type Sale = TransactionCompleted['data'];

/** One terminal's requests: every call records the event the gateway (or the settlement service) would. */
class Till {
  private stan = 0;
  private readonly operator: Actor = { type: 'operator', id: '01' };

  constructor(
    private readonly day: Day,
    readonly terminalId: string,
    readonly merchantId: string,
    readonly currency: CurrencyCode,
    readonly batchNo: string,
  ) {}

  private get stream() {
    return `terminal-${this.terminalId}`;
  }

  private next() {
    this.stan += 1;
    const stan = String(this.stan).padStart(6, '0');
    return { terminalId: this.terminalId, merchantId: this.merchantId, businessDay: DAY, batchNo: this.batchNo, stan, fingerprint: `fp-${this.terminalId}-${stan}` };
  }

  signOn(): void {
    this.day.record({ type: 'TerminalSignedOn', data: { ...this.next(), operatorId: '01' } }, this.operator, this.stream);
  }

  signOff(): void {
    this.day.record({ type: 'TerminalSignedOff', data: { ...this.next(), operatorId: '01' } }, this.operator, this.stream);
  }

  txn(kind: TransactionKind, amount: bigint, o: { method?: PaymentMethod; originalRrn?: string; capture?: Sale['capture']; currency?: CurrencyCode; businessDay?: string } = {}): Sale {
    const base = this.next();
    const rrn = `7${this.terminalId.slice(-3)}${base.stan}00`;
    const data: Sale = {
      ...base, transactionId: `${this.terminalId}-${rrn}`, kind, method: o.method ?? 'BANK_CARD', amount, currency: o.currency ?? this.currency, rrn, authCode: 'X1Y2Z3',
      operatorId: '01', capture: o.capture ?? 'ONLINE', ...(o.originalRrn ? { originalRrn: o.originalRrn } : {}),
    };
    this.day.record({ type: 'TransactionCompleted', data }, this.operator, this.stream, o.businessDay);
    return data;
  }

  sale(amount: bigint, o: { method?: PaymentMethod; capture?: Sale['capture']; currency?: CurrencyCode; businessDay?: string } = {}): Sale {
    return this.txn('SALE', amount, o);
  }

  reverse(t: Sale): void {
    const { terminalId, merchantId, businessDay, batchNo, stan, fingerprint } = this.next();
    const { transactionId, rrn, kind, method, amount, currency } = t;
    this.day.record(
      { type: 'TransactionReversed', data: { terminalId, merchantId, businessDay, batchNo, stan, fingerprint, transactionId, rrn, kind, method, amount, currency, originalStan: t.stan, reason: '98' } },
      { type: 'terminal', id: this.terminalId },
      this.stream,
    );
  }

  close(terminalTotals: BatchTotals[], hostTotals: BatchTotals[], transactionCount: number, differences: BatchDifference[] = []): void {
    const data = { ...this.next(), result: differences.length ? 'UNBALANCED' : 'BALANCED', terminalTotals, hostTotals, differences, transactionCount, nextBatchNo: '000002', nextBusinessDay: '2025-03-15' } as const;
    this.day.record({ type: 'BatchClosed', data }, this.operator, this.stream);
  }

  settle(lines: SettlementLine[], postings: JournalPosting[], closeResult: 'BALANCED' | 'UNBALANCED' = 'BALANCED'): void {
    const totals = [...new Set(lines.map((l) => l.currency))].map((currency) => {
      const of = lines.filter((l) => l.currency === currency);
      const sum = (k: 'gross' | 'fees' | 'net') => of.reduce((s, l) => s + l[k], 0n);
      return { currency, gross: sum('gross'), fees: sum('fees'), net: sum('net') };
    });
    this.day.record(
      {
        type: 'BatchSettled',
        data: {
          settlementId: this.settlementId, terminalId: this.terminalId, merchantId: this.merchantId, batchNo: this.batchNo, businessDay: DAY, closeResult,
          pricingPlanId: 'STANDARD-2025', roundingRule: 'PER_TRANSACTION_HALF_UP', refundReturnsFee: false, payoutSchedule: 'T1', payoutDate: NEXT, lines, totals, postings,
        },
      },
      { type: 'system', id: 'settlement' },
      `settlement-${this.terminalId}-${DAY}-${this.batchNo}`,
    );
  }

  /** A part of the batch's net due T+1, added to its BatchSettled's payoutParts (as settlement splits a net). */
  payout(amount: bigint, currency: CurrencyCode = this.currency): void {
    this.day.addPayoutPart(`settlement-${this.terminalId}-${DAY}-${this.batchNo}`, { currency, schedule: 'T1', payoutDate: NEXT, amount });
  }

  private get settlementId() {
    return `STL-${this.terminalId}-${this.batchNo}`;
  }
}

const totals = (currency: CurrencyCode, debitCount: number, debitAmount: bigint, creditCount: number, creditAmount: bigint): BatchTotals => ({
  currency, debitCount, debitAmount, creditCount, creditAmount,
});

/** A settlement line; gross, fees and net follow from the figures given. */
const line = (currency: CurrencyCode, method: PaymentMethod, f: { sales: [number, bigint]; voids?: [number, bigint]; refunds?: [number, bigint]; fees: bigint }): SettlementLine => {
  const [salesCount, salesAmount] = f.sales;
  const [voidsCount, voidsAmount] = f.voids ?? [0, 0n];
  const [refundsCount, refundsAmount] = f.refunds ?? [0, 0n];
  const gross = salesAmount - voidsAmount - refundsAmount;
  return { currency, method, mdrBps: method === 'QR' ? 38 : 60, salesCount, salesAmount, voidsCount, voidsAmount, refundsCount, refundsAmount, gross, fees: f.fees, net: gross - f.fees };
};

/** The journal of a settlement: receivable gross = payable net + fee income. */
const journal = (currency: CurrencyCode, gross: bigint, net: bigint, fees: bigint): JournalPosting[] => [
  { account: 'SCHEME_RECEIVABLE', side: 'DEBIT', amount: gross, currency },
  { account: 'MERCHANT_PAYABLE', side: 'CREDIT', amount: net, currency },
  { account: 'FEE_INCOME', side: 'CREDIT', amount: fees, currency },
];

/**
 * Merchant M1's CNY terminal: sales by card and QR, a void, a refund, a reversed sale and a
 * reversed refund; settlement answered unbalanced (an offline sale the host never saw is
 * booked from the batch upload, another could not be); closed, settled (card fees 60 bps,
 * per transaction) and paid out.
 */
const unbalancedSettledDay = (day: Day): Till => {
  const t = day.terminal('T0000001', M1, 'CNY');
  t.signOn();
  t.sale(100_00n);
  const qr = t.sale(250_50n, { method: 'QR' });
  t.txn('VOID', qr.amount, { method: 'QR', originalRrn: qr.rrn });
  t.reverse(t.sale(88_88n));
  t.txn('REFUND', 30_00n, { originalRrn: '700199999900' });
  const refund = t.txn('REFUND', 10_00n, { originalRrn: '700199999900' });
  t.reverse(refund);
  const booked = t.sale(45_00n, { capture: 'BATCH_UPLOAD' });
  t.close([totals('CNY', 4, 595_50n, 2, 280_50n)], [totals('CNY', 3, 395_50n, 2, 280_50n)], 5, [
    { kind: 'MISSING_AT_HOST', currency: 'CNY', stan: booked.stan, rrn: booked.rrn, terminalAmount: 45_00n, note: 'booked from the batch upload' },
    { kind: 'MISSING_AT_HOST', currency: 'CNY', stan: '000042', terminalAmount: 200_00n, note: 'not booked: amount or currency not acceptable' },
    { kind: 'TOTALS_MISMATCH', currency: 'CNY', hostAmount: 115_00n, terminalAmount: 315_00n, note: 'net settlement amount (debits - credits) differs' },
  ]);
  t.settle(
    [line('CNY', 'BANK_CARD', { sales: [2, 145_00n], refunds: [1, 30_00n], fees: 87n }), line('CNY', 'QR', { sales: [1, 250_50n], voids: [1, 250_50n], fees: 0n })],
    journal('CNY', 115_00n, 114_13n, 87n),
    'UNBALANCED',
  );
  t.payout(114_13n);
  t.signOff();
  return t;
};

/** A batch of one card sale, closed balanced and settled (journal as given, balanced by default); no payout yet. */
const settledSale = (t: Till, amount: bigint, fees: bigint, postings = journal(t.currency, amount, amount - fees, fees)): void => {
  t.sale(amount);
  t.close([totals(t.currency, 1, amount, 0, 0n)], [totals(t.currency, 1, amount, 0, 0n)], 1);
  t.settle([line(t.currency, 'BANK_CARD', { sales: [1, amount], fees })], postings);
};

/** Merchant M2's HKD terminal: one sale, balanced, settled (journal as given) and paid. */
const balancedHkdDay = (day: Day, postings = journal('HKD', 500_00n, 497_00n, 3_00n)): Till => {
  const t = day.terminal('T0000003', M2, 'HKD', '000314');
  settledSale(t, 500_00n, 3_00n, postings);
  t.payout(497_00n);
  return t;
};

const batchOf = (report: DayReport, terminalId: string): DayReportBatch => {
  const batch = report.merchants.flatMap((m) => m.terminals).find((t) => t.terminalId === terminalId)?.batches[0];
  if (!batch) throw new Error(`no batch for ${terminalId}`);
  return batch;
};

describe('day report', () => {
  it('given an unbalanced, settled and paid terminal day, then the batch shows the close, every difference, the settlement, a balanced journal and the payout', () => {
    const day = new Day();
    unbalancedSettledDay(day);

    const report = dayReport(day.entries(), { businessDay: DAY });

    const batch = batchOf(report, 'T0000001');
    expect(batch).toMatchObject({ terminalId: 'T0000001', batchNo: '000001', status: 'CLOSED', closedAt: '2025-03-14T08:10:00.000Z', result: 'UNBALANCED', transactionCount: 5 });
    expect(batch.totals).toEqual([
      {
        currency: 'CNY',
        terminal: totals('CNY', 4, 595_50n, 2, 280_50n),
        host: totals('CNY', 3, 395_50n, 2, 280_50n),
        agree: false,
        trail: { ...totals('CNY', 3, 395_50n, 2, 280_50n), net: 115_00n },
      },
    ]);
    expect(batch.differences.map((d) => [d.kind, d.stan, d.rrn])).toEqual([
      ['MISSING_AT_HOST', '000010', '700100001000'],
      ['MISSING_AT_HOST', '000042', undefined],
      ['TOTALS_MISMATCH', undefined, undefined],
    ]);
    expect(batch.differences[2]).toMatchObject({ hostAmount: 115_00n, terminalAmount: 315_00n });
    expect(batch.settlement).toMatchObject({
      settlementId: 'STL-T0000001-000001', closeResult: 'UNBALANCED', pricingPlanId: 'STANDARD-2025', roundingRule: 'PER_TRANSACTION_HALF_UP', payoutDate: NEXT,
      totals: [{ currency: 'CNY', gross: 115_00n, fees: 87n, net: 114_13n }],
    });
    expect(batch.settlement?.lines.map((l) => [l.method, l.gross, l.fees, l.net])).toEqual([['BANK_CARD', 115_00n, 87n, 114_13n], ['QR', 0n, 0n, 0n]]);
    expect(batch.journal).toEqual([{ currency: 'CNY', debits: 115_00n, credits: 115_00n, ok: true }]);
    expect(batch.payouts).toEqual([
      { settlementId: 'STL-T0000001-000001', schedule: 'T1', scheduledAt: '2025-03-14T08:11:00.000Z', payoutDate: NEXT, currency: 'CNY', amount: 114_13n },
    ]);
    expect(report.anomalies).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('given two merchants in CNY and HKD, then totals are per merchant and per currency, never added across currencies', () => {
    const day = new Day();
    unbalancedSettledDay(day);
    balancedHkdDay(day);

    const report = dayReport(day.entries(), { businessDay: DAY });

    expect(report.merchants.map((m) => m.merchantId)).toEqual([M1, M2]);
    const cny = { currency: 'CNY', batches: 1, balanced: 0, unbalanced: 1, open: 0, gross: 115_00n, fees: 87n, net: 114_13n, payoutCount: 1, payouts: 114_13n };
    const hkd = { currency: 'HKD', batches: 1, balanced: 1, unbalanced: 0, open: 0, gross: 500_00n, fees: 3_00n, net: 497_00n, payoutCount: 1, payouts: 497_00n };
    expect(report.merchants[0].totals).toEqual([cny]);
    expect(report.merchants[1].totals).toEqual([hkd]);
    expect(report.totals).toEqual([cny, hkd]);
    expect(report.counts).toEqual({ terminals: 2, batches: 2, closed: 2, settled: 2, open: 0 });
    expect(report.ok).toBe(true);
  });

  it('given one batch with sales in two currencies, then the batch and the day keep a line per currency', () => {
    const day = new Day();
    const t = day.terminal('T0000005', M1, 'CNY');
    t.sale(10_00n);
    t.sale(20_00n, { currency: 'USD' });
    t.close([totals('CNY', 1, 10_00n, 0, 0n), totals('USD', 1, 20_00n, 0, 0n)], [totals('CNY', 1, 10_00n, 0, 0n), totals('USD', 1, 20_00n, 0, 0n)], 2);
    t.settle([line('CNY', 'BANK_CARD', { sales: [1, 10_00n], fees: 6n }), line('USD', 'BANK_CARD', { sales: [1, 20_00n], fees: 12n })], [...journal('CNY', 10_00n, 9_94n, 6n), ...journal('USD', 20_00n, 19_88n, 12n)]);
    t.payout(9_94n, 'CNY');
    t.payout(19_88n, 'USD');

    const report = dayReport(day.entries(), { businessDay: DAY });

    expect(batchOf(report, 'T0000005').totals.map((x) => [x.currency, x.agree, x.trail.net])).toEqual([['CNY', true, 10_00n], ['USD', true, 20_00n]]);
    expect(batchOf(report, 'T0000005').journal.map((j) => [j.currency, j.debits, j.ok])).toEqual([['CNY', 10_00n, true], ['USD', 20_00n, true]]);
    expect(report.totals.map((x) => [x.currency, x.batches, x.gross, x.net, x.payouts])).toEqual([['CNY', 1, 10_00n, 9_94n, 9_94n], ['USD', 1, 20_00n, 19_88n, 19_88n]]);
    expect(report.ok).toBe(true);
  });

  it('given a settlement whose journal does not balance, then the check reports both sums and the day is not ok', () => {
    const day = new Day();
    balancedHkdDay(day, journal('HKD', 500_00n, 497_00n, 2_00n));

    const report = dayReport(day.entries(), { businessDay: DAY });

    expect(batchOf(report, 'T0000003').journal).toEqual([{ currency: 'HKD', debits: 500_00n, credits: 499_00n, ok: false }]);
    expect(report.anomalies).toEqual([
      { code: 'JOURNAL_UNBALANCED', merchantId: M2, terminalId: 'T0000003', batchNo: '000314', currency: 'HKD', message: 'batch 000314 of terminal T0000003: journal in HKD does not balance: debits 500.00 HKD, credits 499.00 HKD' },
    ]);
    expect(report.ok).toBe(false);
  });

  it('given a batch closed but never settled, then it is flagged and counted as closed, not settled', () => {
    const day = new Day();
    const t = day.terminal('T0000004', M2, 'HKD');
    t.sale(10_00n);
    t.close([totals('HKD', 1, 10_00n, 0, 0n)], [totals('HKD', 1, 10_00n, 0, 0n)], 1);

    const report = dayReport(day.entries(), { businessDay: DAY });

    expect(batchOf(report, 'T0000004')).toMatchObject({ status: 'CLOSED', result: 'BALANCED', journal: [], payouts: [] });
    expect(batchOf(report, 'T0000004').settlement).toBeUndefined();
    expect(report.anomalies.map((a) => [a.code, a.terminalId, a.batchNo])).toEqual([['BATCH_NOT_SETTLED', 'T0000004', '000001']]);
    expect(report.counts).toMatchObject({ closed: 1, settled: 0 });
    expect(report.ok).toBe(false);
  });

  it('given a terminal with transactions and no close that day, then its batch is open and flagged; one whose only sale was reversed is not', () => {
    const day = new Day();
    const open = day.terminal('T0000002', M1, 'CNY', '000009');
    open.signOn();
    open.sale(20_00n);
    open.sale(5_00n, { method: 'QR' });
    const quiet = day.terminal('T0000006', M1, 'CNY');
    quiet.reverse(quiet.sale(7_00n));

    const report = dayReport(day.entries(), { businessDay: DAY });

    expect(batchOf(report, 'T0000002')).toMatchObject({ status: 'OPEN', transactionCount: 2, journal: [] });
    expect(batchOf(report, 'T0000002').closedAt).toBeUndefined();
    expect(batchOf(report, 'T0000006')).toMatchObject({ status: 'OPEN', transactionCount: 0, anomalies: [] });
    expect(report.anomalies).toEqual([
      { code: 'BATCH_STILL_OPEN', merchantId: M1, terminalId: 'T0000002', batchNo: '000009', message: 'batch 000009 of terminal T0000002 holds 2 transaction(s) and was not closed' },
    ]);
    expect(report.totals).toEqual([{ currency: 'CNY', batches: 0, balanced: 0, unbalanced: 0, open: 2, gross: 0n, fees: 0n, net: 0n, payoutCount: 0, payouts: 0n }]);
  });

  it('given a settled batch with a non-zero net and no payout, then the payout is flagged missing; a zero net needs none', () => {
    const day = new Day();
    settledSale(day.terminal('T0000007', M1, 'CNY'), 100_00n, 60n);
    const zero = day.terminal('T0000008', M1, 'CNY');
    const s = zero.sale(12_00n, { method: 'QR' });
    zero.txn('VOID', s.amount, { method: 'QR', originalRrn: s.rrn });
    zero.close([totals('CNY', 1, 12_00n, 1, 12_00n)], [totals('CNY', 1, 12_00n, 1, 12_00n)], 2);
    zero.settle([line('CNY', 'QR', { sales: [1, 12_00n], voids: [1, 12_00n], fees: 0n })], []);

    const report = dayReport(day.entries(), { businessDay: DAY });

    expect(report.anomalies.map((a) => [a.code, a.terminalId, a.currency])).toEqual([['PAYOUT_MISSING', 'T0000007', 'CNY']]);
    expect(batchOf(report, 'T0000008').anomalies).toEqual([]);
  });

  it('given a payout that differs from the settled net, then it is flagged as a mismatch', () => {
    const day = new Day();
    const t = day.terminal('T0000007', M1, 'CNY');
    settledSale(t, 100_00n, 60n);
    t.payout(100_00n);

    const [anomaly] = dayReport(day.entries(), { businessDay: DAY }).anomalies;

    expect(anomaly).toMatchObject({ code: 'PAYOUT_MISMATCH', currency: 'CNY', message: 'batch 000001 of terminal T0000007: payouts of 100.00 CNY differ from the settled net 99.40 CNY' });
  });

  it('given a settlement the trail never saw closed, then it is flagged', () => {
    const day = new Day();
    const unclosed = day.terminal('T0000010', M1, 'CNY');
    unclosed.settle([line('CNY', 'QR', { sales: [1, 10_00n], fees: 4n })], journal('CNY', 10_00n, 9_96n, 4n));
    unclosed.payout(9_96n);

    const report = dayReport(day.entries(), { businessDay: DAY });

    expect(report.anomalies.map((a) => [a.code, a.terminalId, a.message])).toEqual([
      ['SETTLED_WITHOUT_CLOSE', 'T0000010', 'batch 000001 of terminal T0000010 was settled but the trail holds no BatchClosed for it'],
    ]);
    expect(batchOf(report, 'T0000010')).toMatchObject({ status: 'OPEN', transactionCount: 0 });
    expect(report.totals).toEqual([{ currency: 'CNY', batches: 0, balanced: 0, unbalanced: 0, open: 1, gross: 10_00n, fees: 4n, net: 9_96n, payoutCount: 1, payouts: 9_96n }]);
  });

  it('given a payout part in a currency the settlement has no total in, then it is flagged as a mismatch', () => {
    const day = new Day();
    const t = day.terminal('T0000011', M1, 'CNY');
    settledSale(t, 100_00n, 60n);
    t.payout(99_40n);
    t.payout(5_00n, 'USD');

    expect(dayReport(day.entries(), { businessDay: DAY }).anomalies.map((a) => [a.code, a.message])).toEqual([
      ['PAYOUT_MISMATCH', 'batch 000001 of terminal T0000011: payout of 5.00 USD without a settlement in USD'],
    ]);
  });

  it('given host totals at close that the trail does not add up to, then the missing events are flagged', () => {
    const day = new Day();
    const t = day.terminal('T0000009', M1, 'CNY');
    t.sale(10_00n);
    t.close([totals('CNY', 2, 30_00n, 0, 0n)], [totals('CNY', 2, 30_00n, 0, 0n)], 2);
    t.settle([line('CNY', 'BANK_CARD', { sales: [2, 30_00n], fees: 18n })], journal('CNY', 30_00n, 29_82n, 18n));
    t.payout(29_82n);

    const report = dayReport(day.entries(), { businessDay: DAY });

    expect(report.anomalies.map((a) => a.code)).toEqual(['HOST_TOTALS_DIFFER_FROM_TRAIL']);
    expect(batchOf(report, 'T0000009').totals[0]).toMatchObject({ agree: true, trail: { debitCount: 1, debitAmount: 10_00n } });
  });

  it('given a merchant filter, then only that merchant is reported, with its own anomalies and totals', () => {
    const day = new Day();
    unbalancedSettledDay(day);
    day.terminal('T0000002', M1, 'CNY').sale(20_00n);
    balancedHkdDay(day);

    const report = dayReport(day.entries(), { businessDay: DAY, merchantId: M2 });

    expect(report.merchantId).toBe(M2);
    expect(report.merchants.map((m) => m.merchantId)).toEqual([M2]);
    expect(report.merchants[0].terminals.map((t) => t.terminalId)).toEqual(['T0000003']);
    expect(report.totals.map((x) => x.currency)).toEqual(['HKD']);
    expect(report.ok).toBe(true);
    expect(dayReport(day.entries(), { businessDay: DAY, merchantId: M1 }).anomalies.map((a) => a.code)).toEqual(['BATCH_STILL_OPEN']);
  });

  it('given entries of another business day, then they are left out; a terminal that only signed on and off is listed without batches', () => {
    const day = new Day();
    const t = day.terminal('T0000001', M1, 'CNY');
    t.sale(99_00n, { businessDay: '2025-03-13' });
    t.signOn();
    t.signOff();

    const report = dayReport(day.entries(), { businessDay: DAY });

    expect(report.merchants[0].terminals).toEqual([{ terminalId: 'T0000001', merchantId: M1, batches: [] }]);
    expect(report.counts).toEqual({ terminals: 1, batches: 0, closed: 0, settled: 0, open: 0 });
    expect(report.ok).toBe(true);
    expect(dayReport(day.entries(), { businessDay: '2025-03-13' }).anomalies.map((a) => a.code)).toEqual(['BATCH_STILL_OPEN']);
  });

  it('given no entries, then the report is empty and ok', () => {
    expect(dayReport([], { businessDay: DAY })).toEqual({
      businessDay: DAY, merchants: [], counts: { terminals: 0, batches: 0, closed: 0, settled: 0, open: 0 }, totals: [], anomalies: [], ok: true,
    });
  });
});
