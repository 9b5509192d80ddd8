import {
  type BatchSettled, type BatchTotals, ContractError, decodeEvent, EventTypes, type LedgerEvent, type PaymentMethod, type PayoutScheduled, settlementSchemas, type TerminalEvent,
  terminalSchemas, type TransactionKind,
} from '@pos/contracts';
import type { DomainError } from '@pos/kernel';
import type { CurrencyCode } from '@pos/money';
import type { AuditEntry } from '../audit-trail/audit-trail.projection';
import { ReconciliationErrors } from '../reconciliation.errors';

/**
 * The audit trail as an export: one line per event, with the running settlement totals of
 * the exported scope (a terminal's day, a batch, or a merchant's day merged from several
 * terminals) before and after it. Pure and exact: bigint minor units throughout.
 */

/** Settlement totals of one currency, as a terminal prints them, with net = debits - credits. */
export interface RunningTotals extends BatchTotals {
  readonly net: bigint;
}

/** How an event moves the settlement totals: a completed transaction adds to its side, a reversal takes it back. */
export interface TotalsMovement {
  readonly currency: CurrencyCode;
  /** DEBIT for sales (online or booked from a batch upload), CREDIT for voids and refunds. */
  readonly side: 'DEBIT' | 'CREDIT';
  /** +1 for a completed transaction, -1 for a reversal. */
  readonly count: 1 | -1;
  /** Signed change of the side's amount, minor units. */
  readonly amount: bigint;
}

export interface AuditExportLine {
  /** 1-based position in the export. */
  readonly seq: number;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly type: string;
  /** `type:id`, e.g. `operator:01`. */
  readonly actor: string;
  readonly terminalId: string;
  readonly merchantId?: string;
  readonly businessDay: string;
  readonly streamId: string;
  readonly version: number;
  readonly hash: string;
  readonly prevHash: string;
  readonly batchNo?: string;
  readonly stan?: string;
  readonly rrn?: string;
  readonly kind?: TransactionKind;
  readonly method?: PaymentMethod;
  /** The event's amount as a decimal string of minor units (e.g. a payout's); not necessarily a totals movement. */
  readonly amount?: string;
  readonly currency?: CurrencyCode;
  /** Set only when the event moves the settlement totals. */
  readonly movement?: TotalsMovement;
  /** Running totals of the scope before the event, per currency seen so far (sorted by currency). */
  readonly before: readonly RunningTotals[];
  /** Running totals after the event; equal to `before` when the event moves no money. */
  readonly after: readonly RunningTotals[];
}

export interface AuditExportSummary {
  readonly eventCount: number;
  readonly firstOccurredAt?: string;
  readonly lastOccurredAt?: string;
  /** Terminals in the export, sorted. */
  readonly terminalIds: readonly string[];
  /** Final running totals per currency (sorted by currency). */
  readonly totals: readonly RunningTotals[];
}

const invalid = (entry: Pick<AuditEntry, 'eventId' | 'type' | 'streamId' | 'version'>, why: string): DomainError =>
  ReconciliationErrors.AUDIT_ENTRY_INVALID(`audit entry ${entry.eventId} (${entry.type}, ${entry.streamId} v${entry.version}): ${why}`, {
    eventId: entry.eventId, type: entry.type, streamId: entry.streamId, version: entry.version,
  });

// What a terminal's trail can hold: its own events and the settlement of its batches (a v1 payout named its terminal too).
const AUDITED = EventTypes.ofSchemas({ ...terminalSchemas, BatchSettled: settlementSchemas.BatchSettled, PayoutScheduled: settlementSchemas.PayoutScheduled });

/** An audit entry's data decoded to the contract's in-memory shape (bigint amounts). */
export type AuditEvent = TerminalEvent | BatchSettled | PayoutScheduled;

/**
 * The entry's event, validated against its contract and decoded (decimal strings to
 * bigint); undefined for a type that is not a terminal's or settlement's. The entry's data is
 * in the entry's schema version (see AuditEntry), so it is read as that version, upcast.
 * A malformed amount or any other contract violation throws AUDIT_ENTRY_INVALID.
 */
export const decodeAuditEntry = (entry: AuditEntry): AuditEvent | undefined => {
  if (!AUDITED.hasType(entry.type)) return undefined;
  let event: LedgerEvent;
  try {
    event = decodeEvent(entry.type, entry.schemaVersion, entry.data);
  } catch (e) {
    if (e instanceof ContractError) throw invalid(entry, e.message);
    throw e;
  }
  return AUDITED.has(event) ? event : undefined;
};

const MINOR_UNITS = /^-?(0|[1-9]\d*)$/;

