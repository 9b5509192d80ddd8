import { z } from 'zod';
import {
  batchNo, businessDay, count, currencyCode, type SchemasDecode, maskedPan, merchantId, minorUnits, operatorId, paymentMethod,
  type OlderVersion, roundingMode, rrn, stan, terminalId, timeZone, transactionKind, upcastFrom,
} from '../wire';
import type * as E from './terminal.events';

const scoped = { terminalId, merchantId, businessDay };
const answered = { stan, fingerprint: z.string().min(16) };
export const uploadOutcome = z.enum(['MATCHED', 'BOOKED', 'MISMATCHED']);
export const reversalReason = z.enum(['98', '96', 'A0']);
export const settlementResult = z.enum(['BALANCED', 'UNBALANCED']);

const bps = z.number().int().min(0).max(10_000);
export const cardType = z.enum(['DEBIT', 'CREDIT']);
// Strict throughout: a misspelt setting in a plan finance publishes is refused, not dropped.
const feeRate = z.strictObject({
  bps,
  limits: z.array(z.strictObject({ currency: currencyCode, minFee: minorUnits.optional(), maxFee: minorUnits.optional() })).optional(),
});
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM');

export const pricingPlanSchema = z.strictObject({
  planId: z.string().min(1).max(64),
  effectiveFrom: businessDay,
  mdrBps: z.strictObject({ BANK_CARD: bps, QR: bps }),
  rates: z.strictObject({ DEBIT: feeRate.optional(), CREDIT: feeRate.optional(), QR: feeRate.optional() }).optional(),
  refundReturnsFee: z.boolean(),
  payoutSchedule: z.enum(['D0', 'T1']),
  d0: z
    .strictObject({
      from: clock,
      to: clock,
      utcOffsetMinutes: z.number().int().min(-14 * 60).max(14 * 60),
      minimums: z.array(z.strictObject({ currency: currencyCode, amount: minorUnits })),
    })
    .optional(),
  payoutCalendar: z.string().regex(/^[A-Z]{2}$/).optional(),
  rounding: z.strictObject({ scope: z.enum(['PER_TRANSACTION', 'PER_BATCH']), mode: roundingMode }),
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

/**
 * OperatorAuthenticationFailed v1, as written until the lockout threshold was recorded. v2
 * adds `maxFailures`, the threshold in force: once acquirers may set it per terminal, an
 * auditor reading "2 consecutive failures, not locked out" must see whether the limit was 3
 * or 5, and a replay must not apply today's limit to yesterday's events.
 */
const operatorAuthenticationFailedV1 = z.object({
  ...scoped,
  operatorId,
  during: z.enum(['SIGN_ON', 'SETTLEMENT']),
  consecutiveFailures: z.number().int().positive(),
  lockedOut: z.boolean(),
});

/** Every v1 event was written under the fixed threshold of 3 (MAX_PASSWORD_FAILURES then): a fact, not a default. */
const V1_MAX_PASSWORD_FAILURES = 3;

/** The zone of a merchant registered without one: every terminal registered before zones were recorded was, by the ledger's first market. */
export const DEFAULT_MERCHANT_TIME_ZONE = 'Asia/Shanghai';

export const terminalSchemas = {
  TerminalRegistered: z.object({
    ...scoped,
    merchantName: z.string().min(1).max(80),
    currencies: z.array(z.object({ currency: currencyCode, maxAmount: minorUnits })).min(1),
    operatorIds: z.array(operatorId).min(1),
    pricing: pricingPlanSchema,
    batchNo,
    /**
     * The merchant's zone, added without a new version: an optional field read with its default,
     * so registrations written before it read as Asia/Shanghai, and a consumer of an older
     * release still reads (and ignores) it while a rolling upgrade is under way.
     */
    timeZone: timeZone.default(timeZone.parse(DEFAULT_MERCHANT_TIME_ZONE)),
  }),
  TerminalSignedOn: z.object({ ...scoped, ...answered, operatorId, batchNo }),
  OperatorAuthenticationFailed: operatorAuthenticationFailedV1.extend({ maxFailures: z.number().int().positive() }),
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
    cardType: cardType.optional(),
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
export const terminalSchemasMatchTypes: SchemasDecode<typeof terminalSchemas, E.TerminalEvent> = true;

type S = typeof terminalSchemas;

/** Readers of older versions, oldest first (see the registry): version n at index n - 1. */
export const terminalUpcasters: { readonly [K in keyof S]?: ReadonlyArray<OlderVersion<z.output<S[K]>>> } = {
  OperatorAuthenticationFailed: [upcastFrom(operatorAuthenticationFailedV1, (v1) => ({ ...v1, maxFailures: V1_MAX_PASSWORD_FAILURES }))],
};
