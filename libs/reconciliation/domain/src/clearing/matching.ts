import type { BatchTotals } from '@pos/contracts';
import { type CurrencyCode, formatMoney } from '@pos/money';
import { summariseBatches } from './clearing-file';
import type {
  BreakType,
  ClearingRef,
  DetectedBreak,
  HostBatch,
  HostDay,
  HostTransaction,
  MatchedTotals,
  MatchingTolerances,
  MatchResult,
  PresentedBatchSummary,
  PresentedRecord,
} from './clearing.types';

/**
 * The three-way matcher: one business day of the host (transactions and closed batches)
 * against what the acquirer presented, and each closed batch's terminal totals against
 * the host's. Pure: the same input gives the same breaks in the same order.
 *
 * Keys never contain the day being reconciled when a break is about one transaction
 * (`<TYPE>|<terminal>|<rrn>`: RRNs are unique per terminal), so the run of another day that sees the same discrepancy (a late
 * presentment seen from both days) finds the same key. Batch breaks are keyed
 * `BATCH_TOTALS_MISMATCH|<terminal>|<batch>|<currency>|terminal` (terminal against host at
 * close) or `...|acquirer` (a BATCH line against its own file's details).
 */

export interface MatchDayInput {
  readonly businessDay: string;
  /** Host transactions and closed batches of this business day. */
  readonly host: HostDay;
  /** Host transactions of OTHER business days, by terminal and RRN (for late presentment); undefined when the host has none. */
  readonly hostByRrn: (terminalId: string, rrn: string) => HostTransaction | undefined;
  /** Acquirer detail lines of every file clearing this day, plus lines of other days' files whose RRN is a host transaction of this day. */
  readonly presented: readonly PresentedRecord[];
  /** BATCH lines of the files clearing this day. */
  readonly summaries: readonly PresentedBatchSummary[];
  readonly tolerances: MatchingTolerances;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const show = (amount: bigint, currency: CurrencyCode): string => formatMoney({ amount, currency });
const refOf = (r: { fileId: string; line: number }): ClearingRef => ({ fileId: r.fileId, line: r.line });
const isReversal = (r: PresentedRecord): boolean => r.type === 'REVERSAL';
const fileOfDay = (r: { fileBusinessDay: string }, day: string): boolean => r.fileBusinessDay === day;
const joinKey = (...parts: readonly string[]): string => parts.join('|');
/** RRNs are unique per terminal, not across terminals: a transaction is (terminal, RRN). */
const txnId = (x: { readonly terminalId: string; readonly rrn: string }): string => joinKey(x.terminalId, x.rrn);

/** Earlier files first (a late presentment after the on-time one), then file and line. */
const fileOrder = (a: PresentedRecord, b: PresentedRecord): number =>
  compare(a.fileBusinessDay, b.fileBusinessDay) || compare(a.fileId, b.fileId) || a.line - b.line;

/** Within `seconds` of each other; an unreadable instant is never within. */
const within = (a: string, b: string, seconds: number): boolean => Math.abs(Date.parse(a) - Date.parse(b)) <= seconds * 1000;

const where = (r: PresentedRecord): string => `file ${r.fileId} line ${r.line}`;
const lineText = (r: PresentedRecord): string => `${r.type} ${show(r.amount, r.currency)} (RRN ${r.rrn}, ${where(r)})`;
const hostText = (h: HostTransaction): string =>
  `host ${h.kind} ${show(h.amount, h.currency)} (RRN ${h.rrn}, terminal ${h.terminalId}, batch ${h.batchNo}, trace ${h.stan}, business day ${h.businessDay})`;

/**
 * Breaks by key: a key is reported once (the first finding wins), then sorted by type and
 * key. A break belongs to the day being reconciled, except one about a host transaction: it
 * belongs to that transaction's day, whichever day's run finds it (a late presentment seen
 * from the day of the file is the transaction day's break).
 */
class Breaks {
  private readonly byKey = new Map<string, DetectedBreak>();
  constructor(private readonly businessDay: string) {}

  add(b: Omit<DetectedBreak, 'businessDay'>, businessDay = this.businessDay): void {
    if (!this.byKey.has(b.key)) this.byKey.set(b.key, { ...b, businessDay });
  }

  /** A break about one host transaction, keyed by its terminal and RRN. */
  aboutTxn(type: BreakType, h: HostTransaction, detail: string, refs: readonly PresentedRecord[], more: Partial<DetectedBreak> = {}): void {
    this.add({
      key: `${type}|${h.terminalId}|${h.rrn}`, type, merchantId: h.merchantId, terminalId: h.terminalId, batchNo: h.batchNo, rrn: h.rrn, stan: h.stan,
      currency: h.currency, hostAmount: h.amount, detail, refs: refs.map(refOf), ...more,
    }, h.businessDay);
  }

