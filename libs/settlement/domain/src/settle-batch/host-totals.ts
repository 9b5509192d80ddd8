import type { BatchTotals } from '@pos/contracts';
import type { CurrencyCode } from '@pos/money';
import { liveTransactions, type PendingBatch } from './pending-batch';

const zeroTotals = (currency: CurrencyCode): BatchTotals => ({
  currency,
  debitCount: 0,
  debitAmount: 0n,
  creditCount: 0,
  creditAmount: 0n,
});

const byCurrency = (a: { currency: string }, b: { currency: string }): number =>
  a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0;

/**
 * The host's settlement totals for the batch, per currency (sorted by currency):
 * debits = sales (including sales later voided), credits = voids and refunds.
 * Reversed transactions are excluded.
 */
export const hostTotalsOf = (batch: PendingBatch): BatchTotals[] => {
  const totals = new Map<CurrencyCode, BatchTotals>();
  for (const t of liveTransactions(batch)) {
    const cur = totals.get(t.currency) ?? zeroTotals(t.currency);
    totals.set(
      t.currency,
      t.kind === 'SALE'
        ? { ...cur, debitCount: cur.debitCount + 1, debitAmount: cur.debitAmount + t.amount }
        : { ...cur, creditCount: cur.creditCount + 1, creditAmount: cur.creditAmount + t.amount },
    );
  }
  return [...totals.values()].sort(byCurrency);
};

/** Totals keyed by currency; a currency listed twice is added up. */
const normalise = (totals: readonly BatchTotals[]): Map<CurrencyCode, BatchTotals> => {
  const map = new Map<CurrencyCode, BatchTotals>();
  for (const t of totals) {
    const cur = map.get(t.currency) ?? zeroTotals(t.currency);
    map.set(t.currency, {
      currency: t.currency,
      debitCount: cur.debitCount + t.debitCount,
      debitAmount: cur.debitAmount + t.debitAmount,
      creditCount: cur.creditCount + t.creditCount,
      creditAmount: cur.creditAmount + t.creditAmount,
    });
  }
  return map;
};

/**
 * Whether two sets of totals agree: same counts and amounts per currency, a currency
 * missing on one side counting as zero totals.
 */
export const totalsAgree = (expected: readonly BatchTotals[], actual: readonly BatchTotals[]): boolean => {
  const e = normalise(expected);
  const a = normalise(actual);
  for (const currency of new Set([...e.keys(), ...a.keys()])) {
    const x = e.get(currency) ?? zeroTotals(currency);
    const y = a.get(currency) ?? zeroTotals(currency);
    if (
      x.debitCount !== y.debitCount ||
      x.debitAmount !== y.debitAmount ||
      x.creditCount !== y.creditCount ||
      x.creditAmount !== y.creditAmount
    ) {
      return false;
    }
  }
  return true;
};
