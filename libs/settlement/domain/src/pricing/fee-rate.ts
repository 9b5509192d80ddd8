import type { CardType, FeeLimit, PaymentMethod, PricingPlan, RateClass } from '@pos/contracts';
import { feeAtBps, type CurrencyCode, type RoundingMode } from '@pos/money';

/** A bank-card sale that does not say its card type is priced as CREDIT (docs/api.md, "Pricing plans"). */
export const DEFAULT_CARD_TYPE: CardType = 'CREDIT';

/** What one class of transactions is priced at under a plan. */
export interface AppliedRate {
  readonly rateClass: RateClass;
  readonly bps: number;
  readonly limits: readonly FeeLimit[];
}

export const rateClassOf = (method: PaymentMethod, cardType: CardType | undefined): RateClass =>
  method === 'QR' ? 'QR' : (cardType ?? DEFAULT_CARD_TYPE);

/** Whether the plan prices debit and credit cards apart (then bank-card lines are split by card type). */
export const pricesCardTypes = (plan: PricingPlan): boolean => plan.rates?.DEBIT !== undefined || plan.rates?.CREDIT !== undefined;

/** The class's rate, or the method's `mdrBps` without limits when the plan has none for it. */
export const appliedRate = (plan: PricingPlan, rateClass: RateClass): AppliedRate => {
  const own = plan.rates?.[rateClass];
  if (own) return { rateClass, bps: own.bps, limits: own.limits ?? [] };
  return { rateClass, bps: plan.mdrBps[rateClass === 'QR' ? 'QR' : 'BANK_CARD'], limits: [] };
};

const limitOf = (rate: AppliedRate, currency: CurrencyCode): FeeLimit | undefined => rate.limits.find((l) => l.currency === currency);

/**
 * The fee one transaction bears: `amount × bps / 10 000` rounded by `mode`, then raised to the
 * floor and lowered to the cap of its currency (both exact minor units, so nothing is rounded
 * after the clamp). A cap below the floor is refused when the plan is published.
 */
export const chargedFee = (amount: bigint, currency: CurrencyCode, rate: AppliedRate, mode: RoundingMode): bigint => {
  const fee = feeAtBps(amount, rate.bps, mode);
  const limit = limitOf(rate, currency);
  if (limit?.maxFee !== undefined && fee > limit.maxFee) return limit.maxFee;
  if (limit?.minFee !== undefined && fee < limit.minFee) return limit.minFee;
  return fee;
};

/**
 * The fee a refund (or a void whose sale is elsewhere) gives back: the rate's fee of its amount,
 * never above the cap, and without the floor: the floor is what a sale costs at least, so a
 * small refund must not give back more than its share.
 */
export const returnedFee = (amount: bigint, currency: CurrencyCode, rate: AppliedRate, mode: RoundingMode): bigint => {
  const fee = feeAtBps(amount, rate.bps, mode);
  const cap = limitOf(rate, currency)?.maxFee;
  return cap !== undefined && fee > cap ? cap : fee;
};
