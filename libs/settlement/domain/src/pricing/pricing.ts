import type { FeeRate, PricingPlan, PricingPlanPublished } from '@pos/contracts';
import { isBusinessDay } from '@pos/kernel';
import { SettlementErrors } from '../settlement.errors';

/** A plan as it applies to a batch: a published version of the merchant's, or (no version) the terminal's registration plan. */
export interface PlanInForce {
  readonly plan: PricingPlan;
  readonly version?: number;
}

export type PublishedPlan = PricingPlanPublished['data'];

/**
 * Of the terminal's registration plans, the one in force on a business day: the greatest
 * effectiveFrom on or before it. Two different plans effective from the same day are ambiguous
 * and refused (the same plan listed twice is not).
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

/**
 * The plan a batch of `businessDay` settles on. The merchant's published versions win from the
 * first one's effective day on: of those effective by the day, the greatest effectiveFrom, and of
 * two from the same day the later version (a correction published before that day opened).
 * Before any is in force, the terminal's registration plan applies, as before versions existed.
 */
export const planInForce = (published: readonly PublishedPlan[], registered: readonly PricingPlan[], businessDay: string): PlanInForce => {
  const eligible = published.filter((p) => p.plan.effectiveFrom <= businessDay);
  if (eligible.length === 0) return { plan: pricingFor(registered, businessDay) };
  const best = eligible.reduce((a, b) => (b.plan.effectiveFrom > a.plan.effectiveFrom || (b.plan.effectiveFrom === a.plan.effectiveFrom && b.version > a.version) ? b : a));
  return { plan: best.plan, version: best.version };
};

const limitProblems = (name: string, rate: FeeRate | undefined, perBatch: boolean): string[] => {
  const limits = rate?.limits ?? [];
  const problems: string[] = [];
  if (perBatch && limits.length > 0) problems.push(`${name}: a per-transaction cap or floor needs PER_TRANSACTION rounding`);
  const currencies = limits.map((l) => l.currency);
  if (new Set(currencies).size !== currencies.length) problems.push(`${name}: one limit per currency`);
  for (const l of limits) {
    if (l.minFee !== undefined && l.maxFee !== undefined && l.minFee > l.maxFee) problems.push(`${name}: the ${l.currency} floor ${l.minFee} is above its cap ${l.maxFee}`);
    if (l.minFee === undefined && l.maxFee === undefined) problems.push(`${name}: a ${l.currency} limit with neither floor nor cap`);
  }
  return problems;
};

/**
 * A plan that says one thing: a real effective date, no negative amount, caps not below floors, per-transaction limits only with
 * per-transaction rounding, a D0 window that is not empty and D0 settings only on a D0 plan.
 * Refused with every problem listed (PRICING_PLAN_INVALID).
 */
export const assertPlanConsistent = (plan: PricingPlan): void => {
  const perBatch = plan.rounding.scope === 'PER_BATCH';
  const amounts = [
    ...[plan.rates?.DEBIT, plan.rates?.CREDIT, plan.rates?.QR].flatMap((r) => (r?.limits ?? []).flatMap((l) => [l.minFee, l.maxFee])),
    ...(plan.d0?.minimums ?? []).map((m) => m.amount),
  ];
  const problems = [
    ...(isBusinessDay(plan.effectiveFrom) ? [] : [`effectiveFrom ${plan.effectiveFrom} is not a calendar date`]),
    ...(amounts.some((a) => a !== undefined && a < 0n) ? ['fee limits and D0 minimums are never negative'] : []),
    ...limitProblems('DEBIT', plan.rates?.DEBIT, perBatch),
    ...limitProblems('CREDIT', plan.rates?.CREDIT, perBatch),
    ...limitProblems('QR', plan.rates?.QR, perBatch),
  ];
  if (plan.d0) {
    if (plan.payoutSchedule !== 'D0') problems.push('d0 settings on a T1 plan: set payoutSchedule D0 or leave d0 out');
    if (plan.d0.from >= plan.d0.to) problems.push(`the D0 window ${plan.d0.from} to ${plan.d0.to} is empty`);
    const currencies = plan.d0.minimums.map((m) => m.currency);
    if (new Set(currencies).size !== currencies.length) problems.push('d0: one minimum per currency');
  }
  if (problems.length > 0) throw SettlementErrors.PRICING_PLAN_INVALID(`pricing plan ${plan.planId}: ${problems.join('; ')}`, { planId: plan.planId, problems });
};

export interface PublishPlan {
  readonly merchantId: string;
  readonly plan: PricingPlan;
  readonly publishedBy: string;
  /**
   * The merchant's open business day: no batch of it or of a later day is settled. A plan
   * effective before it would reprice settled money, so it is refused (PRICING_PLAN_RETROACTIVE).
   */
  readonly openDay: string;
}

/** Publish the next version of a merchant's plan, given the versions published so far. */
export const publishPlan = (command: PublishPlan, history: readonly PublishedPlan[]): PricingPlanPublished => {
  const { merchantId, plan, openDay } = command;
  if (plan.effectiveFrom < openDay) {
    throw SettlementErrors.PRICING_PLAN_RETROACTIVE(`plan ${plan.planId} for merchant ${merchantId} would take effect on ${plan.effectiveFrom}, before the merchant's open business day ${openDay}: a plan is never retroactive`, { merchantId, effectiveFrom: plan.effectiveFrom, openDay });
  }
  assertPlanConsistent(plan);
  return { type: 'PricingPlanPublished', data: { merchantId, version: history.length + 1, plan, publishedBy: command.publishedBy } };
};
