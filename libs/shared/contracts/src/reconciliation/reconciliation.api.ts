import { z } from 'zod';
import { settlementSchemas } from '../settlement/settlement.schemas';
import { batchDifferenceSchema, batchTotalsSchema, settlementResult, terminalSchemas } from '../terminal/terminal.schemas';
import { batchNo, businessDay, count, currencyCode, merchantId, minorUnits, paymentMethod, rrn, stan, terminalId, transactionKind } from '../wire';
import { breakResolution, breakType, instant, matchedTotal, reconciliationSchemas, sha256Hex } from './reconciliation.schemas';

/** What reconciliation's read side and back office answer; amounts are decimal strings. */

export const actorSchema = z.object({
  type: z.enum(['terminal', 'operator', 'system', 'admin', 'token']),
  id: z.string().min(1),
  name: z.string().min(1).optional().describe('a back-office token: its name'),
  role: z.string().min(1).optional().describe('a back-office token: the role it acted in'),
});

const totalsFigures = {
  salesCount: count, salesAmount: minorUnits, voidsCount: count, voidsAmount: minorUnits, refundsCount: count, refundsAmount: minorUnits,
  reversalsCount: count, reversalsAmount: minorUnits, gross: minorUnits, fees: minorUnits, net: minorUnits,
};

export const dailyTotalsAnswer = z.object({
  businessDay,
  rows: z.array(z.object({ businessDay, merchantId, terminalId, method: paymentMethod, currency: currencyCode, ...totalsFigures, settledBatches: count })),
  summary: z.array(z.object({ currency: currencyCode, ...totalsFigures })),
});

/** Events of the terminal and settlement contexts name a terminal and a business day: the trail lists them. */
const trailEvents = { ...terminalSchemas, ...settlementSchemas };
const entryMeta = {
  terminalId, businessDay, eventId: z.string().min(1), occurredAt: instant, actor: actorSchema, streamId: z.string().min(1), version: z.int().positive(),
  correlationId: z.string(), causationId: z.string(), schemaVersion: z.int().positive(), hash: sha256Hex, prevHash: sha256Hex,
};
const [firstEntry, ...otherEntries] = Object.entries(trailEvents).map(([type, data]) => z.object({ seq: z.int().positive(), type: z.literal(type), data, ...entryMeta }));
if (!firstEntry) throw new Error('the audit trail lists no event types');
const trailEntry = z.discriminatedUnion('type', [firstEntry, ...otherEntries]);
export const auditTrailAnswer = z.object({ terminalId, businessDay, entries: z.array(trailEntry) });

const runningTotals = batchTotalsSchema.extend({ net: minorUnits });
const auditScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('terminal-day'), terminalId, businessDay }),
  z.object({ kind: z.literal('batch'), terminalId, businessDay, batchNo }),
  z.object({ kind: z.literal('merchant-day'), merchantId, businessDay }),
]);
export const auditExportAnswer = z.object({
  scope: auditScope,
  lines: z.array(
    z.object({
      seq: z.int().positive(), eventId: z.string().min(1), occurredAt: instant, type: z.string().min(1), actor: z.string().min(1).describe('type:id, e.g. operator:T0000001/01'),
      terminalId, merchantId: merchantId.optional(), businessDay, streamId: z.string().min(1), version: z.int().positive(), hash: sha256Hex, prevHash: sha256Hex,
      batchNo: batchNo.optional(), stan: stan.optional(), rrn: rrn.optional(), kind: transactionKind.optional(), method: paymentMethod.optional(),
      amount: minorUnits.optional(), currency: currencyCode.optional(),
      movement: z.object({ currency: currencyCode, side: z.enum(['DEBIT', 'CREDIT']), count: z.union([z.literal(1), z.literal(-1)]), amount: minorUnits }).optional(),
      before: z.array(runningTotals),
      after: z.array(runningTotals),
    }),
  ),
});