  sorted(): DetectedBreak[] {
    return [...this.byKey.values()].sort((a, b) => compare(a.type, b.type) || compare(a.key, b.key));
  }
}

// --- step 1: which acquirer lines belong to which host transaction -----------------------

interface Matching {
  /** This day's host transactions by RRN, with the lines matched to them (file order). */
  readonly linesOf: Map<string, PresentedRecord[]>;
  /** Lines of this day's files whose RRN is a host transaction of another day, by RRN. */
  readonly otherDays: Map<string, { host: HostTransaction; lines: PresentedRecord[] }>;
  /** Lines of this day's files the host does not know, by RRN. */
  readonly unmatched: Map<string, PresentedRecord[]>;
}

const push = <V>(m: Map<string, V[]>, key: string, v: V): void => {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
};

const matchLines = (input: MatchDayInput, hostOfDay: ReadonlyMap<string, HostTransaction>, lines: readonly PresentedRecord[]): Matching => {
  const byTrace = new Map<string, HostTransaction[]>();
  for (const h of hostOfDay.values()) push(byTrace, joinKey(h.terminalId, h.batchNo, h.stan), h);
  /** Secondary key: same terminal, batch and trace number, closest in time within the tolerance (RRN breaks ties). */
  const byTraceNumber = (r: PresentedRecord): HostTransaction | undefined => {
    const gap = (h: HostTransaction) => Math.abs(Date.parse(h.occurredAt) - Date.parse(r.transactionTime));
    return (byTrace.get(joinKey(r.terminalId, r.batchNo, r.stan)) ?? [])
      .filter((h) => within(h.occurredAt, r.transactionTime, input.tolerances.timeSeconds))
      .sort((a, b) => gap(a) - gap(b) || compare(a.rrn, b.rrn))[0];
  };

  const m: Matching = { linesOf: new Map(), otherDays: new Map(), unmatched: new Map() };
  for (const r of lines) {
    const ofDay = fileOfDay(r, input.businessDay);
    const own = hostOfDay.get(txnId(r));
    if (own) {
      push(m.linesOf, txnId(own), r);
      continue;
    }
    const elsewhere = input.hostByRrn(r.terminalId, r.rrn);
    if (elsewhere) {
      // Another day's transaction: judged here only from this day's files (that day's run sees the rest).
      if (ofDay) m.otherDays.set(txnId(r), { host: elsewhere, lines: [...(m.otherDays.get(txnId(r))?.lines ?? []), r] });
      continue;
    }
    const twin = byTraceNumber(r);
    if (twin) push(m.linesOf, txnId(twin), r);
    else if (ofDay) push(m.unmatched, txnId(r), r);
  }
  return m;
};


// --- host lookalikes (DUPLICATE_AT_HOST) -------------------------------------------------

/**
 * Groups of COMPLETED host transactions that look alike (same terminal, kind, amount,
 * currency and masked PAN, each within `timeSeconds` of another member), whose members
 * the acquirer presented fewer lines for than there are members: by RRN of each member.
 */
const shortLookalikeGroups = (
  txns: readonly HostTransaction[],
  linesOf: ReadonlyMap<string, readonly PresentedRecord[]>,
  timeSeconds: number,
): Map<string, HostTransaction[]> => {
  const buckets = new Map<string, HostTransaction[]>();
  for (const h of txns) {
    if (h.status !== 'COMPLETED' || h.maskedPan === undefined) continue;
    push(buckets, joinKey(h.terminalId, h.kind, String(h.amount), h.currency, h.maskedPan), h);
  }
  const short = new Map<string, HostTransaction[]>();
  const presentedFor = (h: HostTransaction) => (linesOf.get(txnId(h)) ?? []).filter((r) => !isReversal(r)).length;
  for (const bucket of buckets.values()) {
    const inTime = [...bucket].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || compare(a.rrn, b.rrn));
    // Chained: a member joins the group of the previous one when within the window of it.
    const groups: HostTransaction[][] = [];
    inTime.forEach((h, i) => {
      if (i > 0 && within(inTime[i - 1].occurredAt, h.occurredAt, timeSeconds)) groups[groups.length - 1].push(h);
      else groups.push([h]);
    });
    for (const g of groups) {
      const lines = g.reduce((n, h) => n + presentedFor(h), 0);
      if (g.length > 1 && lines < g.length) for (const h of g) short.set(txnId(h), g);
    }
  }
  return short;
};

