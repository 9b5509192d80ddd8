import { describe, expect, it } from 'vitest';
import { type CountedTransaction, currenciesDiffering, totalsEqual, totalsOf } from './batch-totals';
import { nextBatchNo, rrnFor } from './terminal.decider';
import { totals } from './terminal.test-kit';

const t = (kind: CountedTransaction['kind'], amount: bigint, currency: CountedTransaction['currency'] = 'CNY', reversed = false): CountedTransaction => ({
  kind, amount, currency, reversed,
});

describe('totalsOf', () => {
  it('sums sales as debits and voids and refunds as credits, per currency sorted by code, leaving reversed ones out', () => {
    expect(
      totalsOf([t('SALE', 100n, 'USD'), t('SALE', 1_000n), t('VOID', 1_000n), t('SALE', 250n), t('REFUND', 50n), t('SALE', 7n, 'CNY', true), t('REFUND', 9n, 'USD', true)]),
    ).toEqual([totals('CNY', 2, 1_250n, 2, 1_050n), totals('USD', 1, 100n)]);
  });

  it('has no row for a currency whose transactions were all reversed', () => {
    expect(totalsOf([t('SALE', 100n, 'USD', true)])).toEqual([]);
  });
});

describe('totalsEqual', () => {
  it('compares currency by currency, ignoring order', () => {
    expect(totalsEqual([totals('CNY', 1, 100n), totals('USD', 2, 5n)], [totals('USD', 2, 5n), totals('CNY', 1, 100n)])).toBe(true);
  });

  it('treats a currency absent on one side as zero', () => {
    expect(totalsEqual([totals('CNY', 1, 100n), totals('USD', 0, 0n)], [totals('CNY', 1, 100n)])).toBe(true);
    expect(totalsEqual([totals('CNY', 1, 100n)], [totals('CNY', 1, 100n), totals('USD', 1, 1n)])).toBe(false);
  });

  it.each([
    ['debit count', totals('CNY', 2, 100n, 1, 10n)],
    ['debit amount', totals('CNY', 1, 101n, 1, 10n)],
    ['credit count', totals('CNY', 1, 100n, 2, 10n)],
    ['credit amount', totals('CNY', 1, 100n, 1, 11n)],
    ['currency', totals('USD', 1, 100n, 1, 10n)],
  ])('sees a different %s', (_field, other) => {
    expect(totalsEqual([totals('CNY', 1, 100n, 1, 10n)], [other])).toBe(false);
  });
});

describe('currenciesDiffering', () => {
  it('lists the currencies whose totals differ, including one present on a single side', () => {
    expect(
      currenciesDiffering([totals('USD', 1, 5n), totals('CNY', 1, 100n), totals('HKD', 1, 1n)], [totals('CNY', 1, 100n), totals('USD', 1, 6n), totals('EUR', 1, 1n)]),
    ).toEqual(['EUR', 'HKD', 'USD']);
  });
});

describe('nextBatchNo', () => {
  it.each([
    ['000001', '000002'],
    ['000099', '000100'],
    ['123456', '123457'],
    ['999998', '999999'],
    ['999999', '000001'],
  ])('%s -> %s', (from, to) => {
    expect(nextBatchNo(from)).toBe(to);
  });
});

describe('rrnFor', () => {
  it('is YY + day of year + a 7-digit sequence', () => {
    expect(rrnFor(new Date('2026-11-24T10:00:00Z'), 1)).toBe('263280000001');
    expect(rrnFor(new Date('2026-01-01T00:00:00Z'), 42)).toBe('260010000042');
    expect(rrnFor(new Date('2024-12-31T23:59:59.999Z'), 1_234_567)).toBe('243661234567');
  });

  it('stays 12 digits when the sequence passes 7 digits', () => {
    expect(rrnFor(new Date('2026-11-24T10:00:00Z'), 10_000_001)).toBe('263280000001');
  });
});
