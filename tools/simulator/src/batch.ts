/**
 * The terminal's own journal of its open batch: what it believes happened, from which it
 * computes its settlement totals and its batch upload. Pure data, no I/O.
 */
export type Method = 'BANK_CARD' | 'QR';

export interface SaleEntry {
  readonly kind: 'SALE';
  readonly stan: string;
  readonly batchNo: string;
  readonly businessDay: string;
  readonly method: Method;
  readonly amount: bigint;
  readonly currency: string;
  /** Host reference; absent for an offline sale until the host books it in the batch upload. */
  rrn?: string;
  /** Held by the terminal, never sent online (only uploaded after an unbalanced settlement). */
  readonly offline: boolean;
  voided: boolean;
  /** Total refunded so far, minor units. */
  refunded: bigint;
  reversed: boolean;
}

export interface CreditEntry {
  readonly kind: 'VOID' | 'REFUND';
  readonly stan: string;
  readonly batchNo: string;
  readonly businessDay: string;
  /** The original sale's method. */
  readonly method: Method;
  readonly amount: bigint;
  readonly currency: string;
  readonly rrn: string;
  readonly originalRrn: string;
}

export type JournalEntry = SaleEntry | CreditEntry;

export interface SettlementTotals {
  readonly currency: string;
  readonly debitCount: number;
  readonly debitAmount: bigint;
  readonly creditCount: number;
  readonly creditAmount: bigint;
}

export interface UploadItem {
  readonly stan: string;
  readonly kind: 'SALE' | 'VOID' | 'REFUND';
  readonly method: Method;
  readonly amount: bigint;
  readonly currency: string;
  readonly rrn?: string;
  readonly originalRrn?: string;
}

/** A sale that still counts: reversed sales are excluded everywhere. Voided sales still count as debits. */
const survives = (e: JournalEntry): boolean => !(e.kind === 'SALE' && e.reversed);

/**
 * The terminal's totals per currency: debits = sales (including sales later voided, and
 * offline sales), credits = voids + refunds; reversed sales excluded.
 */
export const terminalTotals = (entries: readonly JournalEntry[]): SettlementTotals[] => {
  const by = new Map<string, { debitCount: number; debitAmount: bigint; creditCount: number; creditAmount: bigint }>();
  for (const e of entries) {
    if (!survives(e)) continue;
    const t = by.get(e.currency) ?? { debitCount: 0, debitAmount: 0n, creditCount: 0, creditAmount: 0n };
    if (e.kind === 'SALE') {
      t.debitCount++;
      t.debitAmount += e.amount;
    } else {
      t.creditCount++;
      t.creditAmount += e.amount;
    }
    by.set(e.currency, t);
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, t]) => ({ currency, ...t }));
};

/** Every surviving transaction of the batch, in journal (STAN) order, as the batch upload carries it. */
export const uploadItems = (entries: readonly JournalEntry[]): UploadItem[] =>
  entries
    .filter(survives)
    .map((e) =>
      e.kind === 'SALE'
        ? { stan: e.stan, kind: 'SALE', method: e.method, amount: e.amount, currency: e.currency, ...(e.rrn ? { rrn: e.rrn } : {}) }
        : { stan: e.stan, kind: e.kind, method: e.method, amount: e.amount, currency: e.currency, rrn: e.rrn, originalRrn: e.originalRrn },
    );

export const chunk = <T>(items: readonly T[], size: number): T[][] => {
  if (size < 1) throw new RangeError('chunk size must be positive');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};
