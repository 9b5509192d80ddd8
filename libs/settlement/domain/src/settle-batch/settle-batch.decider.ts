import type { BatchClosed, BatchSettled, PricingPlan } from '@pos/contracts';
import { computeSettlementLines, roundingRuleOf } from '../fees/settlement-lines';
import { assertBalanced, currencyTotalsOf, journalFor } from '../journal/journal';
import { payoutPartsOf } from '../payouts/payout-parts';
import { DEFAULT_PAYOUT_CALENDAR, nextWorkingDay, type WorkingDays } from '../payouts/working-calendar';
import { planInForce, type PublishedPlan } from '../pricing/pricing';
import { hostTotalsOf, totalsAgree } from './host-totals';
import { emptyPendingBatch, pendingBatchKey, pendingBatchKeyOf, type PendingBatch } from './pending-batch';
import { SettlementErrors } from '../settlement.errors';

export interface SettleBatch {
  /** What the settlement service saw of the batch; undefined when it saw no transaction. */
  readonly batch: PendingBatch | undefined;
  /** The terminal gateway's BatchClosed for the same batch. */
  readonly closed: BatchClosed['data'];
  /** The terminal's registration plans (effective-dated). */
  readonly plans: readonly PricingPlan[];
  /** The merchant's published plan versions: from the first one in force, they win (see planInForce). */
  readonly published?: readonly PublishedPlan[];
  /** Working-day calendars by country, each with its version; a plan's calendar that is missing leaves weekends alone off. */
  readonly calendars?: Readonly<Record<string, WorkingDays & { readonly version: number }>>;
  readonly settlementId: string;
}

/** The settlement alone: its payout parts are paid by the merchant's payout runs (payouts/payout-run.ts). */
export type SettleBatchResult = [BatchSettled];

/**
 * Settle a closed batch: check the host's totals, price it, journal it, split its net by payout date.
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

  const { plan, version } = planInForce(command.published ?? [], plans, batch.businessDay);
  const lines = computeSettlementLines(batch, plan);
  const totals = currencyTotalsOf(lines);
  const postings = journalFor(lines);
  assertBalanced(postings);
  const country = plan.payoutCalendar ?? DEFAULT_PAYOUT_CALENDAR;
  const calendar = command.calendars?.[country];
  const parts = payoutPartsOf(batch, totals, plan, calendar);

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
      ...(version !== undefined ? { pricingPlanVersion: version } : {}),
      roundingRule: roundingRuleOf(plan),
      refundReturnsFee: plan.refundReturnsFee,
      payoutSchedule: plan.payoutSchedule,
      payoutDate: nextWorkingDay(batch.businessDay, calendar),
      payoutParts: parts,
      ...(calendar ? { payoutCalendar: { country, version: calendar.version } } : {}),
      lines,
      totals,
      postings,
    },
  };

  return [settled];
};
