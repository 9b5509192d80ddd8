import type { FeeRate } from '@pos/contracts';
import { describe, expect, it } from 'vitest';
import { plan } from '../testing/settlement.fixtures';
import { appliedRate, chargedFee, rateClassOf, returnedFee } from './fee-rate';

// The example: debit cards at 0.50% capped at 20.00 CNY; a floor of 1.00 CNY for the floor's edges.
const DEBIT: FeeRate = { bps: 50, limits: [{ currency: 'CNY', maxFee: 2_000n }] };
const FLOORED: FeeRate = { bps: 50, limits: [{ currency: 'CNY', minFee: 100n }] };
const debit = appliedRate(plan({ rates: { DEBIT } }), 'DEBIT');
const floored = appliedRate(plan({ rates: { DEBIT: FLOORED } }), 'DEBIT');

describe('per-transaction fee cap (rounded first, HALF_UP or HALF_EVEN, then capped)', () => {
  it.each([
    // amount, uncapped fee, charged
    [399_800n, '1999 (one minor unit under the cap)', 1_999n],
    [400_000n, '2000 (exactly the cap)', 2_000n],
    [400_200n, '2001 (one minor unit over the cap)', 2_000n],
    [10_000_000n, '50000', 2_000n],
  ])('given a debit sale of %s minor units (fee %s), then the fee charged is %s', (amount, _fee, expected) => {
    expect(chargedFee(amount, 'CNY', debit, 'HALF_UP')).toBe(expected);
    expect(chargedFee(amount, 'CNY', debit, 'HALF_EVEN')).toBe(expected);
  });

  it('given a fee that only rounds up to the cap (1999.5), then it is the cap; 1999.495 rounds to 1999 under it', () => {
    expect(chargedFee(399_900n, 'CNY', debit, 'HALF_UP')).toBe(2_000n);
    expect(chargedFee(399_899n, 'CNY', debit, 'HALF_UP')).toBe(1_999n);
  });

  it('given a cap in CNY, then a USD sale of the same amount is not capped', () => {
    expect(chargedFee(10_000_000n, 'USD', debit, 'HALF_UP')).toBe(50_000n);
  });
});

describe('per-transaction minimum fee (rounded first, then raised to the floor)', () => {
  it.each([
    [19_800n, '99 (one minor unit under the floor)', 100n],
    [20_000n, '100 (exactly the floor)', 100n],
    [20_200n, '101 (one minor unit over the floor)', 101n],
  ])('given a sale of %s minor units (fee %s), then the fee charged is %s', (amount, _fee, expected) => {
    expect(chargedFee(amount, 'CNY', floored, 'HALF_UP')).toBe(expected);
  });

  it('given a refund returning its fee, then the floor does not apply (a 10.00 refund gives back 5, not 100) and the cap does', () => {
    expect(returnedFee(1_000n, 'CNY', floored, 'HALF_UP')).toBe(5n);
    expect(returnedFee(400_200n, 'CNY', debit, 'HALF_UP')).toBe(2_000n);
    expect(returnedFee(399_800n, 'CNY', debit, 'HALF_UP')).toBe(1_999n);
  });
});

describe('rate classes', () => {
  it('given a bank card without a card type, then it is priced as CREDIT; QR is QR whatever it says', () => {
    expect(rateClassOf('BANK_CARD', undefined)).toBe('CREDIT');
    expect(rateClassOf('BANK_CARD', 'DEBIT')).toBe('DEBIT');
    expect(rateClassOf('QR', 'DEBIT')).toBe('QR');
  });

  it('given a plan without a rate for a class, then the method rate applies without limits', () => {
    const p = plan({ rates: { DEBIT } });
    expect(appliedRate(p, 'CREDIT')).toEqual({ rateClass: 'CREDIT', bps: 60, limits: [] });
    expect(appliedRate(p, 'QR')).toEqual({ rateClass: 'QR', bps: 38, limits: [] });
    expect(appliedRate(p, 'DEBIT')).toEqual({ rateClass: 'DEBIT', bps: 50, limits: DEBIT.limits });
  });
});
