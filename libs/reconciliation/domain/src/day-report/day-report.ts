import type { BatchClosed, BatchDifference, BatchSettled, BatchTotals, PayoutBatch, SettlementResult } from '@pos/contracts';
import { type CurrencyCode, formatMoney } from '@pos/money';
import {
  decodeAuditEntry,
  type RunningTotals,
  RunningTotalsBook,
  totalsIn,
  totalsMovementOf,
  zeroTotals,
} from '../audit-export/audit-export';
import type { AuditEntry } from '../audit-trail/audit-trail.projection';

/**
 * The day report a merchant's finance team reads: per merchant, terminal and batch, what
 * was closed (terminal against host totals, every difference), settled (gross, fees, net,
 * the journal check) and paid out, with the anomalies they must act on. Built from the
 * audit trail entries of every terminal of one business day. Currencies are never added
 * together.
 */

export type DayReportAnomalyCode =
  /** Live transactions in a batch that was not closed that day. */
  | 'BATCH_STILL_OPEN'
  /** A closed batch without a BatchSettled. */
  | 'BATCH_NOT_SETTLED'
  /** A BatchSettled for a batch the trail never saw closed. */
  | 'SETTLED_WITHOUT_CLOSE'
  /** A settlement's DEBIT postings do not equal its CREDIT postings in a currency. */
  | 'JOURNAL_UNBALANCED'
  /** A settled batch with a non-zero net in a currency and no payout in it. */
  | 'PAYOUT_MISSING'
  /** Payouts that do not add up to the settled net, or a payout without a settlement. */
  | 'PAYOUT_MISMATCH'
  /** The host's totals at close differ from what the trail's transactions add up to: the trail misses events. */
  | 'HOST_TOTALS_DIFFER_FROM_TRAIL';

export interface DayReportAnomaly {
  readonly code: DayReportAnomalyCode;
  readonly merchantId: string;
  readonly terminalId: string;
  readonly batchNo: string;
  readonly currency?: CurrencyCode;
  readonly message: string;
}

/** One currency of a batch: the terminal's and the host's totals at close, and what the trail adds up to. */
export interface BatchCurrencyTotals {
  readonly currency: CurrencyCode;
  /** Set once the batch is closed (zeros when that side listed no such currency). */
  readonly terminal?: BatchTotals;
  readonly host?: BatchTotals;
  /** Terminal and host totals are equal (false while open). */
  readonly agree: boolean;
  /** The trail's transactions of the batch (reversed ones taken back). */
  readonly trail: RunningTotals;
}

/** Sum of DEBIT and of CREDIT postings of one currency of a settlement's journal. */
export interface JournalCheck {
  readonly currency: CurrencyCode;
  readonly debits: bigint;
  readonly credits: bigint;
  readonly ok: boolean;
}

/** The settlement of a batch as BatchSettled gave it (journal postings checked in DayReportBatch.journal). */
export type DayReportSettlement = Pick<
  BatchSettled['data'],
  'settlementId' | 'closeResult' | 'pricingPlanId' | 'roundingRule' | 'refundReturnsFee' | 'payoutSchedule' | 'payoutDate' | 'totals' | 'lines'
> & { readonly settledAt: string };

/**
 * What the batch's settlement owes on a date: a part of BatchSettled's payoutParts (paid later,
 * netted with the merchant's other batches, by a payout run), or, for days settled before payouts
 * were netted, a PayoutScheduled v1 of the batch alone (with its id). Negative: the merchant owes.
 */
export type DayReportPayout = Pick<PayoutBatch, 'settlementId' | 'schedule' | 'payoutDate' | 'amount'> & {
  readonly currency: CurrencyCode;
  readonly payoutId?: string;
  readonly scheduledAt: string;
};

export interface DayReportBatch {
  readonly terminalId: string;
  readonly batchNo: string;
  readonly status: 'OPEN' | 'CLOSED';
  readonly closedAt?: string;
  readonly result?: SettlementResult;
  /** The host's count at close; while open, the live transactions in the trail. */
  readonly transactionCount: number;
  readonly totals: readonly BatchCurrencyTotals[];
  readonly differences: readonly BatchDifference[];
  readonly settlement?: DayReportSettlement;
  /** Per currency of the settlement's postings; empty when not settled. */
  readonly journal: readonly JournalCheck[];
  readonly payouts: readonly DayReportPayout[];
  readonly anomalies: readonly DayReportAnomaly[];
}

export interface DayReportTerminal {
  readonly terminalId: string;
  readonly merchantId: string;
  readonly batches: readonly DayReportBatch[];
}

/** One currency's figures over many batches. */
export interface DayCurrencyTotals {
  readonly currency: CurrencyCode;
  /** Closed batches with this currency, and how they closed. */
  readonly batches: number;
  readonly balanced: number;
  readonly unbalanced: number;
  /** Batches still open with this currency. */
  readonly open: number;
  readonly gross: bigint;
  readonly fees: bigint;
  readonly net: bigint;
  readonly payoutCount: number;
  readonly payouts: bigint;
}

