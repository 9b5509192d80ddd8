/**
 * The simulated acquirer: writes the clearing file(s) of one business day from the host's
 * record of it, with seeded injection of reconciliation breaks, and says what it injected.
 * Pure: same host day, seed and options, byte-identical files.
 *
 * Each injected break changes one transaction (or one BATCH line) on a batch no other
 * injection touches, and is chosen so that the matcher finds exactly that one break: the
 * transactions it changes have no void or refund pointing at them and no host lookalike,
 * and BATCH lines are recomputed from the final detail lines (except the one the batch
 * totals injection alters).
 */
import { addDays, forkPrng, type Prng } from '@pos/kernel';
import { CURRENCIES, type CurrencyCode, divideRounded, formatMoney, minorUnitExponent } from '@pos/money';
import {
  BREAK_TYPES,
  type BreakType,
  type ClearingBatchSummary,
  ClearingFileReader,
  type ClearingFileHeader,
  type ClearingRecord,
  clearingFileRows,
  DEFAULT_TOLERANCES,
  formatClearingFile,
  type HostDay,
  type HostTransaction,
  isIsoInstant,
  type MatchingTolerances,
  settlementAmountOf,
  summariseBatches,
} from '@pos/reconciliation-domain';

export interface InjectedBreak {
  readonly type: BreakType;
  readonly terminalId: string;
  readonly batchNo?: string;
  readonly rrn?: string;
  /** The host's currency of the transaction (the BATCH line's for BATCH_TOTALS_MISMATCH). */
  readonly currency?: string;
  /** Business day of the file the break is in (the next day's file for LATE_PRESENTMENT). */
  readonly file: string;
  /** Line of that file that carries it; none when the break is a line left out. */
  readonly line?: number;
  readonly note: string;
}

export interface GeneratedFile {
  readonly businessDay: string;
  readonly text: string;
  readonly detailLines: number;
  readonly batchLines: number;
}

export interface GenerateOptions {
  readonly seed: number;
  readonly inject: readonly BreakType[];
  readonly acquirerId?: string;
  /** When the acquirer wrote the day's file (ISO-8601 instant); the next day's file is a day later. */
  readonly createdAt: string;
  /** The matcher's tolerances: injected amount and fee differences exceed them; lookalikes use its time window. */
  readonly tolerances?: Partial<MatchingTolerances>;
}

export interface GeneratedClearing {
  readonly files: GeneratedFile[];
  readonly injected: InjectedBreak[];
}

/** A break type the host day cannot carry (no lookalike pair, no batch left...). */
export class InjectionError extends Error {
  constructor(
    readonly breakType: BreakType,
    message: string,
  ) {
    super(`cannot inject ${breakType}: ${message}`);
    this.name = 'InjectionError';
  }
}

export const DEFAULT_ACQUIRER_ID = 'SIMACQ01';

/** The types with the fewest candidates choose first, so a day that can carry them all gets them all. */
const INJECTION_ORDER: readonly BreakType[] = [
  'DUPLICATE_AT_HOST', 'STATUS_MISMATCH', 'MISSING_AT_ACQUIRER', 'AMOUNT_MISMATCH', 'FEE_MISMATCH', 'DUPLICATE_AT_ACQUIRER',
  'CURRENCY_MISMATCH', 'LATE_PRESENTMENT', 'MISSING_AT_HOST', 'BATCH_TOTALS_MISMATCH',
];

/** A detail line, and the injected break it carries (index into the manifest). */
interface Line {
  readonly record: ClearingRecord;
  readonly mark?: number;
}

