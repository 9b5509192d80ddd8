import type { BatchSettled, PaymentMethod, TransactionCompleted, TransactionKind, TransactionReversed } from '@pos/contracts';
import type { RecordedEvent } from '@pos/kernel';
import type { CurrencyCode } from '@pos/money';

/**
 * Daily totals per (business day, merchant, terminal, payment method, currency).
 *
 * A pure projection: each event maps to keyed changes; the caller loads the row under
 * each key, applies the change and stores the result (in the same transaction as its
 * "applied event ids" record). Replaying the same events from empty gives the same rows.
 */

export interface DailyTotalsIdentity {
  readonly businessDay: string;
  readonly merchantId: string;
  readonly terminalId: string;
  readonly method: PaymentMethod;
  readonly currency: CurrencyCode;
}

export interface DailyTotalsRow extends DailyTotalsIdentity {
  readonly salesCount: number;
  readonly salesAmount: bigint;
  readonly voidsCount: number;
  readonly voidsAmount: bigint;
  readonly refundsCount: number;
  readonly refundsAmount: bigint;
  readonly reversalsCount: number;
  readonly reversalsAmount: bigint;
  /** sales - voids - refunds */
  readonly gross: bigint;
  /** Known only once a batch of the day is settled (BatchSettled); 0 before. */
  readonly fees: bigint;
  /** gross - fees */
  readonly net: bigint;
  /** Settled batch lines that landed on this row. */
  readonly settledBatches: number;
}

export interface DailyTotalsChange {
  readonly key: string;
  readonly apply: (row: DailyTotalsRow | undefined) => DailyTotalsRow;
}

const SEP = '|';

/** `${businessDay}|${merchantId}|${terminalId}|${method}|${currency}`: prefixes list by day, then merchant, then terminal. */
export const dailyTotalsKey = (row: DailyTotalsIdentity): string =>
  [row.businessDay, row.merchantId, row.terminalId, row.method, row.currency].join(SEP);

/**
 * Key prefix for listing rows of one day, optionally narrowed to a merchant and then a
 * terminal. Ends with the separator so `M1` never matches `M10`.
 */
export const dailyTotalsKeyPrefix = (scope: {
  readonly businessDay: string;
  readonly merchantId?: string;
  readonly terminalId?: string;
}): string => {
  if (scope.terminalId !== undefined && scope.merchantId === undefined) {
    throw new Error('dailyTotalsKeyPrefix: a terminal prefix needs its merchant');
  }
  const parts = [scope.businessDay, scope.merchantId, scope.terminalId].filter((p): p is string => p !== undefined);
  return parts.join(SEP) + SEP;
};

export const emptyRow = (id: DailyTotalsIdentity): DailyTotalsRow => ({
  businessDay: id.businessDay,
  merchantId: id.merchantId,
  terminalId: id.terminalId,
  method: id.method,
  currency: id.currency,
  salesCount: 0,
  salesAmount: 0n,
  voidsCount: 0,
  voidsAmount: 0n,
  refundsCount: 0,
  refundsAmount: 0n,
  reversalsCount: 0,
  reversalsAmount: 0n,
  gross: 0n,
  fees: 0n,
  net: 0n,
  settledBatches: 0,
});

type Counters = Pick<
  DailyTotalsRow,
  | 'salesCount'
  | 'salesAmount'
  | 'voidsCount'
  | 'voidsAmount'
  | 'refundsCount'
  | 'refundsAmount'
  | 'reversalsCount'
  | 'reversalsAmount'
  | 'fees'
  | 'settledBatches'
>;

/** Recomputes gross and net from the counters so they are consistent after every event. */
const withTotals = (row: DailyTotalsRow, patch: Partial<Counters>): DailyTotalsRow => {
  const next = { ...row, ...patch };
  const gross = next.salesAmount - next.voidsAmount - next.refundsAmount;
  return { ...next, gross, net: gross - next.fees };
};

const KIND_FIELDS: Record<TransactionKind, { count: 'salesCount' | 'voidsCount' | 'refundsCount'; amount: 'salesAmount' | 'voidsAmount' | 'refundsAmount' }> = {
  SALE: { count: 'salesCount', amount: 'salesAmount' },
  VOID: { count: 'voidsCount', amount: 'voidsAmount' },
  REFUND: { count: 'refundsCount', amount: 'refundsAmount' },
};

const minor = (value: unknown, what: string): bigint => {
  if (typeof value !== 'bigint') throw new TypeError(`daily totals: ${what} must be a bigint of minor units, got ${typeof value}`);
  return value;
};

const kindFields = (kind: unknown) => {
  const fields = KIND_FIELDS[kind as TransactionKind];
  if (!fields) throw new TypeError(`daily totals: unknown transaction kind ${String(kind)}`);
  return fields;
};

