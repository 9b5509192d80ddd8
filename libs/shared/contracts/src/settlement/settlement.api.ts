import { z } from 'zod';
import { currencyCode, minorUnits } from '../wire';
import { ledgerAccount, settlementSchemas } from './settlement.schemas';

/** What settlement's read side answers; amounts are decimal strings. */
export const settlementsAnswer = z.object({ settlements: z.array(settlementSchemas.BatchSettled) });

export const balancesAnswer = z.object({
  balances: z.array(z.object({ currency: currencyCode, account: ledgerAccount, debit: minorUnits, credit: minorUnits })),
});
