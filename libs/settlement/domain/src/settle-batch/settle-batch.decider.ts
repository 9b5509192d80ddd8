import type { BatchClosed, BatchSettled, PayoutScheduled, PricingPlan } from '@pos/contracts';
import { computeSettlementLines, roundingRuleOf } from '../fees/settlement-lines';
import { assertBalanced, currencyTotalsOf, journalFor } from '../journal/journal';
import { payoutDate, pricingFor } from '../pricing/pricing';
import { hostTotalsOf, totalsAgree } from './host-totals';
import { emptyPendingBatch, pendingBatchKey, pendingBatchKeyOf, type PendingBatch } from './pending-batch';
import { SettlementErrors } from '../settlement.errors';

export interface SettleBatch {
  /** What the settlement service saw of the batch; undefined when it saw no transaction. */
  readonly batch: PendingBatch | undefined;
  /** The terminal gateway's BatchClosed for the same batch. */
  readonly closed: BatchClosed['data'];
  /** The merchant's pricing plans (effective-dated). */
  readonly plans: readonly PricingPlan[];
  readonly settlementId: string;
  /** Payout ids are `${payoutIdPrefix}-${currency}`; defaults to the settlement id. */
  readonly payoutIdPrefix?: string;
}

export type SettleBatchResult = [BatchSettled, ...PayoutScheduled[]];

/**
 * Settle a closed batch: check the host's totals, price it, journal it, schedule payouts.
 *
 * Refuses (SETTLEMENT_TOTALS_DISAGREE, 95) when the transactions seen here do not add up to
 * the host totals in BatchClosed: an event was lost upstream, and settling would book the
 * wrong money. The caller dead-letters the BatchClosed.
 */
export const settleBatch = (command: SettleBatch): SettleBatchResult => {
  const { closed, plans, settlementId } = command;
  const batch = command.batch ?? emptyPendingBatch(closed);

  const closedKey = pendingBatchKey(closed.terminalId, closed.businessDay, closed.batchNo);
  if (pendingBatchKeyOf(batch) !== closedKey || batch.merchantId !== closed.merchantId) {
    throw SettlementErrors.SETTLEMENT_BATCH_MISMATCH(`pending batch ${pendingBatchKeyOf(batch)} (merchant ${batch.merchantId}) is not the closed batch ${closedKey} (merchant ${closed.merchantId})`, { expected: closedKey, actual: pendingBatchKeyOf(batch) });
  }

  const actual = hostTotalsOf(batch);
  if (!totalsAgree(closed.hostTotals, actual)) {
    throw SettlementErrors.SETTLEMENT_TOTALS_DISAGREE(`transactions seen for batch ${closedKey} do not add up to the host totals of its BatchClosed`, { expected: closed.hostTotals, actual });
  }

  const plan = pricingFor(plans, batch.businessDay);
  const lines = computeSettlementLines(batch, plan);
  const totals = currencyTotalsOf(lines);
  const postings = journalFor(lines);
  assertBalanced(postings);
  const paidOn = payoutDate(batch.businessDay, plan.payoutSchedule);

  const settled: BatchSettled = {
    type: 'BatchSettled',
    data: {
      settlementId,
      terminalId: batch.terminalId,
      merchantId: batch.merchantId,
      batchNo: batch.batchNo,
      businessDay: batch.businessDay,
      closeResult: closed.result,
      pricingPlanId: plan.planId,
      roundingRule: roundingRuleOf(plan),
      refundReturnsFee: plan.refundReturnsFee,
      payoutSchedule: plan.payoutSchedule,
      payoutDate: paidOn,
      lines,
      totals,
      postings,
    },
  };

  const prefix = command.payoutIdPrefix ?? settlementId;
  const payouts = totals
    .filter((t) => t.net !== 0n)
    .map(
      (t): PayoutScheduled => ({
        type: 'PayoutScheduled',
        data: {
          payoutId: `${prefix}-${t.currency}`,
          settlementId,
          terminalId: batch.terminalId,
          merchantId: batch.merchantId,
          batchNo: batch.batchNo,
          businessDay: batch.businessDay,
          currency: t.currency,
          amount: t.net,
          payoutDate: paidOn,
        },
      }),
    );

  return [settled, ...payouts];
};