// --- step 2-4: transaction breaks ---------------------------------------------------------

/**
 * The breaks of one host transaction the acquirer sent at least one line for (lines in
 * file order). Returns true when the two sides agree (a match).
 */
const judgePresented = (h: HostTransaction, lines: readonly PresentedRecord[], tol: MatchingTolerances, out: Breaks): boolean => {
  const reversals = lines.filter(isReversal);
  const presented = lines.filter((r) => !isReversal(r));
  if (h.status === 'REVERSED') {
    // A REVERSAL line agrees with the host; a presentment without one is charged for a transaction that never stood.
    if (presented.length > 0 && reversals.length === 0)
      out.aboutTxn('STATUS_MISMATCH', h, `${hostText(h)} was reversed at the host but presented by the acquirer: ${presented.map(lineText).join('; ')}`, presented, {
        acquirerAmount: presented[0].amount,
      });
    return false;
  }
  if (reversals.length > 0) {
    out.aboutTxn('STATUS_MISMATCH', h, `${hostText(h)} stands at the host but was reversed by the acquirer: ${reversals.map(lineText).join('; ')}`, lines, {
      ...(presented.length > 0 ? { acquirerAmount: presented[0].amount } : {}),
    });
    return false;
  }
  if (presented.length === 0) return false;

  const [first, ...extra] = presented;
  const found: Array<{ type: BreakType; detail: string; refs: readonly PresentedRecord[]; more: Partial<DetectedBreak> }> = [];
  const flag = (type: BreakType, detail: string, refs: readonly PresentedRecord[], more: Partial<DetectedBreak> = { acquirerAmount: first.amount }) =>
    found.push({ type, detail, refs, more });

  if (presented.every((r) => r.fileBusinessDay !== h.businessDay))
    flag('LATE_PRESENTMENT', `${hostText(h)} was presented only in a file of another business day: ${presented.map((r) => `${lineText(r)} of ${r.fileBusinessDay}`).join('; ')}`, presented);
  if (extra.length > 0) {
    // The acquirer amount is all it presented, when that adds up in one currency.
    const total = presented.every((r) => r.currency === h.currency) ? { acquirerAmount: presented.reduce((s, r) => s + r.amount, 0n) } : {};
    flag('DUPLICATE_AT_ACQUIRER', `${hostText(h)} was presented ${presented.length} times: first ${lineText(first)}, again ${extra.map(lineText).join('; ')}`, extra, total);
  }
  if (first.type !== h.kind) flag('STATUS_MISMATCH', `${hostText(h)} was presented as a ${first.type}: ${lineText(first)}`, [first]);
  const amountGap = abs(first.amount - h.amount);
  const feeGap = abs(first.fee - h.expectedFee);
  if (first.currency !== h.currency) flag('CURRENCY_MISMATCH', `currency: ${hostText(h)}, acquirer ${lineText(first)}`, [first]);
  else if (amountGap > tol.amountMinor)
    flag('AMOUNT_MISMATCH', `amount: ${hostText(h)}, acquirer ${show(first.amount, first.currency)} (${where(first)}); difference ${show(amountGap, h.currency)} over the tolerance of ${show(tol.amountMinor, h.currency)}`, [first]);
  else if (feeGap > tol.feeMinor)
    // The fee break carries the fees, not the transaction amount: they are what differs.
    flag('FEE_MISMATCH', `fee of ${hostText(h)}: expected ${show(h.expectedFee, h.currency)}, acquirer charged ${show(first.fee, first.currency)} (${where(first)}); difference ${show(feeGap, h.currency)} over the tolerance of ${show(tol.feeMinor, h.currency)}`, [first], { hostAmount: h.expectedFee, acquirerAmount: first.fee });

  for (const f of found) out.aboutTxn(f.type, h, f.detail, f.refs, f.more);
  return found.length === 0;
};