/** A host transaction's place in the day's file: its own line (when presented) and lines injected after it. */
interface Slot {
  readonly txn: HostTransaction;
  present: boolean;
  record: ClearingRecord;
  mark?: number;
  readonly after: Line[];
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const batchOf = (t: { terminalId: string; batchNo: string }): string => `${t.terminalId}/${t.batchNo}`;
const show = (amount: bigint, currency: CurrencyCode): string => formatMoney({ amount, currency });
const compact = (day: string): string => day.replaceAll('-', '');

const recordOf = (t: HostTransaction, settlementDate: string): ClearingRecord => ({
  line: 0, merchantId: t.merchantId, terminalId: t.terminalId, batchNo: t.batchNo, stan: t.stan, rrn: t.rrn, type: t.kind,
  maskedPan: t.maskedPan ?? '', amount: t.amount, currency: t.currency, fee: t.expectedFee,
  settlementAmount: settlementAmountOf(t.kind, t.amount, t.expectedFee), transactionTime: t.occurredAt, settlementDate,
});

/** The record with some of its money changed, the settlement amount recomputed. */
type MoneyChange = Partial<Pick<ClearingRecord, 'type' | 'amount' | 'fee' | 'currency'>>;

const changed = (r: ClearingRecord, c: MoneyChange): ClearingRecord => {
  const next = { ...r, ...c };
  return { ...next, settlementAmount: settlementAmountOf(next.type, next.amount, next.fee) };
};

/** Another currency with the same minor units (CNY -> USD, USD -> CNY, JPY -> KRW, KWD -> BHD). */
const otherCurrency = (c: CurrencyCode): CurrencyCode =>
  (['USD', 'CNY', ...Object.keys(CURRENCIES)] as CurrencyCode[]).find((o) => o !== c && minorUnitExponent(o) === minorUnitExponent(c)) as CurrencyCode;

/**
 * Lookalike groups as the matcher sees them: COMPLETED, with a masked PAN, same terminal,
 * kind, amount and currency, each within `seconds` of the previous one. Groups of two or more.
 */
const lookalikeGroups = (txns: readonly HostTransaction[], seconds: number): HostTransaction[][] => {
  const buckets = new Map<string, HostTransaction[]>();
  for (const t of txns) {
    if (t.status !== 'COMPLETED' || t.maskedPan === undefined) continue;
    const key = [t.terminalId, t.kind, t.amount, t.currency, t.maskedPan].join('|');
    buckets.set(key, [...(buckets.get(key) ?? []), t]);
  }
  const groups: HostTransaction[][] = [];
  for (const bucket of buckets.values()) {
    const inTime = [...bucket].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || compare(a.rrn, b.rrn));
    let group: HostTransaction[] = [];
    for (const t of inTime) {
      const previous = group[group.length - 1];
      if (previous && Math.abs(Date.parse(t.occurredAt) - Date.parse(previous.occurredAt)) <= seconds * 1000) group.push(t);
      else {
        if (group.length > 1) groups.push(group);
        group = [t];
      }
    }
    if (group.length > 1) groups.push(group);
  }
  return groups;
};

/** RRNs are unique per terminal, not across terminals: a transaction is (terminal, RRN). */
const txnId = (x: { readonly terminalId: string; readonly rrn: string }): string => `${x.terminalId}|${x.rrn}`;

/** What the day offers each injection. */
const survey = (txns: readonly HostTransaction[], tolerances: MatchingTolerances) => {
  const rrnCount = new Map<string, number>();
  for (const t of txns) rrnCount.set(txnId(t), (rrnCount.get(txnId(t)) ?? 0) + 1);
  const unique = (t: HostTransaction) => rrnCount.get(txnId(t)) === 1;
  const hasDependents = new Set(txns.flatMap((t) => (t.originalRrn ? [txnId({ terminalId: t.terminalId, rrn: t.originalRrn })] : [])));
  const groups = lookalikeGroups(txns, tolerances.timeSeconds);
  const inGroup = new Set(groups.flat().map(txnId));
  return {
    /** Completed sales nothing else depends on: changing or dropping one gives exactly one break. */
    plainSales: txns.filter((t) => t.status === 'COMPLETED' && t.kind === 'SALE' && unique(t) && !hasDependents.has(txnId(t)) && !inGroup.has(txnId(t))),
    /**
     * Lookalike pairs (exactly two) whose later member can be left out: not a VOID (a void
     * the acquirer lacks is a status break) and with no void or refund of it.
     */
    pairs: groups.filter((g) => g.length === 2 && g.every(unique) && g[1]?.kind !== 'VOID' && !hasDependents.has(g[1] ? txnId(g[1]) : '')) as Array<[HostTransaction, HostTransaction]>,
    anyLookalikes: groups.length > 0,
    reversed: txns.filter((t) => t.status === 'REVERSED' && unique(t)),
    completed: txns.filter((t) => t.status === 'COMPLETED' && unique(t)),
  };
};

