import type { BatchTotals, PaymentMethod, ReconciliationBreakDetected, ReconciliationBreakType, TransactionKind } from '@pos/contracts';
import type { CurrencyCode } from '@pos/money';

/**
 * The three sides of a day's reconciliation, as plain data:
 *  - the terminals: what each terminal reported at settlement (its batch totals),
 *  - the host: what the ledger recorded and settled (every transaction, reversed or not),
 *  - the acquirer: what its clearing file presents.
 */

/** A transaction as the host recorded it (from TransactionCompleted, and TransactionReversed when reversed). */
export interface HostTransaction {
  readonly rrn: string;
  readonly terminalId: string;
  readonly merchantId: string;
  readonly businessDay: string;
  readonly batchNo: string;
  readonly stan: string;
  readonly kind: TransactionKind;
  readonly method: PaymentMethod;
  readonly amount: bigint;
  readonly currency: CurrencyCode;
  /** ISO-8601 instant the host completed it. */
  readonly occurredAt: string;
  readonly maskedPan?: string;
  /** VOID and REFUND: the RRN of their sale. */
  readonly originalRrn?: string;
  readonly status: 'COMPLETED' | 'REVERSED';
  /**
   * The merchant discount the acquirer should charge on this transaction under the
   * merchant's pricing plan, per transaction (feeAtBps with the plan's rounding mode):
   * SALE and VOID the fee of the amount, REFUND the fee only when refunds return it, else 0.
   */
  readonly expectedFee: bigint;
}

/** A closed batch: the terminal's totals at settlement beside the host's. */
export interface HostBatch {
  readonly terminalId: string;
  readonly merchantId: string;
  readonly businessDay: string;
  readonly batchNo: string;
  readonly result: 'BALANCED' | 'UNBALANCED';
  /** What the terminal reported when it settled (SettlementRequested). */
  readonly terminalTotals: readonly BatchTotals[];
  /** What the host held at close, after any batch upload (BatchClosed). */
  readonly hostTotals: readonly BatchTotals[];
  /** What the terminal's totals still were at close (BatchClosed.terminalTotals). */
  readonly terminalTotalsAtClose: readonly BatchTotals[];
}

/** The host side of one business day, as the clearing-file generator and the matcher read it. */
export interface HostDay {
  readonly businessDay: string;
  readonly transactions: readonly HostTransaction[];
  readonly batches: readonly HostBatch[];
}

/** SALE, REFUND and VOID are presented transactions; REVERSAL says the acquirer reversed the transaction with that RRN. */
export type ClearingTxnType = 'SALE' | 'REFUND' | 'VOID' | 'REVERSAL';

/** First line of a clearing file. */
export interface ClearingFileHeader {
  readonly acquirerId: string;
  /** The acquirer's own reference for the file. */
  readonly fileReference: string;
  /** The business day the file clears. */
  readonly businessDay: string;
  /** ISO-8601 instant the acquirer wrote the file. */
  readonly createdAt: string;
}

/** One presented transaction (a detail line). Amounts in minor units of `currency`. */
export interface ClearingRecord {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly merchantId: string;
  readonly terminalId: string;
  readonly batchNo: string;
  /** Trace number (STAN) */
  readonly stan: string;
  readonly rrn: string;
  readonly type: ClearingTxnType;
  readonly maskedPan: string;
  readonly amount: bigint;
  readonly currency: CurrencyCode;
  readonly fee: bigint;
  /** Signed net to the merchant: amount - fee for a SALE, -(amount - fee) for REFUND, VOID and REVERSAL. */
  readonly settlementAmount: bigint;
  /** ISO-8601 instant of the transaction. */
  readonly transactionTime: string;
  /** YYYY-MM-DD the acquirer settles it. */
  readonly settlementDate: string;
}

/** The acquirer's totals of one terminal batch in one currency (a BATCH line). */
export interface ClearingBatchSummary {
  readonly line: number;
  readonly merchantId: string;
  readonly terminalId: string;
  readonly batchNo: string;
  readonly currency: CurrencyCode;
  readonly debitCount: number;
  readonly debitAmount: bigint;
  readonly creditCount: number;
  readonly creditAmount: bigint;
}

/** Last line: how many detail lines, and the sum of their amounts in minor units (a control total across currencies). */
export interface ClearingTrailer {
  readonly line: number;
  readonly recordCount: number;
  readonly controlTotal: bigint;
}

/** The published break types (the contract names them once). */
export type BreakType = ReconciliationBreakType;

export const BREAK_TYPES: readonly BreakType[] = [
  'MISSING_AT_ACQUIRER', 'MISSING_AT_HOST', 'AMOUNT_MISMATCH', 'FEE_MISMATCH', 'DUPLICATE_AT_ACQUIRER', 'DUPLICATE_AT_HOST',
  'CURRENCY_MISMATCH', 'STATUS_MISMATCH', 'LATE_PRESENTMENT', 'BATCH_TOTALS_MISMATCH',
];

/** Where an acquirer line came from. */
export interface ClearingRef {
  readonly fileId: string;
  readonly line: number;
}

/** A clearing record as the matcher sees it: with the file it came from and the business day that file clears. */
export interface PresentedRecord extends ClearingRecord {
  readonly fileId: string;
  readonly fileBusinessDay: string;
}

export interface PresentedBatchSummary extends ClearingBatchSummary {
  readonly fileId: string;
  readonly fileBusinessDay: string;
}

export interface MatchingTolerances {
  /** Largest acquirer-host amount difference still matched (minor units). Default 0. */
  readonly amountMinor: bigint;
  /** Largest fee difference still matched (minor units). Default 0. */
  readonly feeMinor: bigint;
  /** Largest transaction-time difference for a match by (terminal, batch, trace number), and the window for host lookalike duplicates. Default 600 s. */
  readonly timeSeconds: number;
}

export const DEFAULT_TOLERANCES: MatchingTolerances = { amountMinor: 0n, feeMinor: 0n, timeSeconds: 600 };

/**
 * One discrepancy, found once: `key` is stable across runs (same inputs, same key), so a
 * re-run recognises a break it already recorded. Amounts in minor units of `currency`.
 */
export type DetectedBreak = Omit<ReconciliationBreakDetected['data'], 'breakId'>;

/** Matched (agreeing) transactions per merchant and currency. */
export interface MatchedTotals {
  readonly merchantId: string;
  readonly currency: CurrencyCode;
  readonly count: number;
  readonly amount: bigint;
}

export interface MatchResult {
  readonly businessDay: string;
  readonly breaks: readonly DetectedBreak[];
  readonly matched: readonly MatchedTotals[];
  /** Host transactions of the day and acquirer lines considered. */
  readonly hostTransactions: number;
  readonly acquirerRecords: number;
}