/** A COMPLETED host transaction the acquirer sent no line for. */
const judgeUnpresented = (h: HostTransaction, lookalikes: readonly HostTransaction[] | undefined, linesOf: ReadonlyMap<string, readonly PresentedRecord[]>, out: Breaks): void => {
  if (h.kind === 'VOID') {
    out.aboutTxn('STATUS_MISMATCH', h, `${hostText(h)} voids RRN ${h.originalRrn ?? '?'} at the host only: the acquirer presented no void`, []);
  } else if (lookalikes) {
    const others = lookalikes.filter((o) => o.rrn !== h.rrn);
    const theirLines = others.flatMap((o) => linesOf.get(txnId(o)) ?? []).filter((r) => !isReversal(r)).sort(fileOrder);
    out.aboutTxn('DUPLICATE_AT_HOST', h, `${hostText(h)} looks like ${others.map((o) => `RRN ${o.rrn} at ${o.occurredAt}`).join(', ')} (same card, amount and terminal): the host holds ${lookalikes.length}, the acquirer presented ${theirLines.length}, none for this one`, theirLines);
  } else {
    out.aboutTxn('MISSING_AT_ACQUIRER', h, `${hostText(h)} was not presented by the acquirer`, []);
  }
};

/** Lines of this day's files for an RRN the host does not know at all. */
const judgeUnknown = (lines: readonly PresentedRecord[], out: Breaks): void => {
  const presented = lines.filter((r) => !isReversal(r));
  // Presented and reversed by the acquirer, never booked by the host: both sides say it did not happen.
  if (presented.length > 0 && presented.length < lines.length) return;
  const first = lines[0];
  const type: BreakType = presented.some((r) => r.type === 'SALE' || r.type === 'REFUND') ? 'MISSING_AT_HOST' : 'STATUS_MISMATCH';
  const what = type === 'MISSING_AT_HOST' ? 'unknown to the host' : 'a void or reversal at the acquirer only: the host has no transaction with that RRN';
  out.add({
    key: `${type}|${txnId(first)}`, type, merchantId: first.merchantId, terminalId: first.terminalId, batchNo: first.batchNo, rrn: first.rrn, stan: first.stan,
    currency: first.currency, acquirerAmount: first.amount, detail: `${lines.map(lineText).join('; ')}: ${what}`, refs: lines.map(refOf),
  });
};

// --- step 5: batch totals -----------------------------------------------------------------

const zero = (currency: CurrencyCode): BatchTotals => ({ currency, debitCount: 0, debitAmount: 0n, creditCount: 0, creditAmount: 0n });
const sameTotals = (a: BatchTotals, b: BatchTotals): boolean =>
  a.debitCount === b.debitCount && a.debitAmount === b.debitAmount && a.creditCount === b.creditCount && a.creditAmount === b.creditAmount;
const net = (t: BatchTotals): bigint => t.debitAmount - t.creditAmount;
const totalsText = (t: BatchTotals): string =>
  `${t.debitCount} debit(s) ${show(t.debitAmount, t.currency)}, ${t.creditCount} credit(s) ${show(t.creditAmount, t.currency)}`;
const batchKey = (terminalId: string, batchNo: string, currency: CurrencyCode, side: 'terminal' | 'acquirer'): string =>
  joinKey('BATCH_TOTALS_MISMATCH', terminalId, batchNo, currency, side);

/** Terminal against host at close, per currency either side listed (a missing currency counts as zeros). */
const judgeHostBatch = (b: HostBatch, out: Breaks): void => {
  const currencies = [...new Set([...b.terminalTotalsAtClose, ...b.hostTotals].map((t) => t.currency))].sort(compare);
  for (const currency of currencies) {
    const terminal = b.terminalTotalsAtClose.find((t) => t.currency === currency) ?? zero(currency);
    const host = b.hostTotals.find((t) => t.currency === currency) ?? zero(currency);
    if (sameTotals(terminal, host)) continue;
    out.add({
      key: batchKey(b.terminalId, b.batchNo, currency, 'terminal'), type: 'BATCH_TOTALS_MISMATCH', merchantId: b.merchantId, terminalId: b.terminalId,
      batchNo: b.batchNo, currency, terminalAmount: net(terminal), hostAmount: net(host), refs: [],
      detail: `batch ${b.batchNo} of terminal ${b.terminalId} closed ${b.result} with a difference left: terminal ${totalsText(terminal)}; host ${totalsText(host)}`,
    });
  }
};

/**
 * What each file's detail lines add up to per terminal, batch and currency, totalled as
 * the acquirer writes its BATCH lines (`summariseBatches`: duplicates count, a REVERSAL
 * takes one line of its terminal and RRN out of the file).
 */
