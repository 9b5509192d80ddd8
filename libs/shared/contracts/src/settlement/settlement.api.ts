import { z } from 'zod';
import { instant } from '../reconciliation/reconciliation.schemas';
import { pricingPlanSchema } from '../terminal/terminal.schemas';
import { businessDay, currencyCode, merchantId, minorUnits } from '../wire';
import { ledgerAccount, settlementSchemas, workingCalendarSchema } from './settlement.schemas';

/** What settlement's read side answers; amounts are decimal strings. */
export const settlementsAnswer = z.object({ settlements: z.array(settlementSchemas.BatchSettled) });

export const balancesAnswer = z.object({
  balances: z.array(z.object({ currency: currencyCode, account: ledgerAccount, debit: minorUnits, credit: minorUnits })),
});


const published = settlementSchemas.PricingPlanPublished;
/** A merchant's plan version as published. */
export const planVersionAnswer = published.extend({ publishedAt: instant });
/** A merchant's plan history, oldest first, and which plan a day settles on when asked. */
export const planHistoryAnswer = z.object({
  merchantId,
  versions: z.array(planVersionAnswer),
  inForce: z.object({ businessDay, planId: z.string(), version: z.number().int().positive().optional(), plan: pricingPlanSchema }).optional(),
});

export const calendarAnswer = z.object({
  calendar: workingCalendarSchema,
  source: z.enum(['SHIPPED', 'LOADED']),
  version: z.number().int().nonnegative(),
  loadedAt: instant.optional(),
  loadedBy: z.string().optional(),
});

const runs = settlementSchemas;
export const payoutRunAnswer = z.object({ payoutDate: businessDay, payouts: z.array(runs.PayoutScheduled), carried: z.array(runs.PayoutCarriedForward) });
export const merchantPayoutsAnswer = z.object({
  merchantId,
  runs: z.array(
    z.discriminatedUnion('type', [
      runs.PayoutScheduled.extend({ type: z.literal('PayoutScheduled'), recordedAt: instant }),
      runs.PayoutCarriedForward.extend({ type: z.literal('PayoutCarriedForward'), recordedAt: instant }),
    ]),
  ),
  due: z.array(runs.PayoutScheduled.shape.batches.element.extend({ currency: currencyCode })),
});
