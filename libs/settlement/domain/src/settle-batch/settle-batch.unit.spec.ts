import type { BatchSettled, BatchTotals } from '@pos/contracts';
import { DomainError } from '@pos/kernel';
import { describe, expect, it } from 'vitest';
import { BATCH, FRIDAY, MERCHANT, TERMINAL, batchOf, closedFor, completed, plan, refundOf, reversed, sale, voidOf } from '../testing/settlement.fixtures';
import { workingDaysOf } from '../payouts/working-calendar';
import { emptyPendingBatch } from './pending-batch';
import { settleBatch } from './settle-batch.decider';

const cny = (debitCount: number, debitAmount: bigint, creditCount: number, creditAmount: bigint): BatchTotals => ({
  currency: 'CNY',
  debitCount,
  debitAmount,
  creditCount,
  creditAmount,
});

const caught = (f: () => unknown): DomainError => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
};

describe('settleBatch (decider)', () => {
  // Given a Friday batch: a 10,000.00 QR sale, a 12.50 card sale, a 50.00 card sale voided,
  // a 20.00 card refund of an earlier sale, and a 99.00 sale that was reversed.
  const reversedSale = { rrn: '000000000006', amount: 9_900n };
  const batch = batchOf(
    sale('000000000001', 1_000_000n, { method: 'QR' }),
    sale('000000000002', 1_250n),
    sale('000000000003', 5_000n),
    voidOf('000000000004', '000000000003', 5_000n),
    refundOf('000000000005', '000000000500', 2_000n),
    completed(reversedSale),
    reversed(reversedSale),
  );
  const closed = closedFor(batch, { hostTotals: [cny(3, 1_006_250n, 2, 7_000n)], result: 'UNBALANCED' });

  it('given host totals that agree, when the batch is settled, then BatchSettled carries lines, totals, balanced postings and the T1 payout date', () => {
    const [settled, ...rest] = settleBatch({ batch, closed, plans: [plan()], settlementId: 'S-1' });

    expect(settled).toEqual<BatchSettled>({
      type: 'BatchSettled',
      data: {
        settlementId: 'S-1',
        terminalId: TERMINAL,
        merchantId: MERCHANT,
        batchNo: BATCH,
        businessDay: FRIDAY,
        closeResult: 'UNBALANCED',
        pricingPlanId: 'PLAN-STD',
        roundingRule: 'PER_TRANSACTION_HALF_UP',
        refundReturnsFee: false,
        payoutSchedule: 'T1',
        payoutDate: '2024-05-13',
        payoutParts: [{ currency: 'CNY', schedule: 'T1', payoutDate: '2024-05-13', amount: 995_442n }],
        lines: [
          {
            currency: 'CNY',
            method: 'BANK_CARD',
            mdrBps: 60,
            salesCount: 2,
            salesAmount: 6_250n,
            voidsCount: 1,
            voidsAmount: 5_000n,
            refundsCount: 1,
            refundsAmount: 2_000n,
            gross: -750n,
            fees: 8n, // only the 12.50 sale: the voided one pays nothing, the refund returns nothing
            net: -758n,
          },
          {
            currency: 'CNY',
            method: 'QR',
            mdrBps: 38,
            salesCount: 1,
            salesAmount: 1_000_000n,
            voidsCount: 0,
            voidsAmount: 0n,
            refundsCount: 0,
            refundsAmount: 0n,
            gross: 1_000_000n,
            fees: 3_800n,
            net: 996_200n,
          },
        ],
        totals: [{ currency: 'CNY', gross: 999_250n, fees: 3_808n, net: 995_442n }],
        postings: [
          { account: 'SCHEME_RECEIVABLE', side: 'DEBIT', amount: 999_250n, currency: 'CNY' },
          { account: 'MERCHANT_PAYABLE', side: 'CREDIT', amount: 995_442n, currency: 'CNY' },
          { account: 'FEE_INCOME', side: 'CREDIT', amount: 3_808n, currency: 'CNY' },
        ],
      },
    });
    expect(rest).toEqual([]);
  });

  it('given host totals missing a sale the settlement service saw, then SETTLEMENT_TOTALS_DISAGREE (95, state) with both sides', () => {
    const expected = [cny(2, 1_001_250n, 2, 7_000n)];

    const error = caught(() => settleBatch({ batch, closed: { ...closed, hostTotals: expected }, plans: [plan()], settlementId: 'S-1' }));

    expect(error.code).toBe('SETTLEMENT_TOTALS_DISAGREE');
    expect(error.responseCode).toBe('95');
    expect(error.kind).toBe('state');
    expect(error.details).toEqual({ expected, actual: [cny(3, 1_006_250n, 2, 7_000n)] });
  });

  it('given an event lost upstream (host totals include a refund never seen here), then it refuses to settle', () => {
    expect(() =>
      settleBatch({ batch, closed: { ...closed, hostTotals: [cny(3, 1_006_250n, 3, 8_000n)] }, plans: [plan()], settlementId: 'S-1' }),
    ).toThrowError(expect.objectContaining({ code: 'SETTLEMENT_TOTALS_DISAGREE' }));
  });

  it('given host totals silent about a currency seen here, then they disagree; given a listed currency with zero totals, they agree', () => {
    const withUsd = batchOf(sale('000000000001', 1_000n), sale('000000000002', 500n, { currency: 'USD' }));

    expect(() =>
      settleBatch({ batch: withUsd, closed: closedFor(withUsd, { hostTotals: [cny(1, 1_000n, 0, 0n)] }), plans: [plan()], settlementId: 'S-2' }),
    ).toThrowError(expect.objectContaining({ code: 'SETTLEMENT_TOTALS_DISAGREE' }));

    const cnyOnly = batchOf(sale('000000000001', 1_000n));
    const zeroUsd: BatchTotals = { currency: 'USD', debitCount: 0, debitAmount: 0n, creditCount: 0, creditAmount: 0n };
    const [settled] = settleBatch({
      batch: cnyOnly,
      closed: closedFor(cnyOnly, { hostTotals: [zeroUsd, cny(1, 1_000n, 0, 0n)] }),
      plans: [plan()],
      settlementId: 'S-3',
    });
    expect(settled.data.totals).toEqual([{ currency: 'CNY', gross: 1_000n, fees: 6n, net: 994n }]);
  });

  it('given a sale delivered twice, then it is settled once', () => {
    const once = sale('000000000001', 1_250n);
    const twice = batchOf(once, once);

    const [settled] = settleBatch({ batch: twice, closed: closedFor(twice, { hostTotals: [cny(1, 1_250n, 0, 0n)] }), plans: [plan()], settlementId: 'S-4' });

    expect(settled.data.lines.map((l) => [l.salesCount, l.salesAmount, l.fees])).toEqual([[1, 1_250n, 8n]]);
    expect(settled.data.payoutParts?.map((p) => p.amount)).toEqual([1_242n]);
  });

  it('given refunds exceeding sales in one currency and a fully voided sale in another, then a negative payout part and none for the zero net', () => {
    const mixed = batchOf(
      sale('000000000001', 1_000n, { currency: 'HKD' }),
      refundOf('000000000002', '000000000700', 30_000n, { currency: 'HKD' }),
      sale('000000000003', 5_000n, { currency: 'USD' }),
      voidOf('000000000004', '000000000003', 5_000n, { currency: 'USD' }),
    );

    const [settled] = settleBatch({ batch: mixed, closed: closedFor(mixed), plans: [plan({ refundReturnsFee: true })], settlementId: 'S-5' });

    // HKD: gross -290.00, fees 6 - 180 = -174, net -288.26
    expect(settled.data.totals).toEqual([
      { currency: 'HKD', gross: -29_000n, fees: -174n, net: -28_826n },
      { currency: 'USD', gross: 0n, fees: 0n, net: 0n },
    ]);
    expect(settled.data.postings).toEqual([
      { account: 'SCHEME_RECEIVABLE', side: 'CREDIT', amount: 29_000n, currency: 'HKD' },
      { account: 'MERCHANT_PAYABLE', side: 'DEBIT', amount: 28_826n, currency: 'HKD' },
      { account: 'FEE_INCOME', side: 'DEBIT', amount: 174n, currency: 'HKD' },
    ]);
    expect(settled.data.payoutParts).toEqual([{ currency: 'HKD', schedule: 'T1', payoutDate: '2024-05-13', amount: -28_826n }]);
  });

  it('uses the plan in force on the batch business day, names its rounding rule and pays D0 on the same day', () => {
    const plans = [
      plan({ planId: 'OLD', effectiveFrom: '2024-01-01' }),
      plan({ planId: 'NEW', effectiveFrom: '2024-05-01', payoutSchedule: 'D0', rounding: { scope: 'PER_BATCH', mode: 'HALF_EVEN' } }),
      plan({ planId: 'FUTURE', effectiveFrom: '2024-05-11' }),
    ];
    // 10:00 Beijing time on the Friday: inside the seed's D0 window, and 12.50 is above its 11.00 minimum.
    const at = `${FRIDAY}T02:00:00.000Z`;
    const three = batchOf(sale('000000000001', 1_250n, { at }), sale('000000000002', 1_250n, { at }), sale('000000000003', 1_250n, { at }));

    const [settled] = settleBatch({ batch: three, closed: closedFor(three, { hostTotals: [cny(3, 3_750n, 0, 0n)] }), plans, settlementId: 'S-6' });

    expect(settled.data).toMatchObject({
      pricingPlanId: 'NEW',
      roundingRule: 'PER_BATCH_HALF_EVEN',
      payoutSchedule: 'D0',
      payoutDate: '2024-05-13',
      payoutParts: [{ currency: 'CNY', schedule: 'D0', payoutDate: FRIDAY, amount: 3_728n }],
      totals: [{ currency: 'CNY', gross: 3_750n, fees: 22n, net: 3_728n }],
    });
    expect(settled.data.pricingPlanVersion).toBeUndefined();

  });

  it("given the merchant's published versions and a calendar, then the version in force names itself and T+1 rolls on that calendar, named with its version", () => {
    const published = [{ merchantId: MERCHANT, version: 2, plan: plan({ planId: 'PUB', effectiveFrom: '2024-05-01' }), publishedBy: 'finance' }];
    // A calendar making Monday 2024-05-13 a holiday.
    const calendars = { CN: { ...workingDaysOf({ country: 'CN', from: '2024-01-01', to: '2024-12-31', source: 'test', holidays: [{ name: 'h', from: '2024-05-13', to: '2024-05-13' }], workdays: [] }), version: 3 } };

    const [settled] = settleBatch({ batch, closed, plans: [plan()], published, calendars, settlementId: 'S-11' });

    expect(settled.data).toMatchObject({ pricingPlanId: 'PUB', pricingPlanVersion: 2, payoutDate: '2024-05-14', payoutCalendar: { country: 'CN', version: 3 } });
  });

  it('given no plan in force, then PRICING_PLAN_MISSING', () => {
    expect(() =>
      settleBatch({ batch, closed, plans: [plan({ effectiveFrom: '2024-06-01' })], settlementId: 'S-7' }),
    ).toThrowError(expect.objectContaining({ code: 'PRICING_PLAN_MISSING' }));
  });

  it('given a batch closed with no transaction seen, then it settles to nothing and schedules no payout', () => {
    const id = { terminalId: TERMINAL, merchantId: MERCHANT, businessDay: FRIDAY, batchNo: BATCH };
    const closedEmpty = closedFor(emptyPendingBatch(id), { hostTotals: [] });

    const result = settleBatch({ batch: undefined, closed: closedEmpty, plans: [plan()], settlementId: 'S-8' });

    expect(result).toHaveLength(1);
    expect(result[0].data).toMatchObject({ lines: [], totals: [], postings: [], payoutDate: '2024-05-13' });
  });

  it('given an empty batch whose BatchClosed claims a sale, then the totals disagree', () => {
    const id = { terminalId: TERMINAL, merchantId: MERCHANT, businessDay: FRIDAY, batchNo: BATCH };

    expect(() =>
      settleBatch({ batch: undefined, closed: closedFor(emptyPendingBatch(id), { hostTotals: [cny(1, 100n, 0, 0n)] }), plans: [plan()], settlementId: 'S-9' }),
    ).toThrowError(expect.objectContaining({ code: 'SETTLEMENT_TOTALS_DISAGREE' }));
  });

  it('refuses to settle a pending batch against the BatchClosed of another batch', () => {
    expect(() => settleBatch({ batch, closed: { ...closed, batchNo: '000043' }, plans: [plan()], settlementId: 'S-10' })).toThrowError(
      expect.objectContaining({ code: 'SETTLEMENT_BATCH_MISMATCH', responseCode: '96' }),
    );
  });
});
