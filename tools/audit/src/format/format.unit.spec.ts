import type { AuditExportLine, DayReport, DayReportAnomaly, DayReportBatch, RunningTotals } from '@pos/reconciliation-domain';
import type { CurrencyCode } from '@pos/money';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { dayReportToCsv, dayReportToText, decimalOf, exportLinesToCsv, exportLinesToTable } from './index';

const DAY = '2025-03-14';
const M1 = 'M00000000000001';
const M2 = 'M00000000000002';

const running = (currency: CurrencyCode, debitCount: number, debitAmount: bigint, creditCount: number, creditAmount: bigint): RunningTotals => ({
  currency, debitCount, debitAmount, creditCount, creditAmount, net: debitAmount - creditAmount,
});

/** The columns every line has, for the seq-th event of terminal T0000001. */
const at = (seq: number, type: string, actor = 'operator:01') => ({
  seq, type, actor, eventId: `evt-${seq}`, occurredAt: `2025-03-14T09:00:0${seq}.000Z`, terminalId: 'T0000001', merchantId: M1, businessDay: DAY,
  streamId: 'terminal-T0000001', version: seq, hash: `h${seq}`, prevHash: `h${seq - 1}`, batchNo: '000001',
});

/** A sign-on, a CNY sale, a KWD sale, a refund and its reversal, a payout: as auditExportLines gives them. */
const LINES: AuditExportLine[] = [
  { ...at(1, 'TerminalSignedOn', 'operator:Wang, Li "night shift"'), stan: '000001', before: [], after: [] },
  {
    ...at(2, 'TransactionCompleted'), stan: '000002', rrn: '500100000200', kind: 'SALE', method: 'BANK_CARD', amount: '12345', currency: 'CNY',
    movement: { currency: 'CNY', side: 'DEBIT', count: 1, amount: 123_45n }, before: [], after: [running('CNY', 1, 123_45n, 0, 0n)],
  },
  {
    ...at(3, 'TransactionCompleted'), stan: '000003', rrn: '500100000300', kind: 'SALE', method: 'QR', amount: '1500', currency: 'KWD',
    movement: { currency: 'KWD', side: 'DEBIT', count: 1, amount: 1500n },
    before: [running('CNY', 1, 123_45n, 0, 0n)], after: [running('CNY', 1, 123_45n, 0, 0n), running('KWD', 1, 1500n, 0, 0n)],
  },
  {
    ...at(4, 'TransactionCompleted'), stan: '000004', rrn: '500100000400', kind: 'REFUND', method: 'BANK_CARD', amount: '20000', currency: 'CNY',
    movement: { currency: 'CNY', side: 'CREDIT', count: 1, amount: 200_00n },
    before: [running('CNY', 1, 123_45n, 0, 0n), running('KWD', 1, 1500n, 0, 0n)], after: [running('CNY', 1, 123_45n, 1, 200_00n), running('KWD', 1, 1500n, 0, 0n)],
  },
  {
    ...at(5, 'TransactionReversed', 'terminal:T0000001'), stan: '000005', rrn: '500100000400', kind: 'REFUND', method: 'BANK_CARD', amount: '20000', currency: 'CNY',
    movement: { currency: 'CNY', side: 'CREDIT', count: -1, amount: -200_00n },
    before: [running('CNY', 1, 123_45n, 1, 200_00n), running('KWD', 1, 1500n, 0, 0n)], after: [running('CNY', 1, 123_45n, 0, 0n), running('KWD', 1, 1500n, 0, 0n)],
  },
  {
    ...at(6, 'PayoutScheduled', 'system:settlement'), streamId: 'settlement-T0000001-2025-03-14-000001', version: 2, amount: '-5', currency: 'CNY',
    before: [running('CNY', 1, 123_45n, 0, 0n), running('KWD', 1, 1500n, 0, 0n)], after: [running('CNY', 1, 123_45n, 0, 0n), running('KWD', 1, 1500n, 0, 0n)],
  },
];

const csvRecords = (text: string): Record<string, string>[] => parse(text, { columns: true });

describe('decimals', () => {
  it('given minor units, then the decimal follows the currency exponent and keeps the sign; an unknown currency gives a blank', () => {
    expect(decimalOf(123_45n, 'CNY')).toBe('123.45');
    expect(decimalOf(-5n, 'CNY')).toBe('-0.05');
    expect(decimalOf(1500n, 'JPY')).toBe('1500');
    expect(decimalOf(1500n, 'KWD')).toBe('1.500');
    expect(decimalOf(1n, 'XXX')).toBe('');
    expect(decimalOf(1n, undefined)).toBe('');
  });
});

