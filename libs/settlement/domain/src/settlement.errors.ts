import { alike, errorCatalogue } from '@pos/kernel';

/**
 * The settlement context's refusals. Those of a consumed event dead-letter it (docs/errors.md,
 * "Consumers and dead letters"); those of the back office answer the request and change nothing
 * (docs/errors.md, "Pricing plans and payout calendars").
 */
export const SettlementErrors = errorCatalogue({
  // The transactions seen do not add up to the host's totals: an upstream event was lost.
  SETTLEMENT_TOTALS_DISAGREE: { responseCode: '95', kind: 'state' },
  // An event outside its batch, a terminal without one plan in force, a journal that breaks its own invariants.
  ...alike({ responseCode: '96', kind: 'internal' }, 'SETTLEMENT_BATCH_MISMATCH', 'PENDING_BATCH_MISMATCH', 'PRICING_PLAN_MISSING', 'PRICING_PLAN_AMBIGUOUS', 'JOURNAL_POSTING_INVALID', 'JOURNAL_UNBALANCED'),
  // A plan or a calendar that contradicts itself (a cap below its floor, limits with per-batch rounding, a day both holiday and working day).
  ...alike({ responseCode: '30', kind: 'validation' }, 'PRICING_PLAN_INVALID', 'CALENDAR_INVALID'),
  // A country whose working-day calendar is neither shipped nor loaded.
  CALENDAR_UNKNOWN: { responseCode: '25', kind: 'not_found' },
  // A plan effective before the merchant's open business day would reprice what is settled or being settled.
  PRICING_PLAN_RETROACTIVE: { responseCode: '12', kind: 'conflict' },
});
