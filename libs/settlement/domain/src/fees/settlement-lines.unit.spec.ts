import type { PricingPlan } from '@pos/contracts';
import { describe, expect, it } from 'vitest';
import { batchOf, completed, plan, refundOf, reversed, sale, voidOf } from '../testing/settlement.fixtures';
import { computeSettlementLines, roundingRuleOf } from './settlement-lines';

const rounding = (scope: PricingPlan['rounding']['scope'], mode: PricingPlan['rounding']['mode']) => ({ rounding: { scope, mode } });

const feesOf = (p: PricingPlan, ...events: Parameters<typeof batchOf>): bigint[] =>
  computeSettlementLines(batchOf(...events), p).map((l) => l.fees);

describe('settlement lines: fees at the edges of the rounding rules', () => {
  it('given 12.50 CNY on a bank card at 60 bps (a 7.5 minor-unit tie), then HALF_UP charges 8 and HALF_EVEN charges 8', () => {
    const s = sale('000000000001', 1_250n);

    expect(feesOf(plan(rounding('PER_TRANSACTION', 'HALF_UP')), s)).toEqual([8n]);
    expect(feesOf(plan(rounding('PER_TRANSACTION', 'HALF_EVEN')), s)).toEqual([8n]);
    expect(feesOf(plan(rounding('PER_BATCH', 'HALF_UP')), s)).toEqual([8n]);
    expect(feesOf(plan(rounding('PER_BATCH', 'HALF_EVEN')), s)).toEqual([8n]);
  });

  it('given 4.50 at 100 bps (a 4.5 minor-unit tie), then HALF_UP charges 5 and HALF_EVEN charges 4', () => {
    const s = sale('000000000001', 450n);
    const at100 = { mdrBps: { BANK_CARD: 100, QR: 38 } };

    expect(feesOf(plan({ ...at100, ...rounding('PER_TRANSACTION', 'HALF_UP') }), s)).toEqual([5n]);
    expect(feesOf(plan({ ...at100, ...rounding('PER_TRANSACTION', 'HALF_EVEN') }), s)).toEqual([4n]);
    expect(feesOf(plan({ ...at100, ...rounding('PER_BATCH', 'HALF_UP') }), s)).toEqual([5n]);
    expect(feesOf(plan({ ...at100, ...rounding('PER_BATCH', 'HALF_EVEN') }), s)).toEqual([4n]);
  });

  it.each([
    // three sales of 12.50 at 60 bps: 7.5 each; per transaction 8+8+8, per batch 22.5 once
    ['PER_TRANSACTION', 'HALF_UP', 24n],
    ['PER_TRANSACTION', 'HALF_EVEN', 24n],
    ['PER_BATCH', 'HALF_UP', 23n],
    ['PER_BATCH', 'HALF_EVEN', 22n],
  ] as const)('given three 12.50 sales at 60 bps, then %s %s charges %s', (scope, mode, expected) => {
    const events = [sale('000000000001', 1_250n), sale('000000000002', 1_250n), sale('000000000003', 1_250n)];

    expect(feesOf(plan(rounding(scope, mode)), ...events)).toEqual([expected]);
  });

  it('given ten QR sales of 1.00 at 38 bps, then per transaction each 0.38 minor units rounds to 0, per batch 3.8 rounds to 4', () => {
    const events = Array.from({ length: 10 }, (_, i) => sale(String(i + 1).padStart(12, '0'), 100n, { method: 'QR' }));

    expect(feesOf(plan(rounding('PER_TRANSACTION', 'HALF_UP')), ...events)).toEqual([0n]);
    expect(feesOf(plan(rounding('PER_BATCH', 'HALF_UP')), ...events)).toEqual([4n]);
  });

  it('given a 10,000.00 QR sale at the default 38 bps, then the fee is 38.00', () => {
    const [line] = computeSettlementLines(batchOf(sale('000000000001', 1_000_000n, { method: 'QR' })), plan());

    expect(line).toEqual({
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
    });
  });
});

