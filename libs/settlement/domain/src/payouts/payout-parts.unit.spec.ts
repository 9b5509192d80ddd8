import { describe, expect, it } from 'vitest';
import { computeSettlementLines } from '../fees/settlement-lines';
import { currencyTotalsOf } from '../journal/journal';
import { batchOf, FRIDAY, plan, refundOf, sale, type TxnSpec, voidOf } from '../testing/settlement.fixtures';
import { isPaidD0, payoutPartsOf, SEED_D0_RULE } from './payout-parts';
import { SHIPPED_CALENDARS, workingDaysOf } from './working-calendar';

/** An instant at a Beijing (UTC+8) wall-clock time on the Friday; 00:xx Beijing is 16:xx UTC the day before. */
const beijing = (hhmm: string): string => {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(Date.UTC(2024, 4, 10, h - 8, m)).toISOString();
};
const d0 = plan({ payoutSchedule: 'D0' });
const card = (rrn: string, amount: bigint, at: string, extra: Partial<TxnSpec> = {}) => sale(rrn, amount, { at, ...extra });
const partsOf = (p: typeof d0, ...events: Parameters<typeof batchOf>) => {
  const batch = batchOf(...events);
  return payoutPartsOf(batch, currencyTotalsOf(computeSettlementLines(batch, p)), p, undefined);
};
const eligible = (...events: Parameters<typeof batchOf>) => {
  const batch = batchOf(...events);
  return Object.values(batch.transactions).map((t) => isPaidD0(t, SEED_D0_RULE, new Set()));
};

describe("the seed's D0 rule: card transactions of 11.00 CNY or more between 00:00 and 23:00 are paid the same day", () => {
  it('given 11.00 CNY, then D0; 10.99 is not; 11.01 is', () => {
    expect(eligible(card('000000000001', 1_100n, beijing('10:00')))).toEqual([true]);
    expect(eligible(card('000000000001', 1_099n, beijing('10:00')))).toEqual([false]);
    expect(eligible(card('000000000001', 1_101n, beijing('10:00')))).toEqual([true]);
  });

  it('given 00:00 and 22:59 local, then D0; 23:00 and 23:59 are not', () => {
    expect(eligible(card('000000000001', 5_000n, beijing('00:00')))).toEqual([true]);
    expect(eligible(card('000000000001', 5_000n, beijing('22:59')))).toEqual([true]);
    expect(eligible(card('000000000001', 5_000n, beijing('23:00')))).toEqual([false]);
    expect(eligible(card('000000000001', 5_000n, beijing('23:59')))).toEqual([false]);
  });

  it('given a QR payment, a currency without a minimum, a batch-upload capture or a refund, then never D0', () => {
    expect(eligible(card('000000000001', 5_000n, beijing('10:00'), { method: 'QR' }))).toEqual([false]);
    expect(eligible(card('000000000001', 5_000n, beijing('10:00'), { currency: 'USD' }))).toEqual([false]);
    expect(eligible(card('000000000001', 5_000n, beijing('10:00'), { capture: 'BATCH_UPLOAD' }))).toEqual([false]);
    expect(eligible(refundOf('000000000002', '000000000900', 5_000n, { at: beijing('10:00') }))).toEqual([false]);
  });
});

describe('payout parts of a batch', () => {
  it('given a T1 plan, then the whole net on the next working day of the calendar, D0-eligible sales included', () => {
    const batch = batchOf(card('000000000001', 5_000n, beijing('10:00')));
    const p = plan();
    // 2026-04-30 is the eve of Labour Day: T+1 is 05-06 on the China calendar.
    const eve = { ...batch, businessDay: '2026-04-30' };
    expect(payoutPartsOf(eve, currencyTotalsOf(computeSettlementLines(eve, p)), p, workingDaysOf(SHIPPED_CALENDARS.CN))).toEqual([
      { currency: 'CNY', schedule: 'T1', payoutDate: '2026-05-06', amount: 4_970n },
    ]);
  });

  it('given a D0 plan, then each D0 sale less its own fee the same day and the rest T+1', () => {
    // 50.00 at 10:00 (fee 30) is D0; 10.99 (fee 7) and 20.00 at 23:30 (fee 12) are not.
    const parts = partsOf(d0, card('000000000001', 5_000n, beijing('10:00')), card('000000000002', 1_099n, beijing('11:00')), card('000000000003', 2_000n, beijing('23:30')));
    expect(parts).toEqual([
      { currency: 'CNY', schedule: 'D0', payoutDate: FRIDAY, amount: 4_970n },
      { currency: 'CNY', schedule: 'T1', payoutDate: '2024-05-13', amount: 1_092n + 1_988n },
    ]);
  });

  it('given a D0 sale voided in its batch, then it is not paid D0 (the void nets it out)', () => {
    expect(partsOf(d0, card('000000000001', 5_000n, beijing('10:00')), voidOf('000000000002', '000000000001', 5_000n))).toEqual([]);
  });

  it('given refunds that leave less than the D0 sales, then the D0 part is the batch net and nothing is paid T+1', () => {
    const parts = partsOf(d0, card('000000000001', 5_000n, beijing('10:00')), refundOf('000000000002', '000000000900', 3_000n));
    expect(parts).toEqual([{ currency: 'CNY', schedule: 'D0', payoutDate: FRIDAY, amount: 1_970n }]);
  });

  it('given refunds above the sales, then no D0 part and one negative T1 part', () => {
    const parts = partsOf(d0, card('000000000001', 5_000n, beijing('10:00')), refundOf('000000000002', '000000000900', 8_000n));
    expect(parts).toEqual([{ currency: 'CNY', schedule: 'T1', payoutDate: '2024-05-13', amount: -3_030n }]);
  });

  it('given a plan with its own window and minimum, then they decide: 08:00 to 20:00, 100.00 CNY', () => {
    const own = plan({ payoutSchedule: 'D0', d0: { from: '08:00', to: '20:00', utcOffsetMinutes: 480, minimums: [{ currency: 'CNY', amount: 10_000n }] } });
    const parts = partsOf(own, card('000000000001', 10_000n, beijing('08:00')), card('000000000002', 10_000n, beijing('07:59')), card('000000000003', 9_999n, beijing('12:00')), card('000000000004', 10_000n, beijing('20:00')));
    expect(parts.map((p) => [p.schedule, p.amount])).toEqual([['D0', 9_940n], ['T1', 9_940n + 9_939n + 9_940n]]);
  });
});