const detailTotals = (lines: readonly PresentedRecord[]): Map<string, BatchTotals> => {
  const byFile = new Map<string, PresentedRecord[]>();
  for (const r of lines) push(byFile, r.fileId, r);
  const totals = new Map<string, BatchTotals>();
  for (const [fileId, fileLines] of byFile)
    for (const s of summariseBatches(fileLines)) {
      // Per terminal, whatever merchant a line names.
      const key = joinKey(fileId, s.terminalId, s.batchNo, s.currency);
      const t = totals.get(key) ?? zero(s.currency);
      totals.set(key, {
        currency: s.currency, debitCount: t.debitCount + s.debitCount, debitAmount: t.debitAmount + s.debitAmount,
        creditCount: t.creditCount + s.creditCount, creditAmount: t.creditAmount + s.creditAmount,
      });
    }
  return totals;
};

/** Each BATCH line against its own file's detail lines; one break per terminal, batch and currency naming every BATCH line that disagrees. */
const judgeSummaries = (summaries: readonly PresentedBatchSummary[], lines: readonly PresentedRecord[], out: Breaks): void => {
  const totals = detailTotals(lines);
  const wrong = new Map<string, Array<{ s: PresentedBatchSummary; details: BatchTotals }>>();
  const ordered = [...summaries].sort((a, b) => compare(a.fileId, b.fileId) || a.line - b.line);
  for (const s of ordered) {
    const details = totals.get(joinKey(s.fileId, s.terminalId, s.batchNo, s.currency)) ?? zero(s.currency);
    if (!sameTotals(s, details)) push(wrong, batchKey(s.terminalId, s.batchNo, s.currency, 'acquirer'), { s, details });
  }
  for (const [key, found] of wrong) {
    const { s } = found[0];
    out.add({
      key, type: 'BATCH_TOTALS_MISMATCH', merchantId: s.merchantId, terminalId: s.terminalId, batchNo: s.batchNo, currency: s.currency,
      acquirerAmount: net(s), refs: found.map((f) => refOf(f.s)),
      detail: found
        .map((f) => `BATCH line (file ${f.s.fileId} line ${f.s.line}) of batch ${s.batchNo}, terminal ${s.terminalId}: ${totalsText(f.s)}; its file's detail lines: ${totalsText(f.details)}`)
        .join('; '),
    });
  }
};

// --- the day --------------------------------------------------------------------------------

const matchedTotals = (matched: readonly HostTransaction[]): MatchedTotals[] => {
  const sums = new Map<string, MatchedTotals>();
  for (const h of matched) {
    const key = joinKey(h.merchantId, h.currency);
    const s = sums.get(key) ?? { merchantId: h.merchantId, currency: h.currency, count: 0, amount: 0n };
    sums.set(key, { ...s, count: s.count + 1, amount: s.amount + h.amount });
  }
  return [...sums.values()].sort((a, b) => compare(a.merchantId, b.merchantId) || compare(a.currency, b.currency));
};

export const matchDay = (input: MatchDayInput): MatchResult => {
  const { businessDay, host, tolerances } = input;
  const out = new Breaks(businessDay);
  // Sorted up front so that neither input order nor map order changes a result.
  const txns = [...host.transactions].sort((a, b) => compare(txnId(a), txnId(b)));
  const hostOfDay = new Map<string, HostTransaction>();
  for (const h of txns) if (!hostOfDay.has(txnId(h))) hostOfDay.set(txnId(h), h);
  const lines = [...input.presented].sort(fileOrder);

  const { linesOf, otherDays, unmatched } = matchLines(input, hostOfDay, lines);
  const lookalikes = shortLookalikeGroups([...hostOfDay.values()], linesOf, tolerances.timeSeconds);

  const matched: HostTransaction[] = [];
  for (const h of hostOfDay.values()) {
    const own = linesOf.get(txnId(h)) ?? [];
    if (own.length > 0) {
      if (judgePresented(h, own, tolerances, out)) matched.push(h);
    } else if (h.status === 'COMPLETED') judgeUnpresented(h, lookalikes.get(txnId(h)), linesOf, out);
  }
  // Another day's transaction presented in this day's files: judged by the same rules as
  // that day's run does, so both runs find the same key (LATE_PRESENTMENT|<terminal>|<rrn> and so on).
  for (const { host: h, lines: theirs } of otherDays.values()) judgePresented(h, theirs, tolerances, out);
  for (const theirs of unmatched.values()) judgeUnknown(theirs, out);

  for (const b of host.batches) judgeHostBatch(b, out);
  judgeSummaries(input.summaries, lines.filter((r) => fileOfDay(r, businessDay)), out);

  return {
    businessDay,
    breaks: out.sorted(),
    matched: matchedTotals(matched),
    hostTransactions: host.transactions.length,
    acquirerRecords: input.presented.length,
  };
};