describe('settlement lines: voids, refunds, reversals', () => {
  it('given a sale voided in the batch, then the voided sale pays no fee but both still show in the line', () => {
    const batch = batchOf(
      sale('000000000001', 10_000n),
      sale('000000000002', 5_000n),
      voidOf('000000000003', '000000000002', 5_000n),
    );

    expect(computeSettlementLines(batch, plan())).toEqual([
      {
        currency: 'CNY',
        method: 'BANK_CARD',
        mdrBps: 60,
        salesCount: 2,
        salesAmount: 15_000n,
        voidsCount: 1,
        voidsAmount: 5_000n,
        refundsCount: 0,
        refundsAmount: 0n,
        gross: 10_000n,
        fees: 60n,
        net: 9_940n,
      },
    ]);
  });

  it('given a void that was itself reversed, then the sale is not voided and pays its fee', () => {
    const v = { rrn: '000000000002', kind: 'VOID' as const, amount: 5_000n, originalRrn: '000000000001' };
    const [line] = computeSettlementLines(batchOf(sale('000000000001', 5_000n), completed(v), reversed(v)), plan());

    expect(line).toMatchObject({ salesAmount: 5_000n, voidsCount: 0, gross: 5_000n, fees: 30n, net: 4_970n });
  });

  it('given a void whose sale is not in the batch, then the fee of the voided amount is returned', () => {
    const [line] = computeSettlementLines(
      batchOf(sale('000000000001', 20_000n), voidOf('000000000002', '000000000999', 5_000n)),
      plan(),
    );

    expect(line).toMatchObject({ gross: 15_000n, fees: 90n, net: 14_910n });
  });

  it.each([
    // sale 200.00 (fee 120) and refund 12.50 (fee 7.5) at 60 bps
    [false, 'PER_TRANSACTION', 'HALF_UP', 120n],
    [true, 'PER_TRANSACTION', 'HALF_UP', 112n], // 120 - 8
    [true, 'PER_TRANSACTION', 'HALF_EVEN', 112n], // 120 - 8
    [false, 'PER_BATCH', 'HALF_EVEN', 120n],
    [true, 'PER_BATCH', 'HALF_UP', 113n], // 187.50 -> 112.5 -> 113
    [true, 'PER_BATCH', 'HALF_EVEN', 112n], // 112.5 -> 112
  ] as const)('given a refund and refundReturnsFee=%s, then %s %s charges %s', (refundReturnsFee, scope, mode, fees) => {
    const batch = batchOf(sale('000000000001', 20_000n), refundOf('000000000002', '000000000777', 1_250n));

    const [line] = computeSettlementLines(batch, plan({ refundReturnsFee, ...rounding(scope, mode) }));

    expect(line).toMatchObject({ refundsCount: 1, refundsAmount: 1_250n, gross: 18_750n, fees, net: 18_750n - fees });
  });

  it('given refunds exceeding sales and refunds returning their fee, then fees and net go negative', () => {
    const batch = batchOf(sale('000000000001', 1_000n, { method: 'QR' }), refundOf('000000000002', '000000000777', 30_000n, { method: 'QR' }));

    const [perTxn] = computeSettlementLines(batch, plan({ refundReturnsFee: true }));
    // 3.8 -> 4 charged, 114 returned
    expect(perTxn).toMatchObject({ gross: -29_000n, fees: -110n, net: -28_890n });

    const [perBatch] = computeSettlementLines(batch, plan({ refundReturnsFee: true, mdrBps: { BANK_CARD: 60, QR: 100 }, ...rounding('PER_BATCH', 'HALF_EVEN') }));
    // -290.00 at 1% = -290 exactly; and symmetric rounding below
    expect(perBatch).toMatchObject({ fees: -290n, net: -28_710n });
  });

  it('rounds a negative per-batch fee base symmetrically (-4.5 -> -5 half-up, -4 half-even)', () => {
    const batch = batchOf(sale('000000000001', 550n), refundOf('000000000002', '000000000777', 1_000n));
    const at100 = { mdrBps: { BANK_CARD: 100, QR: 38 }, refundReturnsFee: true };

    expect(computeSettlementLines(batch, plan({ ...at100, ...rounding('PER_BATCH', 'HALF_UP') }))[0]?.fees).toBe(-5n);
    expect(computeSettlementLines(batch, plan({ ...at100, ...rounding('PER_BATCH', 'HALF_EVEN') }))[0]?.fees).toBe(-4n);
  });

  it('given a reversed sale, then it is excluded, and a method with only reversed transactions has no line', () => {
    const r = { rrn: '000000000002', amount: 50_000n, method: 'QR' as const };
    const batch = batchOf(sale('000000000001', 10_000n), completed(r), reversed(r));

    const lines = computeSettlementLines(batch, plan());

    expect(lines.map((l) => [l.method, l.salesCount, l.salesAmount, l.fees])).toEqual([['BANK_CARD', 1, 10_000n, 60n]]);
  });

  it('emits one line per currency and method present, sorted by currency then method, at the method rate', () => {
    const batch = batchOf(
      sale('000000000001', 10_000n, { currency: 'USD', method: 'QR' }),
      sale('000000000002', 10_000n, { currency: 'CNY', method: 'QR' }),
      sale('000000000003', 10_000n, { currency: 'CNY', method: 'BANK_CARD' }),
      sale('000000000004', 10_000n, { currency: 'HKD', method: 'BANK_CARD' }),
    );

    expect(computeSettlementLines(batch, plan()).map((l) => [l.currency, l.method, l.mdrBps, l.fees])).toEqual([
      ['CNY', 'BANK_CARD', 60, 60n],
      ['CNY', 'QR', 38, 38n],
      ['HKD', 'BANK_CARD', 60, 60n],
      ['USD', 'QR', 38, 38n],
    ]);
  });

  it('names the rounding rule from the plan', () => {
    expect(roundingRuleOf(plan(rounding('PER_BATCH', 'HALF_EVEN')))).toBe('PER_BATCH_HALF_EVEN');
    expect(roundingRuleOf(plan(rounding('PER_TRANSACTION', 'HALF_UP')))).toBe('PER_TRANSACTION_HALF_UP');
  });
});

