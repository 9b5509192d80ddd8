import { z } from 'zod';
import { batchNo, businessDay, count, currencyCode, type SchemasDecode, merchantId, minorUnits, paymentMethod, terminalId } from '../wire';
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

const roundingRule = z.enum(['PER_TRANSACTION_HALF_UP', 'PER_TRANSACTION_HALF_EVEN', 'PER_BATCH_HALF_UP', 'PER_BATCH_HALF_EVEN']);

export const settlementSchemas = {
  BatchSettled: z.object({
    settlementId: z.string().min(1),
    terminalId,
    merchantId,
    batchNo,
    businessDay,
    closeResult: z.enum(['BALANCED', 'UNBALANCED']),
    pricingPlanId: z.string().min(1),
    roundingRule,
    refundReturnsFee: z.boolean(),
    payoutSchedule: z.enum(['D0', 'T1']),
    payoutDate: businessDay,
    lines: z.array(line),
    totals: z.array(z.object({ currency: currencyCode, gross: minorUnits, fees: minorUnits, net: minorUnits })),
    postings: z.array(posting),
  }),
  PayoutScheduled: z.object({
    payoutId: z.string().min(1),
    settlementId: z.string().min(1),
    terminalId,
    merchantId,
    batchNo,
    businessDay,
    currency: currencyCode,
    amount: minorUnits,
    payoutDate: businessDay,
  }),
} as const;

export const settlementSchemasMatchTypes: SchemasDecode<typeof settlementSchemas, E.SettlementEvent> = true;
