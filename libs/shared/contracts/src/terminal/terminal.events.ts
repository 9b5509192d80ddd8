import type { Event } from '@pos/kernel';
import type { CurrencyCode, RoundingMode } from '@pos/money';

/** Stable names: never renamed once published; new shapes are upcast. */
export type PaymentMethod = 'BANK_CARD' | 'QR';
export type TransactionKind = 'SALE' | 'VOID' | 'REFUND';
export type ReversalReason = '98' | '96' | 'A0';
export type SettlementResult = 'BALANCED' | 'UNBALANCED';

export interface CurrencyLimit {
  readonly currency: CurrencyCode;
  /** Largest single transaction accepted, minor units. */
  readonly maxAmount: bigint;
}

/** A bank card's type, as the sale names it (absent: priced as CREDIT, see docs/api.md). */
export type CardType = 'DEBIT' | 'CREDIT';

/** What a plan prices at its own rate: a bank card by its type, or a QR payment. */
export type RateClass = CardType | 'QR';

/** A per-transaction fee floor and cap in one currency, minor units (either may be absent). */
export interface FeeLimit {
  readonly currency: CurrencyCode;
  readonly minFee?: bigint;
  readonly maxFee?: bigint;
}

/** A rate class's price: basis points, with per-transaction limits by currency. */
export interface FeeRate {
  readonly bps: number;
  readonly limits?: readonly FeeLimit[];
}

/**
 * Which transactions are paid the same day (D0) under a D0 plan: bank-card sales of at least
 * the currency's minimum made at or after `from` and before `to`, local time at `utcOffsetMinutes`
 * (the seed's rule: 11.00 CNY, 00:00 to 23:00 Beijing time). The rest of the batch is paid T+1.
 */
export interface D0Rule {
  readonly from: string;
  readonly to: string;
  readonly utcOffsetMinutes: number;
  readonly minimums: readonly { readonly currency: CurrencyCode; readonly amount: bigint }[];
}

export interface PricingPlan {
  readonly planId: string;
  /** Business day from which this plan applies. */
  readonly effectiveFrom: string;
  /** The rate of a payment method when the plan has no `rates` entry for its class. */
  readonly mdrBps: { readonly BANK_CARD: number; readonly QR: number };
  /** Rates by class (DEBIT, CREDIT bank cards; QR), with caps and floors; absent classes use `mdrBps`. */
  readonly rates?: { readonly DEBIT?: FeeRate; readonly CREDIT?: FeeRate; readonly QR?: FeeRate };
  /** Whether a refund gives the merchant back the fee of the amount refunded. */
  readonly refundReturnsFee: boolean;
  /** T1: the whole batch on the next working day. D0: what `d0` (or the seed's rule) selects the same day, the rest T+1. */
  readonly payoutSchedule: 'D0' | 'T1';
  readonly d0?: D0Rule;
  /** Working-day calendar of payouts, by country (ISO 3166 alpha-2); absent: CN. */
  readonly payoutCalendar?: string;
  readonly rounding: { readonly scope: 'PER_TRANSACTION' | 'PER_BATCH'; readonly mode: RoundingMode };
}

/** Settlement totals as a terminal prints them: per currency, debits (sales) and credits (voids, refunds). */
export interface BatchTotals {
  readonly currency: CurrencyCode;
  readonly debitCount: number;
  readonly debitAmount: bigint;
  readonly creditCount: number;
  readonly creditAmount: bigint;
}

export type DifferenceKind = 'MISSING_AT_HOST' | 'MISSING_AT_TERMINAL' | 'AMOUNT_MISMATCH' | 'STATUS_MISMATCH' | 'TOTALS_MISMATCH';

export interface BatchDifference {
  readonly kind: DifferenceKind;
  readonly currency: CurrencyCode;
  readonly stan?: string;
  readonly rrn?: string;
  readonly hostAmount?: bigint;
  readonly terminalAmount?: bigint;
  readonly note: string;
}

/** Every terminal event names its terminal and the business day it belongs to (for the audit trail). */
interface TerminalScoped {
  readonly terminalId: string;
  readonly merchantId: string;
  readonly businessDay: string;
}

/** Events answering a terminal request carry its trace number and a fingerprint of the request, for idempotency. */
interface Answered {
  readonly stan: string;
  readonly fingerprint: string;
}

export type TerminalRegistered = Event<
  'TerminalRegistered',
  TerminalScoped & {
    readonly merchantName: string;
    readonly currencies: readonly CurrencyLimit[];
    readonly operatorIds: readonly string[];
    readonly pricing: PricingPlan;
    readonly batchNo: string;
    /** The merchant's IANA time zone, for showing its times (v2; business days stay UTC dates). */
    readonly timeZone: string;
  }
