export {
  emptyPendingBatch,
  evolvePendingBatch,
  evolvePendingTransaction,
  liveTransactions,
  pendingBatchFrom,
  pendingBatchKey,
  pendingBatchKeyOf,
  pendingBatchOf,
  pendingTransactionKey,
  type PendingBatch,
  type PendingBatchEvent,
  type PendingTransaction,
} from './settle-batch/pending-batch';
export { hostTotalsOf, totalsAgree } from './settle-batch/host-totals';
export { settleBatch, type SettleBatch, type SettleBatchResult } from './settle-batch/settle-batch.decider';
export { computeSettlementLines, roundingRuleOf } from './fees/settlement-lines';
export { appliedRate, chargedFee, DEFAULT_CARD_TYPE, rateClassOf, returnedFee } from './pricing/fee-rate';
export { isPaidD0, payoutPartsOf, SEED_D0_RULE } from './payouts/payout-parts';
export { DEFAULT_PAYOUT_CALENDAR, isWorkingDay, nextWorkingDay, SHIPPED_CALENDARS, workingDayOnOrAfter, workingDaysOf, type WorkingDays } from './payouts/working-calendar';
export { assertBalanced, currencyTotalsOf, journalFor } from './journal/journal';
export { assertPlanConsistent, planInForce, pricingFor, publishPlan, type PlanInForce, type PublishedPlan, type PublishPlan } from './pricing/pricing';
export { SettlementErrors } from './settlement.errors';
export { EMPTY_PAYOUT_ACCOUNT, evolvePayoutAccount, isDueBy, runPayout, type PayoutAccount, type RunPayout } from './payouts/payout-run';