describe('settlement lines: rates by card type', () => {
  const byCardType = plan({ rates: { DEBIT: { bps: 50, limits: [{ currency: 'CNY', maxFee: 2_000n }] }, CREDIT: { bps: 60 }, QR: { bps: 38 } } });

  it('given debit, credit and untyped card sales, then a line per card type at its rate, untyped priced as CREDIT, the debit fee capped', () => {
    const lines = computeSettlementLines(
      batchOf(sale('000000000001', 1_000_000n, { cardType: 'DEBIT' }), sale('000000000002', 10_000n, { cardType: 'CREDIT' }), sale('000000000003', 10_000n), sale('000000000004', 10_000n, { method: 'QR' })),
      byCardType,
    );
    expect(lines.map((l) => [l.method, l.cardType, l.mdrBps, l.salesCount, l.fees])).toEqual([
      ['BANK_CARD', 'CREDIT', 60, 2, 120n],
      ['BANK_CARD', 'DEBIT', 50, 1, 2_000n],
      ['QR', undefined, 38, 1, 38n],
    ]);
  });

  it('given a debit refund that returns its fee, then the capped fee of its amount comes back', () => {
    const [line] = computeSettlementLines(batchOf(refundOf('000000000002', '000000000900', 1_000_000n, { cardType: 'DEBIT' })), { ...byCardType, refundReturnsFee: true });
    expect(line).toMatchObject({ cardType: 'DEBIT', fees: -2_000n, net: -998_000n });
  });

  it('given the default plan, then card types do not split the line (results as before card types existed)', () => {
    const lines = computeSettlementLines(batchOf(sale('000000000001', 10_000n, { cardType: 'DEBIT' }), sale('000000000002', 10_000n)), plan());
    expect(lines.map((l) => [l.method, l.cardType, l.fees])).toEqual([['BANK_CARD', undefined, 120n]]);
    expect(lines[0]).not.toHaveProperty('cardType');
  });
});
