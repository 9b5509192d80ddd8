import { z } from 'zod';
import { batchNo, businessDay, count, currencyCode, type OlderVersion, type SchemasDecode, merchantId, minorUnits, paymentMethod, terminalId, upcastFrom } from '../wire';
import { cardType, pricingPlanSchema } from '../terminal/terminal.schemas';
import type * as E from './settlement.events';

export const ledgerAccount = z.enum(['SCHEME_RECEIVABLE', 'MERCHANT_PAYABLE', 'FEE_INCOME']);

const posting = z.object({
  account: ledgerAccount,
  side: z.enum(['DEBIT', 'CREDIT']),
  amount: minorUnits,
  currency: currencyCode,
});

const line = z.object({
  currency: currencyCode,
  method: paymentMethod,
  cardType: cardType.optional(),
  mdrBps: z.number().int().min(0).max(10_000),
  salesCount: count,
  salesAmount: minorUnits,
  voidsCount: count,
  voidsAmount: minorUnits,
  refundsCount: count,
  refundsAmount: minorUnits,
  gross: minorUnits,
  fees: minorUnits,
  net: minorUnits,
});

const payoutBatch = z.object({
  settlementId: z.string().min(1),
  terminalId,
  batchNo,
  businessDay,
  schedule: z.enum(['D0', 'T1']),
  payoutDate: businessDay,
  amount: minorUnits,
});

const payoutRun = z.object({ merchantId, currency: currencyCode, payoutDate: businessDay, amount: minorUnits, batches: z.array(payoutBatch) });

/** PayoutScheduled v1: one per batch and currency, as settlement wrote it until payouts were netted per merchant and day. */
const payoutScheduledV1 = z.object({
  payoutId: z.string().min(1),
  settlementId: z.string().min(1),
  terminalId,
  merchantId,
  batchNo,
  businessDay,
  currency: currencyCode,
  amount: minorUnits,
  payoutDate: businessDay,
});

const roundingRule = z.enum(['PER_TRANSACTION_HALF_UP', 'PER_TRANSACTION_HALF_EVEN', 'PER_BATCH_HALF_UP', 'PER_BATCH_HALF_EVEN']);

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

export const settlementSchemas = {
  BatchSettled: z.object({
    settlementId: z.string().min(1),
    terminalId,
    merchantId,
    batchNo,
    businessDay,
    closeResult: z.enum(['BALANCED', 'UNBALANCED']),
    pricingPlanId: z.string().min(1),
    pricingPlanVersion: z.number().int().positive().optional(),
    roundingRule,
    refundReturnsFee: z.boolean(),
    payoutSchedule: z.enum(['D0', 'T1']),
    payoutDate: businessDay,
    payoutParts: z.array(z.object({ currency: currencyCode, schedule: z.enum(['D0', 'T1']), payoutDate: businessDay, amount: minorUnits })).optional(),
    payoutCalendar: z.object({ country: z.string().regex(/^[A-Z]{2}$/), version: z.number().int().nonnegative() }).optional(),
    lines: z.array(line),
    totals: z.array(z.object({ currency: currencyCode, gross: minorUnits, fees: minorUnits, net: minorUnits })),
    postings: z.array(posting),
  }),
  PayoutScheduled: payoutRun.extend({ payoutId: z.string().min(1) }),
  PayoutCarriedForward: payoutRun,
  PayoutCalendarLoaded: z.object({ calendar: workingCalendarSchema, loadedBy: z.string().min(1).max(200) }),
  PricingPlanPublished: z.object({
    merchantId,
    version: z.number().int().positive(),
    plan: pricingPlanSchema,
    publishedBy: z.string().min(1).max(200),
  }),
} as const;

export const settlementSchemasMatchTypes: SchemasDecode<typeof settlementSchemas, E.SettlementEvent> = true;

type S = typeof settlementSchemas;

/** Readers of older versions, oldest first (see the registry): version n at index n - 1. */
export const settlementUpcasters: { readonly [K in keyof S]?: ReadonlyArray<OlderVersion<z.output<S[K]>>> } = {
  // A v1 payout paid its one batch: the batch is its only part; a payout on the batch's own day was D0 (v1 paid D0 plans whole, that day).
  PayoutScheduled: [
    upcastFrom(payoutScheduledV1, (v1) => ({
      payoutId: v1.payoutId,
      merchantId: v1.merchantId,
      currency: v1.currency,
      amount: v1.amount,
      payoutDate: v1.payoutDate,
      batches: [
        { settlementId: v1.settlementId, terminalId: v1.terminalId, batchNo: v1.batchNo, businessDay: v1.businessDay, schedule: v1.payoutDate === v1.businessDay ? 'D0' : 'T1', payoutDate: v1.payoutDate, amount: v1.amount },
      ],
    })),
  ],
};
