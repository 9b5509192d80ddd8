import type { BatchTotals } from '@pos/contracts';
import type { CurrencyCode } from '@pos/money';

export interface CountedTransaction {
  readonly kind: 'SALE' | 'VOID' | 'REFUND';
  readonly amount: bigint;
  readonly currency: CurrencyCode;
  readonly reversed: boolean;
}

/** Debits: sales (including sales later voided). Credits: voids and refunds. Reversed ones are excluded. */
export const totalsOf = (transactions: Iterable<CountedTransaction>): BatchTotals[] => {
  const by = new Map<CurrencyCode, { debitCount: number; debitAmount: bigint; creditCount: number; creditAmount: bigint }>();
  for (const t of transactions) {
    if (t.reversed) continue;
    const row = by.get(t.currency) ?? { debitCount: 0, debitAmount: 0n, creditCount: 0, creditAmount: 0n };
    if (t.kind === 'SALE') {
      row.debitCount += 1;
      row.debitAmount += t.amount;
    } else {
      row.creditCount += 1;
      row.creditAmount += t.amount;
    }
    by.set(t.currency, row);
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, r]) => ({ currency, ...r }));
};

const isZero = (t: BatchTotals) => t.debitCount === 0 && t.creditCount === 0 && t.debitAmount === 0n && t.creditAmount === 0n;

/** Totals equal currency by currency; a currency absent on one side counts as zero. */
export const totalsEqual = (a: readonly BatchTotals[], b: readonly BatchTotals[]): boolean => {
  const key = (t: BatchTotals) => `${t.debitCount}/${t.debitAmount}/${t.creditCount}/${t.creditAmount}`;
  const left = new Map(a.filter((t) => !isZero(t)).map((t) => [t.currency, key(t)]));
  const right = new Map(b.filter((t) => !isZero(t)).map((t) => [t.currency, key(t)]));
  return left.size === right.size && [...left].every(([c, k]) => right.get(c) === k);
};

/** Currencies whose totals differ, for the differences recorded at close. */
export const currenciesDiffering = (terminal: readonly BatchTotals[], host: readonly BatchTotals[]): CurrencyCode[] => {
  const currencies = new Set([...terminal, ...host].map((t) => t.currency));
  return [...currencies].filter((c) => !totalsEqual(terminal.filter((t) => t.currency === c), host.filter((t) => t.currency === c))).sort();
};
