/**
 * What the console reads: the API's answers as they arrive (JSON, amounts as digit strings), typed
 * from the contracts' schemas (type-only: no server code reaches the browser). The routes of
 * docs/api.md that have no contract schema yet are typed here from their documentation.
 */
import type {
  breakResolution, breaksAnswer, breakType, clearingFilesAnswer, clearingImportAnswer, auditExportAnswer, dailyTotalsAnswer, dayReportAnswer, hashChainReport,
  reconcileDayAnswer, reconciliationReportAnswer, hostLedgerAnswer, registerTerminalAnswer, sessionAnswer, unlockOperatorAnswer,
} from '@pos/contracts';
import type { z } from 'zod';

type Wire<S extends z.ZodType> = z.input<S>;

export type DayReport = Wire<typeof dayReportAnswer>;
export type DayBatch = DayReport['merchants'][number]['terminals'][number]['batches'][number];
export type DailyTotals = Wire<typeof dailyTotalsAnswer>;
export type HostLedger = Wire<typeof hostLedgerAnswer>;
export type ClearingFiles = Wire<typeof clearingFilesAnswer>;
export type ClearingImport = Wire<typeof clearingImportAnswer>;
export type ReconcileDay = Wire<typeof reconcileDayAnswer>;
export type ReconciliationReport = Wire<typeof reconciliationReportAnswer>;
export type Breaks = Wire<typeof breaksAnswer>;
export type Break = Breaks['breaks'][number];
export type BreakType = Wire<typeof breakType>;
export type BreakResolution = Wire<typeof breakResolution>;
export type AuditExport = Wire<typeof auditExportAnswer>;
export type AuditLine = AuditExport['lines'][number];
export type ChainReport = Wire<typeof hashChainReport>;
export type RegisteredTerminal = Wire<typeof registerTerminalAnswer>;
export type UnlockAnswer = Wire<typeof unlockOperatorAnswer>;

/** `GET/POST /v1/session`: `roles` every role the token holds (several only for the development token). */
export type Session = Wire<typeof sessionAnswer>;
export type Role = Session['role'];

/** `GET /v1/admin/terminals` (docs/api.md, Back office). */
export interface TerminalView {
  readonly terminalId: string;
  readonly merchantId: string;
  readonly merchantName: string;
  readonly state: 'REGISTERED' | 'SIGNED_ON' | 'SIGNED_OFF';
  readonly operatorId?: string;
  readonly batchNo: string;
  readonly businessDay: string;
  readonly openBatch: readonly { currency: string; count: number; amount: string }[];
  readonly lastActivityAt?: string;
  readonly lockedOperators: readonly string[];
  readonly timeZone: string;
}

/** `GET /v1/ops/projections` (docs/api.md, Operations). */
export interface ProjectionView {
  readonly name: string;
  readonly service: string;
  readonly description?: string;
  readonly generation: number;
  readonly documents?: number;
  readonly position: string;
  readonly lagEvents: number;
  readonly digest: string;
  readonly state: 'LIVE' | 'REBUILDING';
  readonly rebuild?: {
    readonly rebuildId: string;
    readonly startedAt: string;
    readonly phase?: string;
    readonly processed: number;
    readonly total: number;
    readonly finishedAt?: string;
    readonly result?: 'SWAPPED' | 'FAILED';
    readonly generation?: number;
    readonly errorCode?: string;
    readonly error?: string;
  };
}

/** `GET /v1/ops/health` (docs/api.md, Operations). */
export interface HealthView {
  readonly services: readonly { name: string; ready: boolean; checks: Record<string, unknown> }[];
  readonly consumers: readonly { group: string; topic: string; partition?: number; lag: number }[];
  readonly outbox: readonly { service: string; backlog: number }[];
  readonly deadLetters: readonly { topic: string; count: number }[];
  readonly at: string;
}

/** The reasons a person may give (the ledger itself clears breaks on a re-run). */
export const MANUAL_RESOLUTIONS = ['ACQUIRER_CORRECTED', 'HOST_CORRECTED', 'TIMING_DIFFERENCE', 'WRITTEN_OFF', 'OTHER'] as const satisfies readonly BreakResolution[];
export const BREAK_TYPES = [
  'MISSING_AT_ACQUIRER', 'MISSING_AT_HOST', 'AMOUNT_MISMATCH', 'FEE_MISMATCH', 'DUPLICATE_AT_ACQUIRER', 'DUPLICATE_AT_HOST', 'CURRENCY_MISMATCH', 'STATUS_MISMATCH',
  'LATE_PRESENTMENT', 'BATCH_TOTALS_MISMATCH',
] as const satisfies readonly BreakType[];
export const AGE_BUCKETS = ['UNDER_1_DAY', 'DAYS_1_TO_3', 'DAYS_3_TO_7', 'OVER_7_DAYS'] as const satisfies readonly Break['age']['bucket'][];
