import type { CardType, PaymentMethod, PricingPlan, RoundingRule, SettlementLine } from '@pos/contracts';
import { feeAtBps, type CurrencyCode } from '@pos/money';
import { type AppliedRate, appliedRate, chargedFee, pricesCardTypes, rateClassOf, returnedFee } from '../pricing/fee-rate';
import { liveTransactions, type PendingBatch, type PendingTransaction } from '../settle-batch/pending-batch';

/** The rule named in BatchSettled, e.g. `PER_TRANSACTION_HALF_UP`. */
export const roundingRuleOf = (plan: PricingPlan): RoundingRule => `${plan.rounding.scope}_${plan.rounding.mode}`;

const sum = (txns: readonly PendingTransaction[]): bigint => txns.reduce((acc, t) => acc + t.amount, 0n);

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Fee of one line under the plan's rounding rule.
 *  - `feeBearing`: amounts the merchant pays a fee on (sales not voided).
 *  - `feeReturning`: amounts whose fee goes back to the merchant (refunds when the plan
 *    says so, and voids whose sale is not in this batch).
 * PER_TRANSACTION rounds every fee (then applies its cap and floor), then sums. PER_BATCH
 * rounds once, on the net fee base (a plan with per-transaction limits is never PER_BATCH:
 * refused when published).
 */
export const lineFee = (
  feeBearing: readonly PendingTransaction[],
  feeReturning: readonly PendingTransaction[],
  rate: AppliedRate,
  plan: PricingPlan,
): bigint => {
  const { scope, mode } = plan.rounding;
  if (scope === 'PER_BATCH') return feeAtBps(sum(feeBearing) - sum(feeReturning), rate.bps, mode);
  const charged = feeBearing.reduce((acc, t) => acc + chargedFee(t.amount, t.currency, rate, mode), 0n);
  const returned = feeReturning.reduce((acc, t) => acc + returnedFee(t.amount, t.currency, rate, mode), 0n);
  return charged - returned;
};

/** Sales of the batch voided in the batch: they pay no fee (and are never paid D0). */
export const voidedInBatch = (live: readonly PendingTransaction[]): ReadonlySet<string> => {
  const saleRrns = new Set(live.filter((t) => t.kind === 'SALE').map((t) => t.rrn));
  return new Set(live.flatMap((t) => (t.kind === 'VOID' && t.originalRrn !== undefined && saleRrns.has(t.originalRrn) ? [t.originalRrn] : [])));
};

/**
 * Settlement lines per currency and payment method (sorted by currency, then method), for
 * the combinations the batch holds non-reversed transactions in; bank-card lines are split by
 * card type (DEBIT, CREDIT) when the plan prices them apart, each at its own rate.
 *
 * - A sale voided in the batch (a non-reversed VOID whose originalRrn names it) pays no fee;
 *   it still counts in sales, and the void in voids, so gross = sales - voids - refunds.
 * - A VOID whose sale is not among the batch's non-reversed sales returns the fee of the
 *   amount voided (a void means the sale never happened; voids are same-batch only, so
 *   this is a defensive rule, not a normal path).
 * - A refund returns its fee only when `plan.refundReturnsFee` (capped, never floored: see returnedFee).
 * - fees may be negative (more fee returned than charged); net = gross - fees.
 */
export const computeSettlementLines = (batch: PendingBatch, plan: PricingPlan): SettlementLine[] => {
  const live = liveTransactions(batch);
  const saleRrns = new Set(live.filter((t) => t.kind === 'SALE').map((t) => t.rrn));
  const voidedSaleRrns = voidedInBatch(live);
  const split = pricesCardTypes(plan);

  const groups = new Map<string, { currency: CurrencyCode; method: PaymentMethod; cardType?: CardType; txns: PendingTransaction[] }>();
  for (const t of live) {
    const cardType = split && t.method === 'BANK_CARD' ? (rateClassOf(t.method, t.cardType) as CardType) : undefined;
    const key = `${t.currency}|${t.method}|${cardType ?? ''}`;
    const group = groups.get(key) ?? { currency: t.currency, method: t.method, ...(cardType ? { cardType } : {}), txns: [] };
    group.txns.push(t);
    groups.set(key, group);
  }

  return [...groups.values()]
    .sort((a, b) => compare(a.currency, b.currency) || compare(a.method, b.method) || compare(a.cardType ?? '', b.cardType ?? ''))
    .map(({ currency, method, cardType, txns }) => {
      const sales = txns.filter((t) => t.kind === 'SALE');
      const voids = txns.filter((t) => t.kind === 'VOID');
      const refunds = txns.filter((t) => t.kind === 'REFUND');
      const rate = appliedRate(plan, rateClassOf(method, cardType));

      const feeBearing = sales.filter((t) => !voidedSaleRrns.has(t.rrn));
      const orphanVoids = voids.filter((t) => t.originalRrn === undefined || !saleRrns.has(t.originalRrn));
      const feeReturning = [...orphanVoids, ...(plan.refundReturnsFee ? refunds : [])];

      const salesAmount = sum(sales);
      const voidsAmount = sum(voids);
      const refundsAmount = sum(refunds);
      const gross = salesAmount - voidsAmount - refundsAmount;
      const fees = lineFee(feeBearing, feeReturning, rate, plan);
      return {
        currency,
        method,
        ...(cardType ? { cardType } : {}),
        mdrBps: rate.bps,
        salesCount: sales.length,
        salesAmount,
        voidsCount: voids.length,
        voidsAmount,
        refundsCount: refunds.length,
        refundsAmount,
        gross,
        fees,
        net: gross - fees,
      };
    });
};
