import { z } from 'zod';
import { batchNo, businessDay, count, currencyCode, type SchemasDecode, merchantId, minorUnits, rrn, stan, terminalId } from '../wire';
import type * as E from './reconciliation.events';

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
export const breakId = z.string().regex(/^[0-9a-f]{24}$/);
export const instant = z.iso.datetime({ offset: true });
export const breakType = z.enum([
  'MISSING_AT_ACQUIRER', 'MISSING_AT_HOST', 'AMOUNT_MISMATCH', 'FEE_MISMATCH', 'DUPLICATE_AT_ACQUIRER', 'DUPLICATE_AT_HOST',
  'CURRENCY_MISMATCH', 'STATUS_MISMATCH', 'LATE_PRESENTMENT', 'BATCH_TOTALS_MISMATCH',
]);
export const matchedTotal = z.object({ merchantId, currency: currencyCode, count, amount: minorUnits });
export const breakResolution = z.enum(['ACQUIRER_CORRECTED', 'HOST_CORRECTED', 'TIMING_DIFFERENCE', 'WRITTEN_OFF', 'CLEARED_ON_RERUN', 'OTHER']);
const scope = { breakId, businessDay, merchantId, terminalId };

export const reconciliationSchemas = {
  ClearingFileImported: z.object({
    fileId: sha256Hex,
    importId: z.uuid(),
    acquirerId: z.string().min(1).max(64),
    fileReference: z.string().min(1).max(128),
    businessDay,
    createdAt: instant,
    records: count,
    batchLines: count,
    controlTotal: minorUnits,
    sizeBytes: count,
  }),
  ReconciliationBreakDetected: z.object({
    ...scope,
    key: z.string().min(1).max(512),
    type: breakType,
    batchNo: batchNo.optional(),
    rrn: rrn.optional(),
    stan: stan.optional(),
    currency: currencyCode.optional(),
    hostAmount: minorUnits.optional(),
    acquirerAmount: minorUnits.optional(),
    terminalAmount: minorUnits.optional(),
    detail: z.string().min(1).max(2000),
    refs: z.array(z.object({ fileId: sha256Hex, line: z.number().int().positive() })),
  }),
  ReconciliationBreakAssigned: z.object({ ...scope, assignee: z.string().min(1).max(128), note: z.string().max(2000).optional() }),
  ReconciliationBreakResolved: z.object({
    ...scope,
    reason: breakResolution,
    note: z.string().min(1).max(2000),
  }),
  ReconciliationRunCompleted: z.object({
    runId: z.uuid(),
    businessDay,
    fileIds: z.array(sha256Hex),
    hostTransactions: count,
    acquirerRecords: count,
    matched: z.array(matchedTotal),
    newBreaks: count,
    openBreaks: count,
    clearedBreaks: count,
    breakIds: z.array(breakId),
    tolerances: z.object({ amountMinor: minorUnits, feeMinor: minorUnits, timeSeconds: count }),
  }),
  DayReconciled: z.object({ businessDay, runId: z.uuid(), fileIds: z.array(sha256Hex), matched: z.array(matchedTotal), resolvedBreaks: count }),
  DayCheckpointed: z.object({
    businessDay,
    sequence: z.number().int().positive(),
    closedAt: z.iso.datetime(),
    closedBy: z.enum(['CUT_OFF', 'OPERATIONS']),
    log: z.object({ topics: z.array(z.string().min(1)), from: z.record(z.string(), z.string().regex(/^\d+$/)), until: z.record(z.string(), z.string().regex(/^\d+$/)) }),
    streamCount: count,
    events: count,
    treeSize: count,
    rootHash: sha256Hex,
    previousRootHash: sha256Hex,
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    publicKey: z.string().regex(/^[0-9a-f]{64}$/),
    signature: z.base64(),
  }),
} as const;

/** A stream's part of a daily checkpoint (the recorder's document and the API; see DayCheckpointed). */
export const checkpointedStream = z.object({
  streamId: z.string().min(1),
  service: z.enum(['terminal-gateway', 'settlement', 'reconciliation']),
  fromVersion: z.number().int().positive(),
  toVersion: z.number().int().positive(),
  headHash: sha256Hex,
});

export const reconciliationSchemasMatchTypes: SchemasDecode<typeof reconciliationSchemas, E.ReconciliationEvent> = true;