/** Chooses with the PRNG among candidates on batches no injection has taken yet, and takes their batches. */
class BatchClaims {
  private readonly used = new Set<string>();
  constructor(private readonly prng: Prng) {}

  free<T>(items: readonly T[], batches: (item: T) => readonly string[]): T[] {
    return items.filter((i) => batches(i).every((b) => !this.used.has(b)));
  }

  claim<T>(type: BreakType, items: readonly T[], batches: (item: T) => readonly string[], none: string): T {
    const free = this.free(items, batches);
    if (free.length === 0) throw new InjectionError(type, none);
    const chosen = this.prng.pick(free);
    for (const b of batches(chosen)) this.used.add(b);
    return chosen;
  }
}

const NO_PLAIN_SALE = 'no completed SALE left on a batch without another injection (one with no void or refund of it and no host lookalike)';

export const generateClearingFiles = (host: HostDay, options: GenerateOptions): GeneratedClearing => {
  if (!isIsoInstant(options.createdAt)) throw new RangeError(`createdAt ${JSON.stringify(options.createdAt)} is not an ISO-8601 instant with a zone`);
  for (const t of options.inject) if (!BREAK_TYPES.includes(t)) throw new RangeError(`unknown break type ${JSON.stringify(t)}`);
  const tolerances: MatchingTolerances = { ...DEFAULT_TOLERANCES, ...options.tolerances };
  const acquirerId = options.acquirerId ?? DEFAULT_ACQUIRER_ID;
  const day = host.businessDay;
  const nextDay = addDays(day, 1);
  const prng = forkPrng(options.seed, `clearing:${day}`);
  const claims = new BatchClaims(prng);

  // Sorted, so the endpoint's order does not change the files.
  const txns = host.transactions
    .filter((t) => t.businessDay === day)
    .sort((a, b) => compare(a.occurredAt, b.occurredAt) || compare(a.rrn, b.rrn));
  const slots: Slot[] = txns.map((t) => ({ txn: t, present: t.status === 'COMPLETED', record: recordOf(t, day), after: [] }));
  const slotOf = new Map(slots.map((s) => [txnId(s.txn), s] as const));
  const slot = (t: HostTransaction) => slotOf.get(txnId(t)) as Slot;
  const late: Line[] = [];
  const injected: Array<{ -readonly [K in keyof InjectedBreak]: InjectedBreak[K] }> = [];
  const days = survey(txns, tolerances);

  /** Records a break about `t` and returns its mark. */
  const note = (type: BreakType, t: Pick<HostTransaction, 'terminalId' | 'batchNo' | 'rrn' | 'currency'>, text: string, file = day): number =>
    injected.push({ type, terminalId: t.terminalId, batchNo: t.batchNo, rrn: t.rrn, currency: t.currency, file, note: text }) - 1;
  const plainSale = (type: BreakType) => claims.claim(type, days.plainSales, (t) => [batchOf(t)], NO_PLAIN_SALE);
  /** Presents a plain sale with some of its money changed (settlement amount recomputed). */
  const alterSale = (type: BreakType, alter: (t: HostTransaction) => { change: MoneyChange; text: string }) => {
    const t = plainSale(type);
    const s = slot(t);
    const { change, text } = alter(t);
    s.record = changed(s.record, change);
    s.mark = note(type, t, text);
  };

  const wanted = new Set(options.inject);
  for (const type of INJECTION_ORDER.filter((t) => wanted.has(t) && t !== 'BATCH_TOTALS_MISMATCH')) {
    switch (type) {
      case 'MISSING_AT_ACQUIRER': {
        const t = plainSale(type);
        slot(t).present = false;
        note(type, t, `SALE RRN ${t.rrn} ${show(t.amount, t.currency)} left out of the file`);
        break;
      }
      case 'MISSING_AT_HOST': {
        const sibling = claims.claim(type, days.completed, (t) => [batchOf(t)], 'no batch left without another injection');
        const record = freshSale(prng, sibling, txns, day);
        slot(sibling).after.push({ record, mark: note(type, record, `SALE RRN ${record.rrn} trace ${record.stan} ${show(record.amount, record.currency)} unknown to the host, added to batch ${record.batchNo}`) });
        break;
      }
      case 'AMOUNT_MISMATCH':
        alterSale(type, (t) => {
          const amount = t.amount + tolerances.amountMinor + prng.bigintBetween(1n, 99n);
          return { change: { amount }, text: `SALE RRN ${t.rrn} presented for ${show(amount, t.currency)}, host ${show(t.amount, t.currency)}` };
        });
        break;
      case 'FEE_MISMATCH':
        alterSale(type, (t) => {
          const fee = t.expectedFee + tolerances.feeMinor + prng.bigintBetween(1n, 99n);
          return { change: { fee }, text: `SALE RRN ${t.rrn} charged a fee of ${show(fee, t.currency)}, expected ${show(t.expectedFee, t.currency)}` };
        });
        break;
      case 'DUPLICATE_AT_ACQUIRER': {
        const t = plainSale(type);
        const s = slot(t);
        s.after.push({ record: s.record, mark: note(type, t, `SALE RRN ${t.rrn} presented twice (the second line is the copy)`) });
        break;
      }
      case 'DUPLICATE_AT_HOST': {
        if (!days.anyLookalikes)
          throw new InjectionError(type, `the host day holds no two lookalike COMPLETED transactions (same terminal, kind, amount, currency and masked PAN within ${tolerances.timeSeconds} s)`);
        const [kept, left] = claims.claim(type, days.pairs, (p) => p.map(batchOf), 'no lookalike pair of exactly two (the later one with no void or refund) on batches without another injection');
        slot(left).present = false;
        note(type, left, `host holds RRN ${kept.rrn} and its lookalike RRN ${left.rrn} (${left.kind} ${show(left.amount, left.currency)}); only RRN ${kept.rrn} presented`);
        break;
      }
      case 'CURRENCY_MISMATCH':
        alterSale(type, (t) => {
          const currency = otherCurrency(t.currency);
          return { change: { currency }, text: `SALE RRN ${t.rrn} presented in ${currency}, host ${t.currency} (same minor units ${t.amount})` };
        });
        break;
      case 'STATUS_MISMATCH': {
        const reversed = claims.free(days.reversed, (t) => [batchOf(t)]);
        if (reversed.length > 0) {
          const t = claims.claim(type, reversed, (r) => [batchOf(r)], '');
          const s = slot(t);
          s.present = true;
          s.mark = note(type, t, `${t.kind} RRN ${t.rrn} reversed at the host, presented as a ${t.kind}`);
        } else {
          // No reversed transaction to present: the acquirer reverses one the host kept.
          const t = plainSale(type);
          const s = slot(t);
          s.after.push({ record: changed(s.record, { type: 'REVERSAL' }), mark: note(type, t, `SALE RRN ${t.rrn} completed at the host, reversed by the acquirer (a REVERSAL line after its SALE line)`) });
        }
        break;
      }
      case 'LATE_PRESENTMENT': {
        const t = plainSale(type);
        slot(t).present = false;
        late.push({ record: { ...slot(t).record, settlementDate: nextDay }, mark: note(type, t, `SALE RRN ${t.rrn} of ${day} presented in the file of ${nextDay}`, nextDay) });
        break;
      }
    }
  }

  const dayLines = slots.flatMap((s): Line[] => [...(s.present ? [{ record: s.record, mark: s.mark }] : []), ...s.after]);
  const dayFile = assemble(dayLines, injected);
  if (wanted.has('BATCH_TOTALS_MISMATCH')) {
    const free = claims.free(dayFile.summaries, (s) => [batchOf(s)]);
    const withDebits = free.filter((s) => s.debitCount > 0);
    const target = claims.claim('BATCH_TOTALS_MISMATCH', withDebits.length > 0 ? withDebits : free, (s) => [batchOf(s)], 'no BATCH line left on a batch without another injection');
    const i = dayFile.summaries.indexOf(target);
    const debitAmount = target.debitAmount + tolerances.amountMinor + prng.bigintBetween(1n, 99n);
    dayFile.summaries[i] = { ...target, debitAmount };
    injected.push({
      type: 'BATCH_TOTALS_MISMATCH', terminalId: target.terminalId, batchNo: target.batchNo, currency: target.currency, file: day, line: target.line,
      note: `BATCH line of batch ${target.batchNo} ${target.currency} says debits ${show(debitAmount, target.currency)}, its detail lines add up to ${show(target.debitAmount, target.currency)}`,
    });
  }

  const header = (businessDay: string, createdAt: string): ClearingFileHeader => ({ acquirerId, fileReference: `${acquirerId}-${compact(businessDay)}`, businessDay, createdAt });
  const files = [render(header(day, options.createdAt), dayFile)];
  if (late.length > 0) files.push(render(header(nextDay, new Date(Date.parse(options.createdAt) + 86_400_000).toISOString()), assemble(late, injected)));
  return { files, injected };
};

