import type { PricingPlan } from '@pos/contracts';
import { nextWorkingDay } from '@pos/kernel';
import { SettlementErrors } from '../settlement.errors';

export type PayoutSchedule = PricingPlan['payoutSchedule'];

/**
 * The plan in force on a business day: the one with the greatest effectiveFrom on or
 * before it. Two different plans effective from the same day are ambiguous and refused
 * (the same plan listed twice is not).
 */
export const pricingFor = (plans: readonly PricingPlan[], businessDay: string): PricingPlan => {
  const eligible = plans.filter((p) => p.effectiveFrom <= businessDay);
  if (eligible.length === 0) {
    throw SettlementErrors.PRICING_PLAN_MISSING(`no pricing plan is effective on ${businessDay}`, { businessDay, plans: plans.map((p) => ({ planId: p.planId, effectiveFrom: p.effectiveFrom })) });
  }
  const latest = eligible.reduce((best, p) => (p.effectiveFrom > best.effectiveFrom ? p : best));
  const rivals = eligible.filter((p) => p.effectiveFrom === latest.effectiveFrom && p.planId !== latest.planId);
  if (rivals.length > 0) {
    throw SettlementErrors.PRICING_PLAN_AMBIGUOUS(`plans ${[latest, ...rivals].map((p) => p.planId).join(', ')} are all effective from ${latest.effectiveFrom}`, { businessDay, effectiveFrom: latest.effectiveFrom, planIds: [latest.planId, ...rivals.map((p) => p.planId)] });
  }
  return latest;
};

/** D0: the same calendar day. T1: the next working day (weekends roll forward). */
export const payoutDate = (businessDay: string, schedule: PayoutSchedule): string => {
  switch (schedule) {
    case 'D0':
      return businessDay;
    case 'T1':
      return nextWorkingDay(businessDay);
  }
};
