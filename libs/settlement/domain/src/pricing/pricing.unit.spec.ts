import { describe, expect, it } from 'vitest';
import { plan } from '../testing/settlement.fixtures';
import { nextWorkingDay } from '../payouts/working-calendar';
import { assertPlanConsistent, planInForce, pricingFor, publishPlan } from './pricing';

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

describe('payout date without a calendar (weekends alone)', () => {
  it('given T1 on a Friday, then the payout rolls over the weekend to Monday', () => {
    expect(nextWorkingDay('2024-05-10', undefined)).toBe('2024-05-13');
  });

  it('given T1 on a Saturday or a Wednesday, then Monday and Thursday', () => {
    expect(nextWorkingDay('2024-05-11', undefined)).toBe('2024-05-13');
    expect(nextWorkingDay('2024-05-08', undefined)).toBe('2024-05-09');
  });

  it('given T1 at a month and year end, then the calendar rolls correctly', () => {
    expect(nextWorkingDay('2024-12-31', undefined)).toBe('2025-01-01');
    expect(nextWorkingDay('2024-02-28', undefined)).toBe('2024-02-29');
  });
});

describe("a merchant's published plan versions", () => {
  const registered = [plan({ planId: 'REG', effectiveFrom: '2026-01-01' })];
  const v = (version: number, planId: string, effectiveFrom: string) => ({ merchantId: 'M000000000000001', version, plan: plan({ planId, effectiveFrom }), publishedBy: 'finance' });
  const published = [v(1, 'A', '2026-12-05'), v(2, 'B', '2026-12-10'), v(3, 'B2', '2026-12-10')];

  it('given a day before the first version, then the registration plan (no version); from it on, the version in force', () => {
    expect(planInForce(published, registered, '2026-12-04')).toEqual({ plan: registered[0] });
    expect(planInForce(published, registered, '2026-12-05')).toMatchObject({ plan: { planId: 'A' }, version: 1 });
    expect(planInForce(published, registered, '2026-12-09')).toMatchObject({ plan: { planId: 'A' }, version: 1 });
  });

  it('given two versions from the same day, then the later one (a correction published before the day opened)', () => {
    expect(planInForce(published, registered, '2026-12-10')).toMatchObject({ plan: { planId: 'B2' }, version: 3 });
  });

  it('given an effective day one day before the open business day, then PRICING_PLAN_RETROACTIVE; on the open day, version n + 1', () => {
    const command = (effectiveFrom: string) => ({ merchantId: 'M000000000000001', plan: plan({ planId: 'C', effectiveFrom }), publishedBy: 'finance', openDay: '2026-12-01' });
    expect(() => publishPlan(command('2026-11-30'), published)).toThrowError(expect.objectContaining({ code: 'PRICING_PLAN_RETROACTIVE', responseCode: '12', kind: 'conflict' }));
    expect(publishPlan(command('2026-12-01'), published)).toEqual({ type: 'PricingPlanPublished', data: { merchantId: 'M000000000000001', version: 4, plan: command('2026-12-01').plan, publishedBy: 'finance' } });
  });

  it.each([
    ['a cap below its floor', { rates: { DEBIT: { bps: 50, limits: [{ currency: 'CNY' as const, minFee: 200n, maxFee: 100n }] } } }, 'the CNY floor 200 is above its cap 100'],
    ['limits with per-batch rounding', { rounding: { scope: 'PER_BATCH' as const, mode: 'HALF_UP' as const }, rates: { DEBIT: { bps: 50, limits: [{ currency: 'CNY' as const, maxFee: 2_000n }] } } }, 'needs PER_TRANSACTION rounding'],
    ['two limits in one currency', { rates: { QR: { bps: 38, limits: [{ currency: 'CNY' as const, maxFee: 1n }, { currency: 'CNY' as const, maxFee: 2n }] } } }, 'QR: one limit per currency'],
    ['d0 settings on a T1 plan', { d0: { from: '00:00', to: '23:00', utcOffsetMinutes: 480, minimums: [] } }, 'd0 settings on a T1 plan'],
    ['a negative cap', { rates: { DEBIT: { bps: 50, limits: [{ currency: 'CNY' as const, maxFee: -1n }] } } }, 'never negative'],
    ['an effective date that is not one', { effectiveFrom: '2026-02-30' }, 'effectiveFrom 2026-02-30 is not a calendar date'],
    ['an empty D0 window', { payoutSchedule: 'D0' as const, d0: { from: '23:00', to: '23:00', utcOffsetMinutes: 480, minimums: [] } }, 'the D0 window 23:00 to 23:00 is empty'],
  ])('given %s, then PRICING_PLAN_INVALID saying so', (_what, change, message) => {
    expect(() => assertPlanConsistent(plan(change))).toThrowError(expect.objectContaining({ code: 'PRICING_PLAN_INVALID', message: expect.stringContaining(message) }));
  });

  it('given the default plan, then it is consistent', () => {
    expect(() => assertPlanConsistent(plan())).not.toThrow();
  });
});
