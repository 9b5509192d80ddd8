import type { Event } from '@pos/kernel';
import type { CurrencyCode, RoundingMode } from '@pos/money';

export type LedgerAccount = 'SCHEME_RECEIVABLE' | 'MERCHANT_PAYABLE' | 'FEE_INCOME';

export interface JournalPosting {
  readonly account: LedgerAccount;
  readonly side: 'DEBIT' | 'CREDIT';
  /** Always positive, minor units. */
  readonly amount: bigint;
  readonly currency: CurrencyCode;
}

/** One line per currency and payment method of the settled batch. */
export interface SettlementLine {
  readonly currency: CurrencyCode;
  readonly method: 'BANK_CARD' | 'QR';
  readonly mdrBps: number;
  readonly salesCount: number;
  readonly salesAmount: bigint;
  readonly voidsCount: number;
  readonly voidsAmount: bigint;
  readonly refundsCount: number;
  readonly refundsAmount: bigint;
  /** sales - voids - refunds */
  readonly gross: bigint;
  readonly fees: bigint;
  /** gross - fees: what the merchant is owed (negative: owes) */
  readonly net: bigint;
}

export interface CurrencyTotal {
  readonly currency: CurrencyCode;
  readonly gross: bigint;
  readonly fees: bigint;
  readonly net: bigint;
}

/** e.g. PER_TRANSACTION_HALF_UP: named in every BatchSettled so a figure can be recomputed. */
export type RoundingRule = `${'PER_TRANSACTION' | 'PER_BATCH'}_${RoundingMode}`;

export type BatchSettled = Event<
  'BatchSettled',
  {
    readonly settlementId: string;
    readonly terminalId: string;
    readonly merchantId: string;
    readonly batchNo: string;
    readonly businessDay: string;
    readonly closeResult: 'BALANCED' | 'UNBALANCED';
    readonly pricingPlanId: string;
    readonly roundingRule: RoundingRule;
    readonly refundReturnsFee: boolean;
    readonly payoutSchedule: 'D0' | 'T1';
    readonly payoutDate: string;
    readonly lines: readonly SettlementLine[];
    readonly totals: readonly CurrencyTotal[];
    readonly postings: readonly JournalPosting[];
  }
>;

export type PayoutScheduled = Event<
  'PayoutScheduled',
  {
    readonly payoutId: string;
    readonly settlementId: string;
    readonly terminalId: string;
    readonly merchantId: string;
    readonly batchNo: string;
    readonly businessDay: string;
    readonly currency: CurrencyCode;
    /** Net owed to the merchant; negative when the merchant owes (refunds exceeded sales). */
    readonly amount: bigint;
    readonly payoutDate: string;
  }
>;

export type SettlementEvent = BatchSettled | PayoutScheduled;

/** One settlement per closed batch: (terminal, business day, batch number) is unique even after the batch number wraps. */
export const settlementStreamId = (terminalId: string, businessDay: string, batchNo: string): string =>
  `settlement-${terminalId}-${businessDay}-${batchNo}`;
