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
export { assertBalanced, currencyTotalsOf, journalFor } from './journal/journal';
export { payoutDate, pricingFor, type PayoutSchedule } from './pricing/pricing';
export { SettlementErrors } from './settlement.errors';