/** Numbers the lines (details from line 3, then the BATCH lines) and writes the lines of the marked breaks into the manifest. */
const assemble = (lines: readonly Line[], injected: Array<{ line?: number }>): { records: ClearingRecord[]; summaries: ClearingBatchSummary[] } => {
  const records = lines.map((l, i) => ({ ...l.record, line: 3 + i }));
  lines.forEach((l, i) => {
    if (l.mark !== undefined) (injected[l.mark] as { line?: number }).line = 3 + i;
  });
  const summaries = summariseBatches(records).map((s, i) => ({ ...s, line: 3 + records.length + i }));
  return { records, summaries };
};

/** The file's text, after reading it back: the generator never writes a file the importer would refuse. */
const render = (header: ClearingFileHeader, body: { records: ClearingRecord[]; summaries: ClearingBatchSummary[] }): GeneratedFile => {
  const parts = { header, ...body };
  const reader = new ClearingFileReader();
  const errors = clearingFileRows(parts).flatMap((fields, i) => {
    const r = reader.line(fields, i + 1);
    return r.kind === 'error' ? r.errors : [];
  });
  errors.push(...reader.finish());
  if (errors.length > 0) throw new Error(`the host day gives an invalid clearing file for ${header.businessDay}: ${errors.slice(0, 3).map((e) => `line ${e.line} ${e.code} ${e.message}`).join('; ')}`);
  return { businessDay: header.businessDay, text: formatClearingFile(parts), detailLines: body.records.length, batchLines: body.summaries.length };
};

