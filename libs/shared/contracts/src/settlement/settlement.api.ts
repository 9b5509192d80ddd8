import { z } from 'zod';
import { businessDay, currencyCode, minorUnits } from '../wire';
import { ledgerAccount, settlementSchemas } from './settlement.schemas';

/** What settlement's read side answers; amounts are decimal strings. */
export const settlementsAnswer = z.object({ settlements: z.array(settlementSchemas.BatchSettled) });

export const balancesAnswer = z.object({
  balances: z.array(z.object({ currency: currencyCode, account: ledgerAccount, debit: minorUnits, credit: minorUnits })),
});

/**
 * A country's working-day calendar as operations load it (a JSON file; the one shipped for
 * China is libs/settlement/domain/calendars/CN.json): holidays as named ranges, and the make-up
 * working days that fall on weekends. Days outside `from`..`to` follow the weekend rule alone.
 */
export const workingCalendarSchema = z
  .object({
    country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2, e.g. CN'),
    from: businessDay,
    to: businessDay,
    source: z.string().min(1).max(500),
    holidays: z.array(z.object({ name: z.string().min(1).max(100), from: businessDay, to: businessDay }).strict()).max(100),
    workdays: z.array(businessDay).max(100),
  })
  .strict();
export type WorkingCalendar = z.output<typeof workingCalendarSchema>;
