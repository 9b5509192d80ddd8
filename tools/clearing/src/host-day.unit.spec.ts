import { BREAK_TYPES } from '@pos/reconciliation-domain';
import { describe, expect, it } from 'vitest';
import { decodeHostDay, HostDayInvalid } from './host-day';
import { GeneratorError, parseInject } from './main';

const wireTxn = {
  rrn: '100000000001', terminalId: 'T1000001', merchantId: 'M00000000000001', businessDay: '2026-03-02', batchNo: '000001', stan: '000001',
  kind: 'SALE', method: 'BANK_CARD', amount: '12345', currency: 'CNY', occurredAt: '2026-03-02T09:00:00.000Z', maskedPan: '622848******1234',
  status: 'COMPLETED', expectedFee: '68',
};
const totals = { currency: 'CNY', debitCount: 1, debitAmount: '12345', creditCount: 0, creditAmount: '0' };
const wireBatch = {
  terminalId: 'T1000001', merchantId: 'M00000000000001', businessDay: '2026-03-02', batchNo: '000001', result: 'BALANCED',
  terminalTotals: [totals], hostTotals: [totals], terminalTotalsAtClose: [totals],
};
const wireDay = (txn: Record<string, unknown> = wireTxn) => ({ businessDay: '2026-03-02', transactions: [txn], batches: [wireBatch] });

describe('decodeHostDay', () => {
  it('turns decimal strings of minor units back into bigints', () => {
    const day = decodeHostDay(wireDay(), '2026-03-02');
    expect(day.transactions[0]).toMatchObject({ amount: 12345n, expectedFee: 68n, maskedPan: '622848******1234' });
    expect(day.batches[0]?.hostTotals[0]).toMatchObject({ debitAmount: 12345n, creditAmount: 0n });
  });

  it.each([
    ['a JSON number amount', { ...wireTxn, amount: 12345 }, 'transactions.0.amount'],
    ['a negative fee', { ...wireTxn, expectedFee: '-1' }, 'transactions.0.expectedFee'],
    ['a zero amount', { ...wireTxn, amount: '0' }, 'transactions.0.amount'],
    ['a decimal amount', { ...wireTxn, amount: '123.45' }, 'transactions.0.amount'],
    ['an unknown currency', { ...wireTxn, currency: 'XXX' }, 'transactions.0.currency'],
    ['a local time', { ...wireTxn, occurredAt: '2026-03-02T09:00:00' }, 'transactions.0.occurredAt'],
    ['a day that does not exist', { ...wireTxn, businessDay: '2026-02-30' }, 'transactions.0.businessDay'],
    ['an unknown status', { ...wireTxn, status: 'DECLINED' }, 'transactions.0.status'],
  ])('refuses %s, naming the field', (_name, txn, path) => {
    expect(() => decodeHostDay(wireDay(txn), '2026-03-02')).toThrow(HostDayInvalid);
    expect(() => decodeHostDay(wireDay(txn), '2026-03-02')).toThrow(path);
  });

  it('refuses the answer for another day', () => {
    expect(() => decodeHostDay(wireDay(), '2026-03-03')).toThrow(/asked for business day 2026-03-03/);
  });
});

describe('parseInject', () => {
  it('reads all, none and lists', () => {
    expect(parseInject('all')).toEqual(BREAK_TYPES);
    expect(parseInject('none')).toEqual([]);
    expect(parseInject('fee_mismatch, MISSING_AT_HOST,FEE_MISMATCH')).toEqual(['FEE_MISMATCH', 'MISSING_AT_HOST']);
  });

  it('refuses an unknown type as a usage error', () => {
    expect(() => parseInject('FEE_MISMATCH,CHARGEBACK')).toThrow(GeneratorError);
    expect(() => parseInject('FEE_MISMATCH,CHARGEBACK')).toThrow(/CHARGEBACK/);
    try {
      parseInject('CHARGEBACK');
    } catch (e) {
      expect(e).toMatchObject({ code: 'INJECT_INVALID', exitCode: 2 });
    }
  });
});
