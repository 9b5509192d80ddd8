import { describe, expect, it } from 'vitest';
import { plan } from '../testing/settlement.fixtures';
import { payoutDate, pricingFor } from './pricing';

describe('pricing plan in force', () => {
  const plans = [
    plan({ planId: 'P-2024-06', effectiveFrom: '2024-06-01' }),
    plan({ planId: 'P-2024-01', effectiveFrom: '2024-01-01' }),
    plan({ planId: 'P-2024-05', effectiveFrom: '2024-05-10' }),
  ];

  it('given effective-dated plans, then the one with the greatest effectiveFrom on or before the day applies', () => {
    expect(pricingFor(plans, '2024-05-09').planId).toBe('P-2024-01');
    expect(pricingFor(plans, '2024-05-10').planId).toBe('P-2024-05');
    expect(pricingFor(plans, '2024-05-31').planId).toBe('P-2024-05');
    expect(pricingFor(plans, '2024-06-01').planId).toBe('P-2024-06');
  });

  it('given no plan effective yet, then PRICING_PLAN_MISSING (96, internal)', () => {
    expect(() => pricingFor(plans, '2023-12-31')).toThrowError(
      expect.objectContaining({ code: 'PRICING_PLAN_MISSING', responseCode: '96', kind: 'internal' }),
    );
    expect(() => pricingFor([], '2024-05-10')).toThrowError(expect.objectContaining({ code: 'PRICING_PLAN_MISSING' }));
  });

  it('given two different plans effective from the same day, then it refuses to guess; the same plan twice is fine', () => {
    const clash = [...plans, plan({ planId: 'P-OTHER', effectiveFrom: '2024-05-10' })];

    expect(() => pricingFor(clash, '2024-05-20')).toThrowError(expect.objectContaining({ code: 'PRICING_PLAN_AMBIGUOUS' }));
    expect(pricingFor(clash, '2024-05-09').planId).toBe('P-2024-01');
    expect(pricingFor([...plans, plans[2] ?? plan()], '2024-05-20').planId).toBe('P-2024-05');
  });
});

describe('payout date', () => {
  it('given T1 on a Friday, then the payout rolls over the weekend to Monday', () => {
    expect(payoutDate('2024-05-10', 'T1')).toBe('2024-05-13');
  });

  it('given T1 on a Saturday or a Wednesday, then Monday and Thursday', () => {
    expect(payoutDate('2024-05-11', 'T1')).toBe('2024-05-13');
    expect(payoutDate('2024-05-08', 'T1')).toBe('2024-05-09');
  });

  it('given T1 at a month and year end, then the calendar rolls correctly', () => {
    expect(payoutDate('2024-12-31', 'T1')).toBe('2025-01-01');
    expect(payoutDate('2024-02-28', 'T1')).toBe('2024-02-29');
  });

  it('given D0, then the same calendar day, even on a Friday or a weekend', () => {
    expect(payoutDate('2024-05-10', 'D0')).toBe('2024-05-10');
    expect(payoutDate('2024-05-11', 'D0')).toBe('2024-05-11');
  });
});
