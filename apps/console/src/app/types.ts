/**
 * What the console reads: the API's answers as they arrive (JSON, amounts as digit strings), typed
 * from the contracts' schemas (type-only: no server code reaches the browser).
 */
import type {
  auditExportAnswer, breakResolution, breaksAnswer, breakType, clearingFilesAnswer, clearingImportAnswer, dailyTotalsAnswer, dayReportAnswer, hashChainReport, healthAnswer, projectionsAnswer,
  reconcileDayAnswer, reconciliationReportAnswer, hostLedgerAnswer, registerTerminalAnswer, sessionAnswer, terminalListAnswer, unlockOperatorAnswer,
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

export type TerminalList = Wire<typeof terminalListAnswer>;
export type TerminalView = TerminalList['terminals'][number];
export type Projections = Wire<typeof projectionsAnswer>;
export type ProjectionView = Projections['projections'][number];
export type HealthView = Wire<typeof healthAnswer>;

/** The reasons a person may give (the ledger itself clears breaks on a re-run). */
export const MANUAL_RESOLUTIONS = ['ACQUIRER_CORRECTED', 'HOST_CORRECTED', 'TIMING_DIFFERENCE', 'WRITTEN_OFF', 'OTHER'] as const satisfies readonly BreakResolution[];
export const BREAK_TYPES = [
  'MISSING_AT_ACQUIRER', 'MISSING_AT_HOST', 'AMOUNT_MISMATCH', 'FEE_MISMATCH', 'DUPLICATE_AT_ACQUIRER', 'DUPLICATE_AT_HOST', 'CURRENCY_MISMATCH', 'STATUS_MISMATCH',
  'LATE_PRESENTMENT', 'BATCH_TOTALS_MISMATCH',
] as const satisfies readonly BreakType[];
export const AGE_BUCKETS = ['UNDER_1_DAY', 'DAYS_1_TO_3', 'DAYS_3_TO_7', 'OVER_7_DAYS'] as const satisfies readonly Break['age']['bucket'][];
