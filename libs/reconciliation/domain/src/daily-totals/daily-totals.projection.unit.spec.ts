import type {
  BatchSettled,
  SettlementLine,
  TerminalSignedOn,
  TransactionCompleted,
  TransactionKind,
  TransactionReversed,
} from '@pos/contracts';
import type { Event, RecordedEvent } from '@pos/kernel';
import type { CurrencyCode } from '@pos/money';
import { describe, expect, it } from 'vitest';
import {
  type DailyTotalsRow,
  dailyTotalsChanges,
  dailyTotalsKey,
  dailyTotalsKeyPrefix,
  emptyRow,
  projectDailyTotals,
  summarise,
} from './daily-totals.projection';

const DAY = '2025-03-14';
const M = 'M001';
const T = 'T0000001';

let seq = 0;
const recorded = <E extends Event>(type: E['type'], data: E['data'], streamId = `terminal-${T}`): RecordedEvent<Event<E['type'], E['data']>> => {
  seq += 1;
  return {
    type,
    data,
    metadata: {
      eventId: `evt-${seq}`,
      streamId,
      version: seq,
      occurredAt: new Date(Date.UTC(2025, 2, 14, 9, 0, seq)).toISOString(),
      actor: { type: 'terminal', id: T },
      correlationId: `corr-${seq}`,
      causationId: `cause-${seq}`,
      schemaVersion: 1,
      position: String(seq),
      prevHash: `h${seq - 1}`,
      hash: `h${seq}`,
    },
  };
};

let rrn = 0;
const txn = (
  kind: TransactionKind,
  amount: bigint,
  opts: { method?: 'BANK_CARD' | 'QR'; currency?: CurrencyCode; terminalId?: string } = {},
) => {
  rrn += 1;
  const terminalId = opts.terminalId ?? T;
  return recorded<TransactionCompleted>('TransactionCompleted', {
    terminalId,
    merchantId: M,
    businessDay: DAY,
    stan: String(rrn).padStart(6, '0'),
    fingerprint: `fp-${rrn}`,
    transactionId: `${terminalId}-${String(rrn).padStart(12, '0')}`,
    kind,
    method: opts.method ?? 'BANK_CARD',
    amount,
    currency: opts.currency ?? 'CNY',
    rrn: String(rrn).padStart(12, '0'),
    authCode: '123456',
    batchNo: '000001',
    operatorId: '01',
    capture: 'ONLINE',
  });
};

const reversal = (original: RecordedEvent<TransactionCompleted>) =>
  recorded<TransactionReversed>('TransactionReversed', {
    terminalId: original.data.terminalId,
    merchantId: original.data.merchantId,
    businessDay: original.data.businessDay,
    stan: '999999',
    fingerprint: 'fp-rev',
    transactionId: original.data.transactionId,
    rrn: original.data.rrn,
    kind: original.data.kind,
    method: original.data.method,
    amount: original.data.amount,
    currency: original.data.currency,
    originalStan: original.data.stan,
    reason: '98',
    batchNo: original.data.batchNo,
  });

const line = (method: 'BANK_CARD' | 'QR', currency: CurrencyCode, fees: bigint): SettlementLine => ({
  currency,
  method,
  mdrBps: method === 'QR' ? 38 : 60,
  salesCount: 0,
  salesAmount: 0n,
  voidsCount: 0,
  voidsAmount: 0n,
  refundsCount: 0,
  refundsAmount: 0n,
  gross: 0n,
  fees,
  net: -fees,
});

const batchSettled = (lines: SettlementLine[], batchNo = '000001') =>
  recorded<BatchSettled>(
    'BatchSettled',
    {
      settlementId: `S-${batchNo}`,
      terminalId: T,
      merchantId: M,
      batchNo,
      businessDay: DAY,
      closeResult: 'BALANCED',
      pricingPlanId: 'P1',
      roundingRule: 'PER_TRANSACTION_HALF_UP',
      refundReturnsFee: false,
      payoutSchedule: 'T1',
      payoutDate: '2025-03-17',
      lines,
      totals: [],
      postings: [],
    },
    `settlement-${T}-${DAY}-${batchNo}`,
  );

const id = (method: 'BANK_CARD' | 'QR' = 'BANK_CARD', currency: CurrencyCode = 'CNY', terminalId = T) => ({
  businessDay: DAY,
  merchantId: M,
  terminalId,
  method,
  currency,
});

const rowOf = (rows: Map<string, DailyTotalsRow>, ...args: Parameters<typeof id>) => rows.get(dailyTotalsKey(id(...args)));