const is = <E extends { type: string; data: unknown }>(event: RecordedEvent, type: E['type']): event is RecordedEvent<E> =>
  event.type === type;

/** Bind a change to a key, starting from an empty row when none is stored yet. */
const change = (id: DailyTotalsIdentity, update: (row: DailyTotalsRow) => DailyTotalsRow): DailyTotalsChange => ({
  key: dailyTotalsKey(id),
  apply: (row) => update(row ?? emptyRow(id)),
});

const completed = (d: TransactionCompleted['data']): DailyTotalsChange[] => {
  const amount = minor(d.amount, 'TransactionCompleted.amount');
  const f = kindFields(d.kind);
  return [
    change(d, (row) => withTotals(row, { [f.count]: row[f.count] + 1, [f.amount]: row[f.amount] + amount })),
  ];
};

const reversed = (d: TransactionReversed['data']): DailyTotalsChange[] => {
  const amount = minor(d.amount, 'TransactionReversed.amount');
  const f = kindFields(d.kind);
  return [
    change(d, (row) =>
      withTotals(row, {
        [f.count]: row[f.count] - 1,
        [f.amount]: row[f.amount] - amount,
        reversalsCount: row.reversalsCount + 1,
        reversalsAmount: row.reversalsAmount + amount,
      }),
    ),
  ];
};

const settled = (d: BatchSettled['data']): DailyTotalsChange[] => {
  // One line per (currency, method) by contract; should a batch repeat one, its fees are
  // summed and the row still counts the batch once.
  const byRow = new Map<string, { id: DailyTotalsIdentity; fees: bigint }>();
  for (const line of d.lines) {
    const id: DailyTotalsIdentity = {
      businessDay: d.businessDay,
      merchantId: d.merchantId,
      terminalId: d.terminalId,
      method: line.method,
      currency: line.currency,
    };
    const key = dailyTotalsKey(id);
    const fees = minor(line.fees, 'BatchSettled.lines[].fees');
    const seen = byRow.get(key);
    byRow.set(key, { id, fees: (seen?.fees ?? 0n) + fees });
  }
  return [...byRow.values()].map(({ id, fees }) =>
    change(id, (row) => withTotals(row, { fees: row.fees + fees, settledBatches: row.settledBatches + 1 })),
  );
};

/** The keyed changes an event makes to daily totals; [] for events that do not touch them. */
export const dailyTotalsChanges = (event: RecordedEvent): DailyTotalsChange[] => {
  if (is<TransactionCompleted>(event, 'TransactionCompleted')) return completed(event.data);
  if (is<TransactionReversed>(event, 'TransactionReversed')) return reversed(event.data);
  if (is<BatchSettled>(event, 'BatchSettled')) return settled(event.data);
  return [];
};

/**
 * Folds events into rows (a rebuild, or a test). Never mutates `from`; returns a new map
 * keyed by `dailyTotalsKey`.
 */
export const projectDailyTotals = (
  events: Iterable<RecordedEvent>,
  from: ReadonlyMap<string, DailyTotalsRow> = new Map(),
): Map<string, DailyTotalsRow> => {
  const rows = new Map(from);
  for (const event of events) {
    for (const { key, apply } of dailyTotalsChanges(event)) rows.set(key, apply(rows.get(key)));
  }
  return rows;
};

/** A row's figures summed over terminals and methods, for one currency. */
export type CurrencySummary = Omit<DailyTotalsRow, keyof DailyTotalsIdentity | 'settledBatches'> & { readonly currency: CurrencyCode };

/**
 * Totals per currency across the given rows (e.g. one merchant's day, all terminals and
 * methods), sorted by currency code. Currencies are never added together.
 */
export const summarise = (rows: Iterable<DailyTotalsRow>): CurrencySummary[] => {
  const byCurrency = new Map<CurrencyCode, CurrencySummary>();
  for (const r of rows) {
    const s = byCurrency.get(r.currency);
    byCurrency.set(r.currency, {
      currency: r.currency,
      salesCount: (s?.salesCount ?? 0) + r.salesCount,
      salesAmount: (s?.salesAmount ?? 0n) + r.salesAmount,
      voidsCount: (s?.voidsCount ?? 0) + r.voidsCount,
      voidsAmount: (s?.voidsAmount ?? 0n) + r.voidsAmount,
      refundsCount: (s?.refundsCount ?? 0) + r.refundsCount,
      refundsAmount: (s?.refundsAmount ?? 0n) + r.refundsAmount,
      reversalsCount: (s?.reversalsCount ?? 0) + r.reversalsCount,
      reversalsAmount: (s?.reversalsAmount ?? 0n) + r.reversalsAmount,
      gross: (s?.gross ?? 0n) + r.gross,
      fees: (s?.fees ?? 0n) + r.fees,
      net: (s?.net ?? 0n) + r.net,
    });
  }
  return [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
};
