import { z } from 'zod';
import {
  batchNo, businessDay, count, currencyCode, type Decodes, maskedPan, merchantId, minorUnits, operatorId, paymentMethod,
  roundingMode, rrn, stan, terminalId, transactionKind,
} from '../wire';
import type * as E from './terminal.events';

const scoped = { terminalId, merchantId, businessDay };
const answered = { stan, fingerprint: z.string().min(16) };
export const uploadOutcome = z.enum(['MATCHED', 'BOOKED', 'MISMATCHED']);
export const reversalReason = z.enum(['98', '96', 'A0']);
export const settlementResult = z.enum(['BALANCED', 'UNBALANCED']);

export const pricingPlanSchema = z.object({
  planId: z.string().min(1).max(64),
  effectiveFrom: businessDay,
  mdrBps: z.object({ BANK_CARD: z.number().int().min(0).max(10_000), QR: z.number().int().min(0).max(10_000) }),
  refundReturnsFee: z.boolean(),
  payoutSchedule: z.enum(['D0', 'T1']),
  rounding: z.object({ scope: z.enum(['PER_TRANSACTION', 'PER_BATCH']), mode: roundingMode }),
});

export const batchTotalsSchema = z.object({
  currency: currencyCode,
  debitCount: count,
  debitAmount: minorUnits,
  creditCount: count,
  creditAmount: minorUnits,
});

export const batchDifferenceSchema = z.object({
  kind: z.enum(['MISSING_AT_HOST', 'MISSING_AT_TERMINAL', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH', 'TOTALS_MISMATCH']),
  currency: currencyCode,
  stan: stan.optional(),
  rrn: rrn.optional(),
  hostAmount: minorUnits.optional(),
  terminalAmount: minorUnits.optional(),
  note: z.string(),
});

export const terminalSchemas = {
  TerminalRegistered: z.object({
    ...scoped,
    merchantName: z.string().min(1).max(80),
    currencies: z.array(z.object({ currency: currencyCode, maxAmount: minorUnits })).min(1),
    operatorIds: z.array(operatorId).min(1),
    pricing: pricingPlanSchema,
    batchNo,
  }),
  TerminalSignedOn: z.object({ ...scoped, ...answered, operatorId, batchNo }),
  OperatorAuthenticationFailed: z.object({
    ...scoped,
    operatorId,
    during: z.enum(['SIGN_ON', 'SETTLEMENT']),
    consecutiveFailures: z.number().int().positive(),
    lockedOut: z.boolean(),
  }),
  OperatorUnlocked: z.object({ ...scoped, operatorId }),
  TransactionCompleted: z.object({
    ...scoped,
    ...answered,
    transactionId: z.string(),
    kind: transactionKind,
    method: paymentMethod,
    amount: minorUnits,
    currency: currencyCode,
    rrn,
    authCode: z.string().regex(/^[0-9A-Z]{6}$/),
    batchNo,
    operatorId,
    maskedPan: maskedPan.optional(),
    originalRrn: rrn.optional(),
    capture: z.enum(['ONLINE', 'BATCH_UPLOAD']),
  }),
  TransactionReversed: z.object({
    ...scoped,
    ...answered,
    transactionId: z.string(),
    rrn,
    kind: transactionKind,
    method: paymentMethod,
    amount: minorUnits,
    currency: currencyCode,
    originalStan: stan,
    originalRrn: rrn.optional(),
    reason: reversalReason,
    batchNo,
  }),
  UnmatchedReversalRecorded: z.object({ ...scoped, ...answered, originalStan: stan, reason: reversalReason, batchNo }),
  SettlementRequested: z.object({
    ...scoped,
    ...answered,
    operatorId,
    batchNo,
    terminalTotals: z.array(batchTotalsSchema),
    hostTotals: z.array(batchTotalsSchema),
    result: settlementResult,
  }),
  BatchTransactionsUploaded: z.object({
    ...scoped,
    ...answered,
    batchNo,
    items: z.array(z.object({ stan, outcome: uploadOutcome, rrn: rrn.optional(), difference: batchDifferenceSchema.optional() })),
  }),
  BatchClosed: z.object({
    ...scoped,
    ...answered,
    batchNo,
    result: settlementResult,
    terminalTotals: z.array(batchTotalsSchema),
    hostTotals: z.array(batchTotalsSchema),
    differences: z.array(batchDifferenceSchema),
    transactionCount: count,
    nextBatchNo: batchNo,
    nextBusinessDay: businessDay,
  }),
  TerminalSignedOff: z.object({ ...scoped, ...answered, operatorId, batchNo }),
} as const;

// The schemas and the domain's types must agree exactly; this fails to compile otherwise.
type S = typeof terminalSchemas;
export const terminalSchemasMatchTypes: [
  Decodes<S['TerminalRegistered'], E.TerminalRegistered['data']>,
  Decodes<S['TerminalSignedOn'], E.TerminalSignedOn['data']>,
  Decodes<S['OperatorAuthenticationFailed'], E.OperatorAuthenticationFailed['data']>,
  Decodes<S['OperatorUnlocked'], E.OperatorUnlocked['data']>,
  Decodes<S['TransactionCompleted'], E.TransactionCompleted['data']>,
  Decodes<S['TransactionReversed'], E.TransactionReversed['data']>,
  Decodes<S['UnmatchedReversalRecorded'], E.UnmatchedReversalRecorded['data']>,
  Decodes<S['SettlementRequested'], E.SettlementRequested['data']>,
  Decodes<S['BatchTransactionsUploaded'], E.BatchTransactionsUploaded['data']>,
  Decodes<S['BatchClosed'], E.BatchClosed['data']>,
  Decodes<S['TerminalSignedOff'], E.TerminalSignedOff['data']>,
] = [true, true, true, true, true, true, true, true, true, true, true];
