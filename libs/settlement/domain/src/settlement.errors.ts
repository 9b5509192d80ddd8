import { alike, errorCatalogue } from '@pos/kernel';

/**
 * The settlement context's refusals. Each is raised while settlement applies an event it
 * consumed, so each dead-letters that event (docs/errors.md, "Consumers and dead letters").
 */
export const SettlementErrors = errorCatalogue({
  // The transactions seen do not add up to the host's totals: an upstream event was lost.
  SETTLEMENT_TOTALS_DISAGREE: { responseCode: '95', kind: 'state' },
  // An event outside its batch, a terminal without one plan in force, a journal that breaks its own invariants.
  ...alike({ responseCode: '96', kind: 'internal' }, 'SETTLEMENT_BATCH_MISMATCH', 'PENDING_BATCH_MISMATCH', 'PRICING_PLAN_MISSING', 'PRICING_PLAN_AMBIGUOUS', 'JOURNAL_POSTING_INVALID', 'JOURNAL_UNBALANCED'),
});