/** A SALE the host never saw, on the sibling's terminal and batch: fresh RRN and trace number, a fee at the sibling's rate. */
const freshSale = (prng: Prng, sibling: HostTransaction, txns: readonly HostTransaction[], day: string): ClearingRecord => {
  // RRNs are per terminal: fresh for the sibling's terminal (and, simply, for the whole day).
  const rrns = new Set(txns.map((t) => t.rrn));
  // The trace number keeps counting across batches, so it is fresh for the whole terminal.
  const stans = new Set(txns.filter((t) => t.terminalId === sibling.terminalId).map((t) => t.stan));
  const fresh = (length: number, taken: ReadonlySet<string>): string => {
    for (;;) {
      const v = prng.digits(length);
      if (!taken.has(v) && !/^0+$/.test(v)) return v;
    }
  };
  const amount = prng.bigintBetween(100n, 100_000n);
  const fee = sibling.amount > 0n ? divideRounded(amount * sibling.expectedFee, sibling.amount, 'HALF_UP') : 0n;
  const pan = sibling.maskedPan;
  return {
    line: 0, merchantId: sibling.merchantId, terminalId: sibling.terminalId, batchNo: sibling.batchNo, stan: fresh(6, stans), rrn: fresh(12, rrns), type: 'SALE',
    maskedPan: pan ? `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${prng.digits(4)}` : '',
    amount, currency: sibling.currency, fee, settlementAmount: settlementAmountOf('SALE', amount, fee),
    transactionTime: new Date(Date.parse(sibling.occurredAt) + prng.int(1, 120) * 1000).toISOString(), settlementDate: day,
  };
};