describe('audit export CSV', () => {
  it('given export lines, then a header and one row each, with the amount in minor units and as a decimal', () => {
    const rows = csvRecords(exportLinesToCsv(LINES));

    expect(rows).toHaveLength(6);
    expect(rows.map((r) => r.seq)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(rows[1]).toMatchObject({ type: 'TransactionCompleted', rrn: '500100000200', kind: 'SALE', amount_minor: '12345', amount: '123.45', currency: 'CNY', effect: '+DEBIT' });
    expect(rows[2]).toMatchObject({ amount_minor: '1500', amount: '1.500', currency: 'KWD' });
    expect(rows[4]).toMatchObject({ type: 'TransactionReversed', effect: '-CREDIT', actor: 'terminal:T0000001' });
  });

  it('given a money-moving event, then before and after are for its currency only; an event moving no money has them blank', () => {
    const rows = csvRecords(exportLinesToCsv(LINES));

    expect(rows[2]).toMatchObject({
      before_debit_count: '0', before_debit_amount_minor: '0', before_debit_amount: '0.000', before_net: '0.000',
      after_debit_count: '1', after_debit_amount_minor: '1500', after_debit_amount: '1.500', after_net_minor: '1500',
    });
    expect(rows[4]).toMatchObject({
      before_credit_count: '1', before_credit_amount: '200.00', before_net_minor: '-7655', before_net: '-76.55',
      after_credit_count: '0', after_credit_amount: '0.00', after_net: '123.45',
    });
    for (const quiet of [rows[0], rows[5]]) {
      expect(quiet.effect).toBe('');
      expect(quiet.before_debit_count).toBe('');
      expect(quiet.after_net).toBe('');
    }
    expect(rows[5]).toMatchObject({ type: 'PayoutScheduled', amount_minor: '-5', amount: '-0.05' });
  });

  it('given a field with a comma and quotes, then it is quoted so the row keeps its columns', () => {
    const text = exportLinesToCsv(LINES);

    expect(text.split('\n')[1]).toContain('"operator:Wang, Li ""night shift"""');
    expect(csvRecords(text)[0]).toMatchObject({ actor: 'operator:Wang, Li "night shift"', terminal_id: 'T0000001', stan: '000001' });
  });

  it('given no lines, then only the header', () => {
    expect(exportLinesToCsv([]).trim().split('\n')).toHaveLength(1);
    expect(exportLinesToCsv([])).toMatch(/^seq,occurred_at,type,actor,/);
  });
});

describe('audit export table', () => {
  it('given a terminal day, then a fixed-width row per event with decimals and running totals, and the final totals below', () => {
    const text = exportLinesToTable(LINES);
    const tableLines = text.split('\n').filter((l) => /^[┌│├└]/.test(l));

    expect(new Set(tableLines.map((l) => l.length)).size).toBe(1);
    expect(text).toContain('123.45 CNY');
    expect(text).toContain('1.500 KWD');
    expect(tableLines.find((l) => l.includes('TransactionReversed'))).toMatch(/-CREDIT.*1 \/ 123\.45.*0 \/ 0\.00.*123\.45 CNY/);
    expect(text.trimEnd().split('\n').slice(-3)).toEqual([
      '6 event(s)',
      'CNY debits 1 / 123.45, credits 0 / 0.00, net 123.45',
      'KWD debits 1 / 1.500, credits 0 / 0.000, net 1.500',
    ]);
  });
});

const anomaly = (code: DayReportAnomaly['code'], merchantId: string, batchNo: string, message: string, currency?: CurrencyCode): DayReportAnomaly => ({
  code, merchantId, terminalId: merchantId === M1 ? 'T0000001' : 'T0000002', batchNo, message, ...(currency ? { currency } : {}),
});

const JOURNAL_USD = anomaly('JOURNAL_UNBALANCED', M1, '000001', 'batch 000001 of terminal T0000001: journal in USD does not balance: debits 20.00 USD, credits 19.90 USD', 'USD');
const NOT_SETTLED = anomaly('BATCH_NOT_SETTLED', M2, '000077', 'batch 000077 of terminal T0000002 was closed but not settled');

/** M1: an unbalanced two-currency batch, settled, the USD journal off by 0.10; M2: an empty batch closed but not settled. */
const UNBALANCED: DayReportBatch = {
  terminalId: 'T0000001', batchNo: '000001', status: 'CLOSED', closedAt: '2025-03-14T18:00:00.000Z', result: 'UNBALANCED', transactionCount: 3,
  totals: [
    { currency: 'CNY', terminal: running('CNY', 2, 145_00n, 0, 0n), host: running('CNY', 1, 100_00n, 0, 0n), agree: false, trail: running('CNY', 1, 100_00n, 0, 0n) },
    { currency: 'USD', terminal: running('USD', 1, 20_00n, 0, 0n), host: running('USD', 1, 20_00n, 0, 0n), agree: true, trail: running('USD', 1, 20_00n, 0, 0n) },
  ],
  differences: [{ kind: 'MISSING_AT_HOST', currency: 'CNY', stan: '000042', terminalAmount: 45_00n, note: 'not booked: amount or currency not acceptable' }],
  settlement: {
    settlementId: 'STL-1', settledAt: '2025-03-14T18:00:05.000Z', closeResult: 'UNBALANCED', pricingPlanId: 'STANDARD, 2025 "promo"', roundingRule: 'PER_BATCH_HALF_EVEN',
    refundReturnsFee: true, payoutSchedule: 'T1', payoutDate: '2025-03-17',
    totals: [{ currency: 'CNY', gross: 100_00n, fees: 60n, net: 99_40n }, { currency: 'USD', gross: 20_00n, fees: 12n, net: 19_88n }],
    lines: [
      { currency: 'CNY', method: 'BANK_CARD', mdrBps: 60, salesCount: 1, salesAmount: 100_00n, voidsCount: 0, voidsAmount: 0n, refundsCount: 0, refundsAmount: 0n, gross: 100_00n, fees: 60n, net: 99_40n },
      { currency: 'USD', method: 'BANK_CARD', mdrBps: 60, salesCount: 1, salesAmount: 20_00n, voidsCount: 0, voidsAmount: 0n, refundsCount: 0, refundsAmount: 0n, gross: 20_00n, fees: 12n, net: 19_88n },
    ],
  },
  journal: [{ currency: 'CNY', debits: 100_00n, credits: 100_00n, ok: true }, { currency: 'USD', debits: 20_00n, credits: 19_90n, ok: false }],
  payouts: [
    { payoutId: 'STL-1-CNY', settlementId: 'STL-1', schedule: 'T1', scheduledAt: '2025-03-14T18:00:05.000Z', payoutDate: '2025-03-17', currency: 'CNY', amount: 99_40n },
    { settlementId: 'STL-1', schedule: 'T1', scheduledAt: '2025-03-14T18:00:05.000Z', payoutDate: '2025-03-17', currency: 'USD', amount: 19_88n },
  ],
  anomalies: [JOURNAL_USD],
};

const EMPTY: DayReportBatch = {
  terminalId: 'T0000002', batchNo: '000077', status: 'CLOSED', closedAt: '2025-03-14T19:00:00.000Z', result: 'BALANCED', transactionCount: 0,
  totals: [], differences: [], journal: [], payouts: [], anomalies: [NOT_SETTLED],
};

const dayTotals = (currency: CurrencyCode, gross: bigint, fees: bigint) => ({
  currency, batches: 1, balanced: 0, unbalanced: 1, open: 0, gross, fees, net: gross - fees, payoutCount: 1, payouts: gross - fees,
});

const REPORT: DayReport = {
  businessDay: DAY,
  merchants: [
    {
      merchantId: M1, terminals: [{ terminalId: 'T0000001', merchantId: M1, batches: [UNBALANCED] }], counts: { terminals: 1, batches: 1, closed: 1, settled: 1, open: 0 },
      totals: [dayTotals('CNY', 100_00n, 60n), dayTotals('USD', 20_00n, 12n)], anomalies: [JOURNAL_USD],
    },
    {
      merchantId: M2, terminals: [{ terminalId: 'T0000002', merchantId: M2, batches: [EMPTY] }], counts: { terminals: 1, batches: 1, closed: 1, settled: 0, open: 0 },
      totals: [], anomalies: [NOT_SETTLED],
    },
  ],
  counts: { terminals: 2, batches: 2, closed: 2, settled: 1, open: 0 },
  totals: [dayTotals('CNY', 100_00n, 60n), dayTotals('USD', 20_00n, 12n)],
  anomalies: [JOURNAL_USD, NOT_SETTLED],
  ok: false,
};

describe('day report text', () => {
  it('given a day with anomalies, then they come first, before the merchants', () => {
    const lines = dayReportToText(REPORT).split('\n');

    expect(lines.slice(0, 4)).toEqual([
      'Day report 2025-03-14',
      'Status: 2 ANOMALIES',
      `  ! JOURNAL_UNBALANCED: ${JOURNAL_USD.message}`,
      `  ! BATCH_NOT_SETTLED: ${NOT_SETTLED.message}`,
    ]);
    expect(lines.findIndex((l) => l.startsWith('Merchant '))).toBeGreaterThan(3);
  });

  it('given merchants, terminals and batches, then each has its heading, differences are listed and journals are marked', () => {
    const text = dayReportToText(REPORT);

    expect(text).toContain(`Merchant ${M1}: 1 terminal(s), 1 batch(es), 1 closed, 1 settled, 0 open`);
    expect(text).toContain('  Terminal T0000001\n    Batch 000001: closed UNBALANCED at 2025-03-14T18:00:00.000Z, 3 transaction(s)');
    expect(text).toContain('CNY terminal debits 2 / 145.00, credits 0 / 0.00 | host debits 1 / 100.00, credits 0 / 0.00 | DIFFER');
    expect(text).toContain('USD terminal debits 1 / 20.00, credits 0 / 0.00 | host debits 1 / 20.00, credits 0 / 0.00 | agree');
    expect(text).toContain('Differences:\n        MISSING_AT_HOST CNY stan 000042 host - terminal 45.00: not booked: amount or currency not acceptable');
    expect(text).toContain('Journal CNY: debits 100.00, credits 100.00  OK');
    expect(text).toContain('Journal USD: debits 20.00, credits 19.90  NOT BALANCED');
    expect(text).toContain('Payout T1: 19.88 USD on 2025-03-17');
    expect(text).toContain('CNY  batches 1 (balanced 0, unbalanced 1), open 0  gross 100.00  fees 0.60  net 99.40  payouts 1: 99.40');
    expect(text).toContain('  Terminal T0000002\n    Batch 000077: closed BALANCED at 2025-03-14T19:00:00.000Z, 0 transaction(s)\n      Settlement: none');
  });

  it('given a settled batch without payouts and one anomaly, then the batch says so and the status is singular', () => {
    const unpaid: DayReportBatch = { ...UNBALANCED, payouts: [] };
    const report: DayReport = { ...REPORT, merchants: [{ ...REPORT.merchants[0], terminals: [{ terminalId: 'T0000001', merchantId: M1, batches: [unpaid] }] }], anomalies: [JOURNAL_USD] };
    const text = dayReportToText(report);
    expect(text).toContain('Journal USD: debits 20.00, credits 19.90  NOT BALANCED\n      Payouts: none\n');
    expect(text.split('\n')[1]).toBe('Status: 1 ANOMALY');
  });

  it('given a clean day for one merchant, then the status says OK and names the merchant', () => {
    const clean: DayReport = { ...REPORT, merchantId: M1, merchants: [{ ...REPORT.merchants[0], anomalies: [] }], anomalies: [], ok: true };
    expect(dayReportToText(clean).split('\n').slice(0, 2)).toEqual([`Day report 2025-03-14, merchant ${M1}`, 'Status: OK, no anomalies']);
  });
});

describe('day report CSV', () => {
  it('given a two-currency batch and an empty one, then one row per batch and currency, and one blank-currency row for the empty batch', () => {
    const rows = csvRecords(dayReportToCsv(REPORT));

    expect(rows.map((r) => [r.merchant_id, r.batch_no, r.currency])).toEqual([[M1, '000001', 'CNY'], [M1, '000001', 'USD'], [M2, '000077', '']]);
    expect(rows[0]).toMatchObject({
      terminal_debit_count: '2', terminal_debit_amount_minor: '14500', terminal_debit_amount: '145.00', host_debit_amount: '100.00', totals_agree: 'false',
      differences: '1', gross_minor: '10000', gross: '100.00', fees: '0.60', net: '99.40', journal_ok: 'true', payout_count: '1', payouts: '99.40', anomalies: '',
    });
    expect(rows[1]).toMatchObject({ totals_agree: 'true', differences: '0', journal_debits: '20.00', journal_credits: '19.90', journal_ok: 'false', anomalies: 'JOURNAL_UNBALANCED' });
    expect(rows[2]).toMatchObject({ status: 'CLOSED', settlement_id: '', gross: '', journal_ok: '', payout_count: '0', anomalies: 'BATCH_NOT_SETTLED' });
  });

  it('given a pricing plan name with a comma and quotes, then it is quoted and read back whole', () => {
    const text = dayReportToCsv(REPORT);

    expect(text).toContain('"STANDARD, 2025 ""promo"""');
    expect(csvRecords(text)[0]).toMatchObject({ pricing_plan: 'STANDARD, 2025 "promo"', rounding_rule: 'PER_BATCH_HALF_EVEN' });
  });
});