export interface DayReportCounts {
  readonly terminals: number;
  readonly batches: number;
  readonly closed: number;
  readonly settled: number;
  readonly open: number;
}

export interface DayReportMerchant {
  readonly merchantId: string;
  readonly terminals: readonly DayReportTerminal[];
  readonly counts: DayReportCounts;
  readonly totals: readonly DayCurrencyTotals[];
  readonly anomalies: readonly DayReportAnomaly[];
}

export interface DayReport {
  readonly businessDay: string;
  readonly merchantId?: string;
  readonly merchants: readonly DayReportMerchant[];
  readonly counts: DayReportCounts;
  readonly totals: readonly DayCurrencyTotals[];
  /** Every anomaly of the day, merchant by merchant, terminal by terminal, batch by batch. */
  readonly anomalies: readonly DayReportAnomaly[];
  /** No anomaly. */
  readonly ok: boolean;
}

// ---------------------------------------------------------------------------------------

/** What the trail says of one batch, gathered entry by entry. */
interface BatchFacts {
  readonly merchantId: string;
  readonly terminalId: string;
  readonly batchNo: string;
  readonly trail: RunningTotalsBook;
  live: number;
  closed?: { at: string; data: BatchClosed['data'] };
  settled?: { at: string; data: BatchSettled['data'] };
  readonly payouts: DayReportPayout[];
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const sameTotals = (a: BatchTotals, b: BatchTotals): boolean =>
  a.debitCount === b.debitCount && a.debitAmount === b.debitAmount && a.creditCount === b.creditCount && a.creditAmount === b.creditAmount;

const currenciesOf = (...lists: ReadonlyArray<ReadonlyArray<{ currency: CurrencyCode }>>): CurrencyCode[] =>
  [...new Set(lists.flatMap((l) => l.map((x) => x.currency)))].sort(compare);

/** One side's totals of a currency, zeros when that side listed none. */
const sideTotals = (list: readonly BatchTotals[], currency: CurrencyCode): BatchTotals => {
  const { net: _net, ...zero } = zeroTotals(currency);
  return list.find((t) => t.currency === currency) ?? zero;
};

const batchTotals = (f: BatchFacts): BatchCurrencyTotals[] => {
  const trail = f.trail.snapshot();
  const c = f.closed?.data;
  return currenciesOf(trail, c?.terminalTotals ?? [], c?.hostTotals ?? []).map((currency) => {
    if (!c) return { currency, agree: false, trail: totalsIn(trail, currency) };
    const terminal = sideTotals(c.terminalTotals, currency);
    const host = sideTotals(c.hostTotals, currency);
    return { currency, terminal, host, agree: sameTotals(terminal, host), trail: totalsIn(trail, currency) };
  });
};

const journalOf = (settled: BatchSettled['data'] | undefined): JournalCheck[] => {
  const sums = new Map<CurrencyCode, { debits: bigint; credits: bigint }>();
  for (const p of settled?.postings ?? []) {
    const s = sums.get(p.currency) ?? { debits: 0n, credits: 0n };
    sums.set(p.currency, p.side === 'DEBIT' ? { ...s, debits: s.debits + p.amount } : { ...s, credits: s.credits + p.amount });
  }
  return [...sums].sort(([a], [b]) => compare(a, b)).map(([currency, s]) => ({ currency, ...s, ok: s.debits === s.credits }));
};

const anomaliesOf = (f: BatchFacts, totals: readonly BatchCurrencyTotals[], journal: readonly JournalCheck[]): DayReportAnomaly[] => {
  const out: DayReportAnomaly[] = [];
  const flag = (code: DayReportAnomalyCode, message: string, currency?: CurrencyCode) =>
    out.push({ code, merchantId: f.merchantId, terminalId: f.terminalId, batchNo: f.batchNo, ...(currency ? { currency } : {}), message });
  const batch = `batch ${f.batchNo} of terminal ${f.terminalId}`;
  const show = (amount: bigint, currency: CurrencyCode) => formatMoney({ amount, currency });

  if (!f.closed && f.live > 0) flag('BATCH_STILL_OPEN', `${batch} holds ${f.live} transaction(s) and was not closed`);
  if (f.closed && !f.settled) flag('BATCH_NOT_SETTLED', `${batch} was closed but not settled`);
  if (f.settled && !f.closed) flag('SETTLED_WITHOUT_CLOSE', `${batch} was settled but the trail holds no BatchClosed for it`);
  if (f.closed)
    for (const t of totals)
      if (t.host && !sameTotals(t.host, t.trail))
        flag('HOST_TOTALS_DIFFER_FROM_TRAIL', `${batch}: host totals at close differ from the trail's transactions in ${t.currency}`, t.currency);
  for (const j of journal)
    if (!j.ok) flag('JOURNAL_UNBALANCED', `${batch}: journal in ${j.currency} does not balance: debits ${show(j.debits, j.currency)}, credits ${show(j.credits, j.currency)}`, j.currency);

  const settledNet = f.settled?.data.totals ?? [];
  for (const currency of currenciesOf(settledNet, f.payouts)) {
    const net = settledNet.find((t) => t.currency === currency)?.net;
    const paid = f.payouts.filter((p) => p.currency === currency);
    const sum = paid.reduce((s, p) => s + p.amount, 0n);
    if (net === undefined) flag('PAYOUT_MISMATCH', `${batch}: payout of ${show(sum, currency)} without a settlement in ${currency}`, currency);
    else if (paid.length === 0 && net !== 0n) flag('PAYOUT_MISSING', `${batch}: settled net ${show(net, currency)} has no payout`, currency);
    else if (paid.length > 0 && sum !== net) flag('PAYOUT_MISMATCH', `${batch}: payouts of ${show(sum, currency)} differ from the settled net ${show(net, currency)}`, currency);
  }
  return out;
};

const settlementOf = (settledAt: string, d: BatchSettled['data']): DayReportSettlement => {
  const { settlementId, closeResult, pricingPlanId, roundingRule, refundReturnsFee, payoutSchedule, payoutDate, totals, lines } = d;
  return { settlementId, settledAt, closeResult, pricingPlanId, roundingRule, refundReturnsFee, payoutSchedule, payoutDate, totals, lines };
};

const batchOf = (f: BatchFacts): DayReportBatch => {
  const totals = batchTotals(f);
  const journal = journalOf(f.settled?.data);
  const c = f.closed;
  const s = f.settled;
  return {
    terminalId: f.terminalId,
    batchNo: f.batchNo,
    status: c ? 'CLOSED' : 'OPEN',
    ...(c ? { closedAt: c.at, result: c.data.result } : {}),
    transactionCount: c ? c.data.transactionCount : f.live,
    totals,
    differences: c?.data.differences ?? [],
    ...(s ? { settlement: settlementOf(s.at, s.data) } : {}),
    journal,
    payouts: f.payouts,
    anomalies: anomaliesOf(f, totals, journal),
  };
};

const zeroDay = (currency: CurrencyCode): DayCurrencyTotals => ({
  currency,
  batches: 0,
  balanced: 0,
  unbalanced: 0,
  open: 0,
  gross: 0n,
  fees: 0n,
  net: 0n,
  payoutCount: 0,
  payouts: 0n,
});

const addDay = (a: DayCurrencyTotals, b: DayCurrencyTotals): DayCurrencyTotals => ({
  currency: a.currency,
  batches: a.batches + b.batches,
  balanced: a.balanced + b.balanced,
  unbalanced: a.unbalanced + b.unbalanced,
  open: a.open + b.open,
  gross: a.gross + b.gross,
  fees: a.fees + b.fees,
  net: a.net + b.net,
  payoutCount: a.payoutCount + b.payoutCount,
  payouts: a.payouts + b.payouts,
});

/** Sums per currency, sorted by currency: never across currencies. */
const sumDays = (items: Iterable<DayCurrencyTotals>): DayCurrencyTotals[] => {
  const byCurrency = new Map<CurrencyCode, DayCurrencyTotals>();
  for (const t of items) byCurrency.set(t.currency, addDay(byCurrency.get(t.currency) ?? zeroDay(t.currency), t));
  return [...byCurrency.values()].sort((a, b) => compare(a.currency, b.currency));
};

/** A batch's contribution to the day's figures, one item per currency it touches. */
const dayTotalsOf = (b: DayReportBatch): DayCurrencyTotals[] => {
  const settled = b.settlement?.totals ?? [];
  return currenciesOf(b.totals, settled, b.payouts).map((currency) => {
    const s = settled.find((t) => t.currency === currency);
    const paid = b.payouts.filter((p) => p.currency === currency);
    const closed = b.status === 'CLOSED' ? 1 : 0;
    return {
      currency,
      batches: closed,
      balanced: b.result === 'BALANCED' ? 1 : 0,
      unbalanced: b.result === 'UNBALANCED' ? 1 : 0,
      open: 1 - closed,
      gross: s?.gross ?? 0n,
      fees: s?.fees ?? 0n,
      net: s?.net ?? 0n,
      payoutCount: paid.length,
      payouts: paid.reduce((sum, p) => sum + p.amount, 0n),
    };
  });
};

const countsOf = (terminals: readonly DayReportTerminal[]): DayReportCounts => {
  const batches = terminals.flatMap((t) => t.batches);
  return {
    terminals: terminals.length,
    batches: batches.length,
    closed: batches.filter((b) => b.status === 'CLOSED').length,
    settled: batches.filter((b) => b.settlement).length,
    open: batches.filter((b) => b.status === 'OPEN').length,
  };
};

const addCounts = (a: DayReportCounts, b: DayReportCounts): DayReportCounts => ({
  terminals: a.terminals + b.terminals,
  batches: a.batches + b.batches,
  closed: a.closed + b.closed,
  settled: a.settled + b.settled,
  open: a.open + b.open,
});

/** The facts of one batch, created at its first event. */
const factsFor = (batches: Map<string, BatchFacts>, merchantId: string, terminalId: string, batchNo: string): BatchFacts => {
  const key = `${terminalId}|${batchNo}`;
  let f = batches.get(key);
  if (!f) {
    f = { merchantId, terminalId, batchNo, trail: new RunningTotalsBook(), live: 0, payouts: [] };
    batches.set(key, f);
  }
  return f;
};

const gather = (entries: readonly AuditEntry[], scope: { businessDay: string; merchantId?: string }) => {
  /** terminalId -> merchantId, in first-seen order. */
  const terminals = new Map<string, string>();
  const batches = new Map<string, BatchFacts>();
  for (const entry of entries) {
    if (entry.businessDay !== scope.businessDay) continue;
    const event = decodeAuditEntry(entry);
    if (!event) continue;
    const { merchantId } = event.data;
    if (scope.merchantId !== undefined && merchantId !== scope.merchantId) continue;
    if (!terminals.has(entry.terminalId)) terminals.set(entry.terminalId, merchantId);
    const facts = (batchNo: string) => factsFor(batches, merchantId, entry.terminalId, batchNo);
    switch (event.type) {
      case 'TransactionCompleted':
      case 'TransactionReversed': {
        const f = facts(event.data.batchNo);
        const m = totalsMovementOf(event);
        if (m) {
          f.trail.apply(m);
          f.live += m.count;
        }
        break;
      }
      case 'BatchClosed':
        facts(event.data.batchNo).closed = { at: entry.occurredAt, data: event.data };
        break;
      case 'BatchSettled': {
        const f = facts(event.data.batchNo);
        f.settled = { at: entry.occurredAt, data: event.data };
        const { settlementId } = event.data;
        for (const { schedule, payoutDate, currency, amount } of event.data.payoutParts ?? []) f.payouts.push({ settlementId, schedule, payoutDate, currency, amount, scheduledAt: entry.occurredAt });
        break;
      }
      case 'PayoutScheduled': {
        // Only a v1 payout (one batch's) is in a terminal's trail: a netted one names no terminal.
        const { payoutId, payoutDate, currency } = event.data;
        for (const b of event.data.batches.filter((x) => x.terminalId === entry.terminalId))
          facts(b.batchNo).payouts.push({ payoutId, settlementId: b.settlementId, schedule: b.schedule, scheduledAt: entry.occurredAt, payoutDate, currency, amount: b.amount });
        break;
      }
      default:
        break;
    }
  }
  return { terminals, batches };
};

/**
 * The finance day report of one business day, for every merchant in the entries or the
 * one named in `scope`. Entries of other days are ignored; within a terminal, batches are
 * listed in the order the trail first shows them.
 */
export const dayReport = (entries: readonly AuditEntry[], scope: { businessDay: string; merchantId?: string }): DayReport => {
  const { terminals, batches } = gather(entries, scope);
  const byTerminal = new Map<string, DayReportBatch[]>();
  for (const f of batches.values()) byTerminal.set(f.terminalId, [...(byTerminal.get(f.terminalId) ?? []), batchOf(f)]);

  const merchantIds = [...new Set(terminals.values())].sort(compare);
  const merchants = merchantIds.map((merchantId): DayReportMerchant => {
    const ts = [...terminals]
      .filter(([, m]) => m === merchantId)
      .map(([terminalId]) => terminalId)
      .sort(compare)
      .map((terminalId): DayReportTerminal => ({ terminalId, merchantId, batches: byTerminal.get(terminalId) ?? [] }));
    const all = ts.flatMap((t) => t.batches);
    return {
      merchantId,
      terminals: ts,
      counts: countsOf(ts),
      totals: sumDays(all.flatMap(dayTotalsOf)),
      anomalies: all.flatMap((b) => b.anomalies),
    };
  });

  const anomalies = merchants.flatMap((m) => m.anomalies);
  return {
    businessDay: scope.businessDay,
    ...(scope.merchantId !== undefined ? { merchantId: scope.merchantId } : {}),
    merchants,
    counts: merchants.map((m) => m.counts).reduce(addCounts, countsOf([])),
    totals: sumDays(merchants.flatMap((m) => m.totals)),
    anomalies,
    ok: anomalies.length === 0,
  };
};
