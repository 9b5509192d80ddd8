import { describe, expect, it } from 'vitest';
import type { Settlement } from './api-client';
import { compareRows, compareSettlementLines, formatTotalsTable, postingsImbalance } from './compare';
import type { TotalsRow } from './record';

const row = (over: Partial<TotalsRow> = {}): TotalsRow => ({
  merchantId: 'M00000000000001',
  terminalId: 'T0000001',
  businessDay: '2026-11-24',
  method: 'BANK_CARD',
  currency: 'CNY',
  salesCount: 3,
  salesAmount: 30_000n,
  voidsCount: 1,
  voidsAmount: 10_000n,
  refundsCount: 1,
  refundsAmount: 1_000n,
  reversalsCount: 0,
  gross: 19_000n,
  fees: 120n,
  net: 18_880n,
  settledBatches: 1,
  ...over,
});

const settlement = (postings: Settlement['postings'], lines: Settlement['lines'] = []): Settlement => ({
  settlementId: 'S1',
  terminalId: 'T0000001',
  merchantId: 'M00000000000001',
  batchNo: '000001',
  businessDay: '2026-11-24',
  closeResult: 'BALANCED',
  lines,
  postings,
});

describe('compareRows', () => {
  it('finds nothing when both sides agree', () => {
    expect(compareRows([row(), row({ method: 'QR' })], [row({ method: 'QR' }), row()])).toEqual([]);
  });

  it('detects a one-minor-unit difference in fees', () => {
    const diffs = compareRows([row()], [row({ fees: 121n, net: 18_879n })]);
    expect(diffs).toHaveLength(2);
    expect(diffs[0]).toContain('fees expected 1.20 CNY (120), ledger 1.21 CNY (121)');
    expect(diffs[1]).toContain('net');
  });

  it('detects a count difference and an unsettled row', () => {
    expect(compareRows([row()], [row({ refundsCount: 2 })])).toEqual([expect.stringContaining('refundsCount expected 1, ledger 2')]);
    expect(compareRows([row()], [row({ settledBatches: 0 })])).toEqual([expect.stringContaining('settledBatches')]);
  });

  it('reports rows on one side only, with their figures', () => {
    const missing = compareRows([row(), row({ method: 'QR' })], [row()]);
    expect(missing[0]).toMatch(/QR\/CNY missing in the ledger/);
    expect(missing.some((m) => m.includes('salesAmount expected 300.00 CNY'))).toBe(true);
    const extra = compareRows([], [row({ terminalId: 'T0000009' })]);
    expect(extra[0]).toMatch(/T0000009.*not in the record/);
  });
});

describe('postingsImbalance', () => {
  const p = (account: string, side: string, amount: bigint, currency = 'CNY') => ({ account, side, amount, currency });

  it('accepts balanced journals per currency', () => {
    const s = settlement([p('SCHEME_RECEIVABLE', 'DEBIT', 19_000n), p('MERCHANT_PAYABLE', 'CREDIT', 18_880n), p('FEE_INCOME', 'CREDIT', 120n), p('SCHEME_RECEIVABLE', 'DEBIT', 5n, 'USD'), p('FEE_INCOME', 'CREDIT', 5n, 'USD')]);
    expect(postingsImbalance(s)).toEqual([]);
  });

  it('flags a journal one minor unit off, and currencies that only balance together', () => {
    expect(postingsImbalance(settlement([p('SCHEME_RECEIVABLE', 'DEBIT', 19_000n), p('MERCHANT_PAYABLE', 'CREDIT', 18_881n), p('FEE_INCOME', 'CREDIT', 120n)]))).toEqual([
      expect.stringContaining('CNY debits 190.00 CNY != credits 190.01 CNY'),
    ]);
    expect(postingsImbalance(settlement([p('SCHEME_RECEIVABLE', 'DEBIT', 100n, 'USD'), p('MERCHANT_PAYABLE', 'CREDIT', 100n, 'CNY')]))).toHaveLength(2);
  });
});

describe('compareSettlementLines', () => {
  const line = { currency: 'CNY', method: 'BANK_CARD', salesCount: 3, salesAmount: 30_000n, voidsCount: 1, voidsAmount: 10_000n, refundsCount: 1, refundsAmount: 1_000n, gross: 19_000n, fees: 120n, net: 18_880n };
  it('agrees with matching lines and flags a one-unit fee difference', () => {
    expect(compareSettlementLines('T0000001', [settlement([], [line])], [row()])).toEqual([]);
    expect(compareSettlementLines('T0000001', [settlement([], [{ ...line, fees: 119n, net: 18_881n }])], [row()])).toHaveLength(2);
  });
});

describe('formatTotalsTable', () => {
  it('prints both sides with formatted money and marks a mismatch', () => {
    const table = formatTotalsTable([row()], [row({ fees: 121n })]);
    expect(table).toContain('190.00 CNY');
    expect(table).toContain('1.21 CNY');
    expect(table).toContain('MISMATCH');
    expect(table).toContain('TOTAL');
    expect(formatTotalsTable([row()], [row()])).not.toContain('MISMATCH');
  });
});