>;

export type TerminalSignedOn = Event<
  'TerminalSignedOn',
  TerminalScoped & Answered & { readonly operatorId: string; readonly batchNo: string }
>;

export type OperatorAuthenticationFailed = Event<
  'OperatorAuthenticationFailed',
  TerminalScoped & {
    readonly operatorId: string;
    readonly during: 'SIGN_ON' | 'SETTLEMENT';
    readonly consecutiveFailures: number;
    /** The threshold in force: `consecutiveFailures` reaching it locked the operator out (v2; v1 events were all written under 3). */
    readonly maxFailures: number;
    readonly lockedOut: boolean;
  }
>;

export type OperatorUnlocked = Event<'OperatorUnlocked', TerminalScoped & { readonly operatorId: string }>;

export type TransactionCompleted = Event<
  'TransactionCompleted',
  TerminalScoped &
    Answered & {
      /** `<terminalId>-<rrn>`: unique across the acquirer. */
      readonly transactionId: string;
      readonly kind: TransactionKind;
      readonly method: PaymentMethod;
      readonly amount: bigint;
      readonly currency: CurrencyCode;
      readonly rrn: string;
      readonly authCode: string;
      readonly batchNo: string;
      readonly operatorId: string;
      /** Masked PAN for bank cards (first 6, last 4); never the full number. */
      readonly maskedPan?: string;
      /** For VOID and REFUND: the RRN of the sale it applies to. */
      readonly originalRrn?: string;
      /** Bank cards: DEBIT or CREDIT when the sale said so (a void or refund takes its sale's). Absent: priced as CREDIT. */
      readonly cardType?: CardType;
      /** ONLINE: authorised in real time. BATCH_UPLOAD: booked from the terminal's upload after an unbalanced settlement. */
      readonly capture: 'ONLINE' | 'BATCH_UPLOAD';
    }
>;

export type TransactionReversed = Event<
  'TransactionReversed',
  TerminalScoped &
    Answered & {
      readonly transactionId: string;
      readonly rrn: string;
      readonly kind: TransactionKind;
      readonly method: PaymentMethod;
      readonly amount: bigint;
      readonly currency: CurrencyCode;
      readonly originalStan: string;
      readonly originalRrn?: string;
      readonly reason: ReversalReason;
      readonly batchNo: string;
    }
>;

/** A reversal for a message the host never saw: remembered so a late original is refused. */
export type UnmatchedReversalRecorded = Event<
  'UnmatchedReversalRecorded',
  TerminalScoped & Answered & { readonly originalStan: string; readonly reason: ReversalReason; readonly batchNo: string }
>;

export type SettlementRequested = Event<
  'SettlementRequested',
  TerminalScoped &
    Answered & {
      readonly operatorId: string;
      readonly batchNo: string;
      readonly terminalTotals: readonly BatchTotals[];
      readonly hostTotals: readonly BatchTotals[];
      readonly result: SettlementResult;
    }
>;

export interface UploadedItemOutcome {
  readonly stan: string;
  readonly outcome: 'MATCHED' | 'BOOKED' | 'MISMATCHED';
  readonly rrn?: string;
  /** Set for BOOKED (missing at host) and MISMATCHED items. */
  readonly difference?: BatchDifference;
}

export type BatchTransactionsUploaded = Event<
  'BatchTransactionsUploaded',
  TerminalScoped & Answered & { readonly batchNo: string; readonly items: readonly UploadedItemOutcome[] }
>;

export type BatchClosed = Event<
  'BatchClosed',
  TerminalScoped &
    Answered & {
      readonly batchNo: string;
      readonly result: SettlementResult;
      readonly terminalTotals: readonly BatchTotals[];
      readonly hostTotals: readonly BatchTotals[];
      readonly differences: readonly BatchDifference[];
      /** Transactions the host holds for the batch (reversed ones excluded). */
      readonly transactionCount: number;
      readonly nextBatchNo: string;
      readonly nextBusinessDay: string;
    }
>;

export type TerminalSignedOff = Event<
  'TerminalSignedOff',
  TerminalScoped & Answered & { readonly operatorId: string; readonly batchNo: string }
>;

export type TerminalEvent =
  | TerminalRegistered
  | TerminalSignedOn
  | OperatorAuthenticationFailed
  | OperatorUnlocked
  | TransactionCompleted
  | TransactionReversed
  | UnmatchedReversalRecorded
  | SettlementRequested
  | BatchTransactionsUploaded
  | BatchClosed
  | TerminalSignedOff;

export type TerminalEventType = TerminalEvent['type'];

export const terminalStreamId = (terminalId: string): string => `terminal-${terminalId}`;