const anomaly = z.object({
  code: z.enum(['BATCH_STILL_OPEN', 'BATCH_NOT_SETTLED', 'SETTLED_WITHOUT_CLOSE', 'JOURNAL_UNBALANCED', 'PAYOUT_MISSING', 'PAYOUT_MISMATCH', 'HOST_TOTALS_DIFFER_FROM_TRAIL']),
  merchantId, terminalId, batchNo, currency: currencyCode.optional(), message: z.string(),
});
const dayCounts = z.object({ terminals: count, batches: count, closed: count, settled: count, open: count });
const dayTotals = z.object({
  currency: currencyCode, batches: count, balanced: count, unbalanced: count, open: count, gross: minorUnits, fees: minorUnits, net: minorUnits,
  payoutCount: count, payouts: minorUnits,
});
const settled = settlementSchemas.BatchSettled.shape;
const payout = settlementSchemas.PayoutScheduled.shape;
const dayBatch = z.object({
  terminalId, batchNo, status: z.enum(['OPEN', 'CLOSED']), closedAt: instant.optional(), result: settlementResult.optional(), transactionCount: count,
  totals: z.array(z.object({ currency: currencyCode, terminal: batchTotalsSchema.optional(), host: batchTotalsSchema.optional(), agree: z.boolean(), trail: runningTotals })),
  differences: z.array(batchDifferenceSchema),
  settlement: z
    .object({
      settlementId: settled.settlementId, closeResult: settled.closeResult, pricingPlanId: settled.pricingPlanId, roundingRule: settled.roundingRule,
      refundReturnsFee: settled.refundReturnsFee, payoutSchedule: settled.payoutSchedule, payoutDate: settled.payoutDate, totals: settled.totals, lines: settled.lines,
      settledAt: instant,
    })
    .optional(),
  journal: z.array(z.object({ currency: currencyCode, debits: minorUnits, credits: minorUnits, ok: z.boolean() })),
  payouts: z.array(
    z.object({
      payoutId: payout.payoutId.optional(), settlementId: settled.settlementId, schedule: settled.payoutSchedule, payoutDate: payout.payoutDate, currency: currencyCode, amount: minorUnits,
      scheduledAt: instant,
    }),
  ),
  anomalies: z.array(anomaly),
});
export const dayReportAnswer = z.object({
  businessDay,
  merchantId: merchantId.optional(),
  merchants: z.array(
    z.object({
      merchantId,
      terminals: z.array(z.object({ terminalId, merchantId, batches: z.array(dayBatch) })),
      counts: dayCounts,
      totals: z.array(dayTotals),
      anomalies: z.array(anomaly),
    }),
  ),
  counts: dayCounts,
  totals: z.array(dayTotals),
  anomalies: z.array(anomaly),
  ok: z.boolean(),
});

const file = reconciliationSchemas.ClearingFileImported.shape;
export const clearingFileEntry = z.object({
  fileId: file.fileId, importId: file.importId, businessDay, acquirerId: file.acquirerId, fileReference: file.fileReference, records: count,
  batchLines: count, sizeBytes: count, importedAt: instant,
});
export const clearingFilesAnswer = z.object({ files: z.array(clearingFileEntry) });

export const clearingImportAnswer = z.object({
  status: z.enum(['IMPORTED', 'ALREADY_IMPORTED']),
  fileId: file.fileId, businessDay, acquirerId: file.acquirerId, fileReference: file.fileReference, records: count, batchLines: count,
  lines: count, sizeBytes: count, seconds: z.number().nonnegative(), linesPerSecond: z.number().nonnegative(),
});

const detected = reconciliationSchemas.ReconciliationBreakDetected;
export const reconcileDayAnswer = z.object({
  runId: z.uuid(), businessDay, files: z.array(clearingFileEntry), hostTransactions: count, acquirerRecords: count, matched: z.array(matchedTotal),
  breaks: z.array(detected.extend({ isNew: z.boolean() })),
  clearedBreaks: count, openBreaks: count, reconciled: z.boolean(),
});

/** A break with its life so far (BreakState). */
export const breakStateSchema = detected.extend({
  status: z.enum(['OPEN', 'ASSIGNED', 'RESOLVED']),
  detectedAt: instant,
  assignee: z.string().optional(),
  assignedAt: instant.optional(),
  resolvedAt: instant.optional(),
  resolution: breakResolution.optional(),
  resolutionNote: z.string().optional(),
  resolvedBy: actorSchema.optional(),
  history: z.array(z.object({ at: instant, type: z.string().min(1), actor: actorSchema, note: z.string().optional() })),
});
const ageBucket = z.enum(['UNDER_1_DAY', 'DAYS_1_TO_3', 'DAYS_3_TO_7', 'OVER_7_DAYS']);
export const breaksAnswer = z.object({ breaks: z.array(breakStateSchema.extend({ age: z.object({ hours: count, bucket: ageBucket }) })) });

const section = {
  matched: z.array(matchedTotal),
  breaks: z.object({ open: count, resolved: count, byType: z.partialRecord(breakType, z.object({ open: count, resolved: count })) }),
  ageing: z.record(ageBucket, count),
};
export const reconciliationReportAnswer = z.object({
  businessDay,
  merchantId: merchantId.optional(),
  reconciledAt: instant.optional(),
  lastRunAt: instant.optional(),
  fileIds: z.array(sha256Hex),
  clean: z.boolean(),
  ...section,
  merchants: z.array(z.object({ merchantId, ...section })),
  openBreaks: z.array(breakStateSchema),
});

export const hostLedgerAnswer = z.object({
  businessDay,
  transactions: z.array(
    z.object({
      rrn, terminalId, merchantId, businessDay, batchNo, stan, kind: transactionKind, method: paymentMethod, amount: minorUnits, currency: currencyCode,
      occurredAt: instant, maskedPan: terminalSchemas.TransactionCompleted.shape.maskedPan, originalRrn: rrn.optional(), status: z.enum(['COMPLETED', 'REVERSED']),
      expectedFee: minorUnits,
    }),
  ),
  batches: z.array(
    z.object({
      terminalId, merchantId, businessDay, batchNo, result: settlementResult, terminalTotals: z.array(batchTotalsSchema), hostTotals: z.array(batchTotalsSchema),
      terminalTotalsAtClose: z.array(batchTotalsSchema),
    }),
  ),
});