describe('daily totals', () => {
  it('counts sales, voids and refunds and keeps gross = sales - voids - refunds', () => {
    // given
    const events = [txn('SALE', 100_00n), txn('SALE', 250_50n), txn('VOID', 100_00n), txn('REFUND', 30_25n)];
    // when
    const rows = projectDailyTotals(events);
    // then
    expect(rows.size).toBe(1);
    expect(rowOf(rows)).toEqual({
      ...emptyRow(id()),
      salesCount: 2,
      salesAmount: 350_50n,
      voidsCount: 1,
      voidsAmount: 100_00n,
      refundsCount: 1,
      refundsAmount: 30_25n,
      gross: 220_25n,
      net: 220_25n,
    });
  });

  it('a reversal takes the transaction out of its kind and counts it as a reversal', () => {
    // given
    const sale = txn('SALE', 500_00n);
    const refund = txn('REFUND', 20_00n);
    const reversedSale = txn('SALE', 70_00n);
    // when
    const rows = projectDailyTotals([sale, refund, reversedSale, reversal(reversedSale), reversal(refund)]);
    // then
    const row = rowOf(rows)!;
    expect(row.salesCount).toBe(1);
    expect(row.salesAmount).toBe(500_00n);
    expect(row.refundsCount).toBe(0);
    expect(row.refundsAmount).toBe(0n);
    expect(row.reversalsCount).toBe(2);
    expect(row.reversalsAmount).toBe(90_00n);
    expect(row.gross).toBe(500_00n);
    expect(row.net).toBe(500_00n);
  });

  it('gross and net are consistent after every single event', () => {
    const sale = txn('SALE', 100_00n);
    const events = [sale, txn('VOID', 40_00n), batchSettled([line('BANK_CARD', 'CNY', 36n)]), reversal(sale)];
    const expectedGross = [100_00n, 60_00n, 60_00n, -40_00n];
    let row: DailyTotalsRow | undefined;
    events.forEach((event, i) => {
      const [change] = dailyTotalsChanges(event);
      row = change.apply(row);
      expect(row.gross).toBe(row.salesAmount - row.voidsAmount - row.refundsAmount);
      expect(row.gross).toBe(expectedGross[i]);
      expect(row.net).toBe(row.gross - row.fees);
    });
  });

  it('before settlement fees are 0 and net equals gross; BatchSettled adds fees per line and net = gross - fees', () => {
    // given
    const sales = [txn('SALE', 10_000_00n), txn('SALE', 5_000_00n, { method: 'QR' })];
    const before = projectDailyTotals(sales);
    expect(rowOf(before)!.fees).toBe(0n);
    expect(rowOf(before)!.net).toBe(10_000_00n);
    expect(rowOf(before)!.settledBatches).toBe(0);
    // when
    const after = projectDailyTotals([batchSettled([line('BANK_CARD', 'CNY', 60_00n), line('QR', 'CNY', 19_00n)])], before);
    // then
    expect(rowOf(after)).toMatchObject({ gross: 10_000_00n, fees: 60_00n, net: 9_940_00n, settledBatches: 1 });
    expect(rowOf(after, 'QR')).toMatchObject({ gross: 5_000_00n, fees: 19_00n, net: 4_981_00n, settledBatches: 1 });
    // the earlier map is untouched: the projection is pure
    expect(rowOf(before)!.fees).toBe(0n);
  });

  it('a second settled batch the same day adds its fees and counts again', () => {
    const rows = projectDailyTotals([
      txn('SALE', 100_00n),
      batchSettled([line('BANK_CARD', 'CNY', 60n)], '000001'),
      txn('SALE', 200_00n),
      batchSettled([line('BANK_CARD', 'CNY', 120n)], '000002'),
    ]);
    expect(rowOf(rows)).toMatchObject({ gross: 300_00n, fees: 180n, net: 298_20n, settledBatches: 2 });
  });

  it('a batch repeating a (currency, method) line touches the row once with the summed fees', () => {
    const changes = dailyTotalsChanges(batchSettled([line('QR', 'CNY', 10n), line('QR', 'CNY', 5n)]));
    expect(changes).toHaveLength(1);
    expect(changes[0].apply(undefined)).toMatchObject({ fees: 15n, net: -15n, settledBatches: 1 });
  });

  it('QR and bank card go to separate rows', () => {
    const rows = projectDailyTotals([txn('SALE', 100n, { method: 'QR' }), txn('SALE', 300n, { method: 'BANK_CARD' })]);
    expect(rows.size).toBe(2);
    expect(rowOf(rows, 'QR')).toMatchObject({ method: 'QR', salesCount: 1, salesAmount: 100n });
    expect(rowOf(rows, 'BANK_CARD')).toMatchObject({ method: 'BANK_CARD', salesCount: 1, salesAmount: 300n });
  });

  it('two currencies go to separate rows and are summarised separately', () => {
    const rows = projectDailyTotals([
      txn('SALE', 100_00n, { currency: 'HKD' }),
      txn('SALE', 50_00n, { currency: 'CNY' }),
      txn('SALE', 7_00n, { currency: 'CNY', method: 'QR' }),
      txn('SALE', 1_00n, { currency: 'CNY', terminalId: 'T0000002' }),
      batchSettled([line('BANK_CARD', 'HKD', 60n), line('BANK_CARD', 'CNY', 30n)]),
    ]);
    expect(rows.size).toBe(4);
    expect(rowOf(rows, 'BANK_CARD', 'HKD')).toMatchObject({ currency: 'HKD', salesAmount: 100_00n, fees: 60n });
    expect(rowOf(rows, 'BANK_CARD', 'CNY')).toMatchObject({ currency: 'CNY', salesAmount: 50_00n, fees: 30n });

    expect(summarise(rows.values())).toEqual([
      expect.objectContaining({ currency: 'CNY', salesCount: 3, salesAmount: 58_00n, gross: 58_00n, fees: 30n, net: 57_70n }),
      expect.objectContaining({ currency: 'HKD', salesCount: 1, salesAmount: 100_00n, gross: 100_00n, fees: 60n, net: 99_40n }),
    ]);
  });

  it('summarises nothing to nothing', () => {
    expect(summarise([])).toEqual([]);
  });

  it('keys list by day, then merchant, then terminal', () => {
    const key = dailyTotalsKey(id('QR', 'CNY'));
    expect(key).toBe(`${DAY}|${M}|${T}|QR|CNY`);
    expect(key.startsWith(dailyTotalsKeyPrefix({ businessDay: DAY }))).toBe(true);
    expect(key.startsWith(dailyTotalsKeyPrefix({ businessDay: DAY, merchantId: M }))).toBe(true);
    expect(key.startsWith(dailyTotalsKeyPrefix({ businessDay: DAY, merchantId: M, terminalId: T }))).toBe(true);
    expect(key.startsWith(dailyTotalsKeyPrefix({ businessDay: DAY, merchantId: 'M00' }))).toBe(false);
    expect(() => dailyTotalsKeyPrefix({ businessDay: DAY, terminalId: T })).toThrow(/merchant/);
  });

  it('the change key is the key of the row it produces', () => {
    const [change] = dailyTotalsChanges(txn('REFUND', 1n, { method: 'QR', currency: 'USD' }));
    expect(change.key).toBe(dailyTotalsKey(change.apply(undefined)));
    expect(change.key).toBe(`${DAY}|${M}|${T}|QR|USD`);
  });

  it('does not mutate the row it is given', () => {
    const start = emptyRow(id());
    const [change] = dailyTotalsChanges(txn('SALE', 5n));
    const next = change.apply(start);
    expect(next.salesAmount).toBe(5n);
    expect(start).toEqual(emptyRow(id()));
  });

  it('unrelated event types give no changes', () => {
    const signedOn = recorded<TerminalSignedOn>('TerminalSignedOn', {
      terminalId: T,
      merchantId: M,
      businessDay: DAY,
      stan: '000001',
      fingerprint: 'fp',
      operatorId: '01',
      batchNo: '000001',
    });
    expect(dailyTotalsChanges(signedOn)).toEqual([]);
    expect(dailyTotalsChanges(recorded('PayoutScheduled', { terminalId: T, merchantId: M, businessDay: DAY, amount: 1n }))).toEqual([]);
    expect(projectDailyTotals([signedOn]).size).toBe(0);
  });

  it('refuses a non-bigint amount rather than mixing number and bigint', () => {
    const bad = txn('SALE', 1n);
    const malformed = { ...bad, data: { ...bad.data, amount: 100 as unknown as bigint } };
    expect(() => dailyTotalsChanges(malformed)).toThrow(/bigint/);
  });

  it('rebuilding from the same events gives the same rows', () => {
    const sale = txn('SALE', 123n);
    const events = [sale, txn('SALE', 7n, { method: 'QR' }), reversal(sale), batchSettled([line('QR', 'CNY', 1n)])];
    expect(projectDailyTotals(events)).toEqual(projectDailyTotals(events));
    expect(rowOf(projectDailyTotals(events), 'QR')).toMatchObject({ gross: 7n, net: 6n });
  });
});
