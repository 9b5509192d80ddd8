import { z } from 'zod';
import { batchNo, businessDay, count, currencyCode, merchantId, minorUnits, operatorId, rrn, stan, terminalId, transactionKind } from '../wire';
import { batchDifferenceSchema, batchTotalsSchema, settlementResult, terminalSchemas, uploadOutcome } from './terminal.schemas';

/** What the terminal API answers (HTTP 200), per request; amounts are decimal strings. */
const approved = z.literal('00');
const totals = z.array(batchTotalsSchema);

export const signOnAnswer = z.object({ responseCode: approved, batchNo, businessDay });

/** Sales, voids and refunds. */
export const transactionAnswer = z.object({
  responseCode: approved,
  rrn,
  authCode: terminalSchemas.TransactionCompleted.shape.authCode,
  transactionId: z.string().min(1),
  kind: transactionKind,
  amount: minorUnits,
  currency: currencyCode,
  batchNo,
  businessDay,
});

/** `reversed: false` when the host never saw the original (recorded, nothing to take back). */
export const reversalAnswer = z.object({ responseCode: approved, reversed: z.boolean(), rrn: rrn.optional() });

/** The batch closed: balanced at settlement, or unbalanced at the end of its upload. */
export const batchClosedAnswer = z.object({
  responseCode: approved,
  result: settlementResult,
  batchNo,
  businessDay,
  hostTotals: totals,
  terminalTotals: totals,
  differences: z.array(batchDifferenceSchema),
  nextBatchNo: batchNo,
  nextBusinessDay: businessDay,
});

/** 00: balanced, the batch is closed; 95: unbalanced, upload the batch. */
export const settlementAnswer = z.discriminatedUnion('responseCode', [
  batchClosedAnswer.extend({ result: z.literal('BALANCED') }),
  z.object({ responseCode: z.literal('95'), result: z.literal('UNBALANCED'), batchNo, businessDay, hostTotals: totals, terminalTotals: totals }),
]);

export const batchUploadAnswer = z.object({
  responseCode: approved,
  items: z.array(z.object({ stan, outcome: uploadOutcome, rrn: rrn.optional() })),
});

export const endBatchUploadAnswer = batchClosedAnswer.extend({ result: z.literal('UNBALANCED') });

export const signOffAnswer = z.object({ responseCode: approved, batchNo });

/** The back office's answers. */
export const registerTerminalAnswer = z.object({
  terminalId,
  apiKey: z.string().min(32).describe('shown once: the terminal authenticates with it (Authorization: Bearer)'),
  masterKey: z.string().regex(/^[0-9A-F]{32}$/).describe('shown once: the ISO 8583 terminal master key (double-length DES, hex), under which sign-on sends the working keys'),
  batchNo,
  businessDay,
});

/** `unlocked: false` when the operator was not locked: nothing changed, nothing recorded. */
export const unlockOperatorAnswer = z.object({ responseCode: approved, operatorId, unlocked: z.boolean() });

const hash = z.string().regex(/^[0-9a-f]{64}$/);
/** A stream's hash chain, checked event by event (see HashChainReport). */
export const hashChainReport = z.object({
  streamId: z.string().min(1),
  events: count,
  ok: z.boolean(),
  brokenAtVersion: z.int().positive().optional(),
  eventId: z.string().optional(),
  code: z.enum(['EVENT_CONTENT_ALTERED', 'EVENT_MISSING', 'CHAIN_LINK_BROKEN', 'STREAM_HEAD_MISMATCH']).optional(),
  reason: z.string().optional(),
  detail: z
    .union([
      z.object({ storedHash: hash, recomputedHash: hash }),
      z.object({ expectedVersion: z.int(), foundVersion: z.int() }),
      z.object({ expectedPrevHash: hash, storedPrevHash: hash }),
      z.object({ headVersion: z.int().nullable(), headHash: hash.nullable(), lastStoredVersion: z.int().nullable(), lastStoredHash: hash.nullable() }),
    ])
    .optional(),
});

/** A terminal as the back office's list shows it (see TerminalListRow); amounts as decimal strings, net of voids and refunds. */
export const terminalListEntry = z.object({
  terminalId,
  merchantId,
  merchantName: z.string().min(1),
  state: z.enum(['REGISTERED', 'SIGNED_ON', 'SIGNED_OFF']),
  operatorId: operatorId.optional().describe('the operator signed on, while the terminal is'),
  batchNo,
  businessDay,
  openBatch: z
    .array(z.object({ currency: currencyCode, count: z.int(), amount: minorUnits.describe('net minor units: sales less voids and refunds (may be negative)') }))
    .describe('the open batch per currency, reversed transactions excluded; empty once it closed'),
  lastActivityAt: z.iso.datetime().optional().describe("when the terminal's latest event occurred"),
  lockedOperators: z.array(operatorId).describe('operators locked out by wrong passwords until unlocked'),
  timeZone: z.string().min(1).describe("the merchant's IANA time zone"),
});

export const terminalListAnswer = z.object({ terminals: z.array(terminalListEntry) });