/** A decimal string of minor units (or a bigint) as bigint; anything else is refused. */
const minorUnitsOf = (entry: AuditEntry, field: string, value: unknown): bigint => {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && MINOR_UNITS.test(value)) return BigInt(value);
  throw invalid(entry, `${field} ${JSON.stringify(value)} is not a decimal string of minor units`);
};

export const zeroTotals = (currency: CurrencyCode): RunningTotals => ({
  currency,
  debitCount: 0,
  debitAmount: 0n,
  creditCount: 0,
  creditAmount: 0n,
  net: 0n,
});

/** The totals of one currency in a list, or zeros when the list has none. */
export const totalsIn = (totals: readonly RunningTotals[], currency: CurrencyCode): RunningTotals =>
  totals.find((t) => t.currency === currency) ?? zeroTotals(currency);

/** How a (decoded) event moves the settlement totals; undefined when it moves none. */
export const totalsMovementOf = (event: AuditEvent | undefined): TotalsMovement | undefined => {
  if (event?.type !== 'TransactionCompleted' && event?.type !== 'TransactionReversed') return undefined;
  const { kind, amount, currency } = event.data;
  const side = kind === 'SALE' ? 'DEBIT' : 'CREDIT';
  return event.type === 'TransactionCompleted' ? { currency, side, count: 1, amount } : { currency, side, count: -1, amount: -amount };
};

export const applyMovement = (t: RunningTotals, m: TotalsMovement): RunningTotals => {
  const next =
    m.side === 'DEBIT'
      ? { ...t, debitCount: t.debitCount + m.count, debitAmount: t.debitAmount + m.amount }
      : { ...t, creditCount: t.creditCount + m.count, creditAmount: t.creditAmount + m.amount };
  return { ...next, net: next.debitAmount - next.creditAmount };
};

const byCurrency = (a: { currency: string }, b: { currency: string }): number =>
  a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0;

/** Running settlement totals per currency: fold movements in, read a sorted snapshot out. */
export class RunningTotalsBook {
  private readonly totals = new Map<CurrencyCode, RunningTotals>();

  apply(m: TotalsMovement): void {
    this.totals.set(m.currency, applyMovement(this.totals.get(m.currency) ?? zeroTotals(m.currency), m));
  }

  snapshot(): RunningTotals[] {
    return [...this.totals.values()].sort(byCurrency);
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The object without its undefined members, so a JSON export carries no empty ones. */
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const fieldsOf = (entry: AuditEntry, event: AuditEvent | undefined): Record<string, unknown> => {
  const data = event ? event.data : entry.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw invalid(entry, 'data is not an object');
  return data as Record<string, unknown>;
};

/**
 * One line per entry, in the order given (a terminal's day, a batch, or a merchant's day
 * merged in occurredAt order), with the scope's running totals before and after each
 * event. A BatchClosed does not reset them: the totals are the export's, not a batch's.
 */
export const auditExportLines = (entries: readonly AuditEntry[]): AuditExportLine[] => {
  const book = new RunningTotalsBook();
  return entries.map((entry, i) => {
    const event = decodeAuditEntry(entry);
    const d = fieldsOf(entry, event);
    const before = book.snapshot();
    const movement = totalsMovementOf(event);
    if (movement) book.apply(movement);
    const amount = d.amount === undefined ? undefined : minorUnitsOf(entry, 'amount', d.amount).toString();
    return defined<AuditExportLine>({
      seq: i + 1,
      eventId: entry.eventId,
      occurredAt: entry.occurredAt,
      type: entry.type,
      actor: `${entry.actor.type}:${entry.actor.id}`,
      terminalId: entry.terminalId,
      merchantId: str(d.merchantId),
      businessDay: entry.businessDay,
      streamId: entry.streamId,
      version: entry.version,
      hash: entry.hash,
      prevHash: entry.prevHash,
      batchNo: str(d.batchNo) ?? (event?.type === 'PayoutScheduled' ? event.data.batches.find((b) => b.terminalId === entry.terminalId)?.batchNo : undefined),
      stan: str(d.stan),
      rrn: str(d.rrn),
      kind: str(d.kind) as TransactionKind | undefined,
      method: str(d.method) as PaymentMethod | undefined,
      amount,
      currency: str(d.currency) as CurrencyCode | undefined,
      movement,
      before,
      after: movement ? book.snapshot() : before,
    });
  });
};

/** Event count, time span, terminals and the final totals per currency of an export. */
export const auditExportSummary = (lines: readonly AuditExportLine[]): AuditExportSummary => {
  const last = lines.at(-1);
  return {
    eventCount: lines.length,
    ...(lines.length > 0 ? { firstOccurredAt: lines[0].occurredAt, lastOccurredAt: last?.occurredAt } : {}),
    terminalIds: [...new Set(lines.map((l) => l.terminalId))].sort(),
    totals: last?.after ?? [],
  };
};
