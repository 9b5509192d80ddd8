import type { Event } from '@pos/kernel';
import type { CurrencyCode, RoundingMode } from '@pos/money';
import type { CardType, PricingPlan } from '../terminal/terminal.events';

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
  /** Bank-card lines of a plan that prices card types apart; absent otherwise (one line for the method). */
  readonly cardType?: CardType;
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

/** A part of a batch's net paid on one date. */
export interface PayoutPart {
  readonly currency: CurrencyCode;
  readonly schedule: 'D0' | 'T1';
  readonly payoutDate: string;
  /** Minor units; negative when the merchant owes (refunds above sales). */
  readonly amount: bigint;
}

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
    /** The published version of the merchant's plan; absent for the plan its terminal was registered with (and before versions existed). */
    readonly pricingPlanVersion?: number;
    readonly roundingRule: RoundingRule;
    readonly refundReturnsFee: boolean;
    readonly payoutSchedule: 'D0' | 'T1';
    /** When the part not paid D0 is paid (all of it under T1). */
    readonly payoutDate: string;
    /** Per currency, the net's parts by payout date: the D0 part (if any) and the rest. Absent on events before D0 rules. */
    readonly payoutParts?: readonly PayoutPart[];
    /** The working-day calendar T+1 rolled on: its country and version (the count of PayoutCalendarLoaded; 0, the file shipped), so a rebuild uses the same. */
    readonly payoutCalendar?: { readonly country: string; readonly version: number };
    readonly lines: readonly SettlementLine[];
    readonly totals: readonly CurrencyTotal[];
    readonly postings: readonly JournalPosting[];
  }
>;

/** One batch's part in a payout: its net in the currency due on `payoutDate` (negative: the merchant owed it). */
export interface PayoutBatch {
  readonly settlementId: string;
  readonly terminalId: string;
  readonly batchNo: string;
  readonly businessDay: string;
  readonly schedule: 'D0' | 'T1';
  /** When it was due: earlier than the payout's date when it was carried or settled late. */
  readonly payoutDate: string;
  readonly amount: bigint;
}

/**
 * A merchant's transfer for a day in one currency (v2): the net of every batch part due by then
 * and not yet paid, negative parts carried from earlier runs included; `amount` is their sum and
 * always positive. v1 (until issue 14) was one per batch and currency, possibly negative; it is
 * read as a payout of that one batch.
 */
export type PayoutScheduled = Event<'PayoutScheduled', PayoutRunResult & { readonly payoutId: string }>;

/** What one payout run decided for a merchant and currency. */
export interface PayoutRunResult {
  readonly merchantId: string;
  readonly currency: CurrencyCode;
  /** The run's date: when the transfer is made. */
  readonly payoutDate: string;
  /** The sum of `batches`: positive in a PayoutScheduled, zero or negative in a PayoutCarriedForward. */
  readonly amount: bigint;
  readonly batches: readonly PayoutBatch[];
}

/**
 * A payout run found the merchant's net in a currency zero or negative (refunds above sales): no
 * transfer; the parts are carried, whole, into the next run's net.
 */
export type PayoutCarriedForward = Event<'PayoutCarriedForward', PayoutRunResult>;

/**
 * A version of a merchant's pricing plan, in force from `plan.effectiveFrom` (never a settled or
 * open day before it) until a later version's: the stream `pricing-<merchantId>` is its history.
 */
export type PricingPlanPublished = Event<
  'PricingPlanPublished',
  {
    readonly merchantId: string;
    /** 1, 2, ... per merchant. */
    readonly version: number;
    readonly plan: PricingPlan;
    /** Who published it, as the back office or CLI named them. */
    readonly publishedBy: string;
  }
>;

/**
 * A country's working-day calendar as operations load it (a JSON file; the one shipped for China
 * is libs/settlement/domain/calendars/CN.json): holidays as named ranges, and the make-up working
 * days that fall on weekends. Days outside `from`..`to` follow the weekend rule alone.
 */
export interface WorkingCalendar {
  /** ISO 3166 alpha-2, e.g. CN. */
  readonly country: string;
  readonly from: string;
  readonly to: string;
  /** Where the dates come from (the official notice). */
  readonly source: string;
  readonly holidays: readonly { readonly name: string; readonly from: string; readonly to: string }[];
  readonly workdays: readonly string[];
}

/** Operations loaded (or replaced) a country's calendar: payouts run from then on roll by it. Stream `calendar-<country>`. */
export type PayoutCalendarLoaded = Event<'PayoutCalendarLoaded', { readonly calendar: WorkingCalendar; readonly loadedBy: string }>;

export type SettlementEvent = BatchSettled | PayoutScheduled | PayoutCarriedForward | PricingPlanPublished | PayoutCalendarLoaded;

/** One settlement per closed batch: (terminal, business day, batch number) is unique even after the batch number wraps. */
export const settlementStreamId = (terminalId: string, businessDay: string, batchNo: string): string =>
  `settlement-${terminalId}-${businessDay}-${batchNo}`;

/** A merchant's pricing history: every PricingPlanPublished, version by version. */
export const pricingStreamId = (merchantId: string): string => `pricing-${merchantId}`;

/** A merchant's payouts in one currency, run by run: PayoutScheduled and PayoutCarriedForward. */
export const payoutStreamId = (merchantId: string, currency: string): string => `payouts-${merchantId}-${currency}`;

/** A country's loaded calendars, latest last. */
export const calendarStreamId = (country: string): string => `calendar-${country}`;
