import type { Event } from '@pos/kernel';
import type { CurrencyCode } from '@pos/money';

export type ReconciliationBreakType =
  | 'MISSING_AT_ACQUIRER'
  | 'MISSING_AT_HOST'
  | 'AMOUNT_MISMATCH'
  | 'FEE_MISMATCH'
  | 'DUPLICATE_AT_ACQUIRER'
  | 'DUPLICATE_AT_HOST'
  | 'CURRENCY_MISMATCH'
  | 'STATUS_MISMATCH'
  | 'LATE_PRESENTMENT'
  | 'BATCH_TOTALS_MISMATCH';

/** Why a break was closed: a person's decision, or the matcher no longer finding it. */
export type BreakResolution = 'ACQUIRER_CORRECTED' | 'HOST_CORRECTED' | 'TIMING_DIFFERENCE' | 'WRITTEN_OFF' | 'CLEARED_ON_RERUN' | 'OTHER';

export interface MatchedTotal {
  readonly merchantId: string;
  readonly currency: CurrencyCode;
  readonly count: number;
  readonly amount: bigint;
}

/** An acquirer clearing file accepted whole: its lines are now part of the acquirer's side. */
export type ClearingFileImported = Event<
  'ClearingFileImported',
  {
    /** sha256 of the file's bytes: the same file imported twice is the same file. */
    readonly fileId: string;
    /** Where its lines are stored. */
    readonly importId: string;
    readonly acquirerId: string;
    readonly fileReference: string;
    readonly businessDay: string;
    /** When the acquirer wrote it. */
    readonly createdAt: string;
    readonly records: number;
    readonly batchLines: number;
    /** Sum of the detail lines' amounts in minor units, as the trailer states it. */
    readonly controlTotal: bigint;
    readonly sizeBytes: number;
  }
>;

interface BreakScope {
  readonly breakId: string;
  readonly businessDay: string;
  readonly merchantId: string;
  readonly terminalId: string;
}

export type ReconciliationBreakDetected = Event<
  'ReconciliationBreakDetected',
  BreakScope & {
    /** Stable across runs: the same discrepancy always has the same key (and so the same breakId). */
    readonly key: string;
    readonly type: ReconciliationBreakType;
    readonly batchNo?: string;
    readonly rrn?: string;
    readonly stan?: string;
    readonly currency?: CurrencyCode;
    readonly hostAmount?: bigint;
    readonly acquirerAmount?: bigint;
    readonly terminalAmount?: bigint;
    readonly detail: string;
    readonly refs: ReadonlyArray<{ readonly fileId: string; readonly line: number }>;
  }
>;

export type ReconciliationBreakAssigned = Event<'ReconciliationBreakAssigned', BreakScope & { readonly assignee: string; readonly note?: string }>;

export type ReconciliationBreakResolved = Event<'ReconciliationBreakResolved', BreakScope & { readonly reason: BreakResolution; readonly note: string }>;

export interface RunTolerances {
  readonly amountMinor: bigint;
  readonly feeMinor: bigint;
  readonly timeSeconds: number;
}

/** One matching run of a business day: what it compared and found. */
export type ReconciliationRunCompleted = Event<
  'ReconciliationRunCompleted',
  {
    readonly runId: string;
    readonly businessDay: string;
    readonly fileIds: readonly string[];
    readonly hostTransactions: number;
    readonly acquirerRecords: number;
    readonly matched: readonly MatchedTotal[];
    /** Breaks this run found for the first time, found again, and found no longer (closed as CLEARED_ON_RERUN). */
    readonly newBreaks: number;
    readonly openBreaks: number;
    readonly clearedBreaks: number;
    /** Every break this run found (new or again), so the next run knows which ones it no longer finds. */
    readonly breakIds: readonly string[];
    readonly tolerances: RunTolerances;
  }
>;

/** The terminals, the host and the acquirer agree on the business day: no break is open. */
export type DayReconciled = Event<
  'DayReconciled',
  { readonly businessDay: string; readonly runId: string; readonly fileIds: readonly string[]; readonly matched: readonly MatchedTotal[]; readonly resolvedBreaks: number }
>;

/** A stream's part of a daily checkpoint: the versions covered and the head hash the last of them has. */
export interface CheckpointedStream {
  readonly streamId: string;
  /** The service whose store keeps the stream. */
  readonly service: 'terminal-gateway' | 'settlement' | 'reconciliation';
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly headHash: string;
}

/**
 * A business day closed with a signed checkpoint: the Merkle root (RFC 6962) over every event
 * recorded on the log since the previous checkpoint and the head each of their streams reached,
 * signed with the acquirer's Ed25519 key over the statement (businessDay, sequence, closedAt,
 * treeSize, rootHash, previousRootHash, keyId). See docs/api.md, "Daily checkpoints".
 */
export type DayCheckpointed = Event<
  'DayCheckpointed',
  {
    readonly businessDay: string;
    /** 1 for the ledger's first checkpoint, then one more each day closed. */
    readonly sequence: number;
    readonly closedAt: string;
    /** CUT_OFF: the recorder closed the day after its end (UTC) and the grace; OPERATIONS: closed on request. */
    readonly closedBy: 'CUT_OFF' | 'OPERATIONS';
    /** The log range covered: from the previous checkpoint's end (inclusive) to this one's (exclusive), offsets per `topic/partition`. */
    readonly log: { readonly topics: readonly string[]; readonly from: Readonly<Record<string, string>>; readonly until: Readonly<Record<string, string>> };
    /**
     * How many streams the range holds. The list itself (CheckpointedStream, with each head) is in
     * the recorder's document and in GET /v1/checkpoints/{day}, not here: a day of many thousand
     * terminals would not fit one Kafka message. The root commits to every head anyway.
     */
    readonly streamCount: number;
    readonly events: number;
    readonly treeSize: number;
    readonly rootHash: string;
    readonly previousRootHash: string;
    readonly keyId: string;
    /** The raw Ed25519 public key, 64 hex digits. */
    readonly publicKey: string;
    /** Ed25519 over the statement's canonical JSON, base64. */
    readonly signature: string;
  }
>;

export type ReconciliationEvent =
  | DayCheckpointed
  | ClearingFileImported
  | ReconciliationBreakDetected
  | ReconciliationBreakAssigned
  | ReconciliationBreakResolved
  | ReconciliationRunCompleted
  | DayReconciled;

export const clearingFileStreamId = (fileId: string): string => `clearing-file-${fileId}`;
export const breakStreamId = (breakId: string): string => `break-${breakId}`;
export const reconciliationDayStreamId = (businessDay: string): string => `reconciliation-day-${businessDay}`;
/** Every daily checkpoint, in order: one stream, so two recorders racing to close a day cannot both win. */
export const CHECKPOINTS_STREAM_ID = 'checkpoints';
