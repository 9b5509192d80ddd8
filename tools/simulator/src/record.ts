/**
 * The simulator's own record of the day, computed independently of the ledger's code:
 * it imports nothing from the ledger, so a bug there cannot hide here.
 *
 * Fee rule (the ledger's default pricing): per transaction, HALF_UP, BANK_CARD 60 bps,
 * QR 38 bps. A voided sale pays no fee; reversed sales do not exist; refunds keep the
 * fee unless the plan says refundReturnsFee.
 */
import type { JournalEntry, Method } from './batch';

export interface TotalsRow {
  readonly merchantId: string;
  readonly terminalId: string;
  readonly businessDay: string;
  readonly method: string;
  readonly currency: string;
  readonly salesCount: number;
  readonly salesAmount: bigint;
  readonly voidsCount: number;
  readonly voidsAmount: bigint;
  readonly refundsCount: number;
  readonly refundsAmount: bigint;
  readonly reversalsCount: number;
  /** sales - voids - refunds */
  readonly gross: bigint;
  readonly fees: bigint;
  /** gross - fees */
  readonly net: bigint;
  readonly settledBatches: number;
}

export const COUNT_FIELDS = ['salesCount', 'voidsCount', 'refundsCount', 'reversalsCount', 'settledBatches'] as const;
export const AMOUNT_FIELDS = ['salesAmount', 'voidsAmount', 'refundsAmount', 'gross', 'fees', 'net'] as const;

export interface Pricing {
  readonly mdrBps: Readonly<Record<Method, number>>;
  readonly refundReturnsFee: boolean;
}

export const DEFAULT_PRICING: Pricing = { mdrBps: { BANK_CARD: 60, QR: 38 }, refundReturnsFee: false };

/**
 * Fee of one transaction: amount * bps / 10000, rounded half-up, as
 * (amount * bps * 2 + 10000) / 20000 in bigint (floor division; amount >= 0).
 */
export const feeOf = (amount: bigint, bps: number): bigint => {
  if (amount < 0n) throw new RangeError('fee of a negative amount');
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) throw new RangeError(`bps ${bps} out of range`);
  return (amount * BigInt(bps) * 2n + 10_000n) / 20_000n;
};

/** One terminal's settled day: who it is and its journal (with final voided/refunded/reversed flags). */
export interface TerminalJournal {
  readonly merchantId: string;
  readonly terminalId: string;
  readonly entries: readonly JournalEntry[];
  /** Batches the host closed for this terminal (a row counts each batch it has entries in). */
  readonly settledBatchNos: readonly string[];
}

interface MutableRow {
  merchantId: string;
  terminalId: string;
  businessDay: string;
  method: string;
  currency: string;
  salesCount: number;
  salesAmount: bigint;
  voidsCount: number;
  voidsAmount: bigint;
  refundsCount: number;
  refundsAmount: bigint;
  reversalsCount: number;
  fees: bigint;
  batches: Set<string>;
}

export const rowKey = (r: Pick<TotalsRow, 'merchantId' | 'terminalId' | 'businessDay' | 'method' | 'currency'>): string =>
  `${r.merchantId}/${r.terminalId}/${r.businessDay}/${r.method}/${r.currency}`;

/** The expected daily-totals rows, per (merchant, terminal, business day, method, currency). */
export const buildRecord = (terminals: readonly TerminalJournal[], pricing: Pricing = DEFAULT_PRICING): TotalsRow[] => {
  const rows = new Map<string, MutableRow>();
  for (const t of terminals) {
    const settled = new Set(t.settledBatchNos);
    for (const e of t.entries) {
      const id = { merchantId: t.merchantId, terminalId: t.terminalId, businessDay: e.businessDay, method: e.method, currency: e.currency };
      const key = rowKey(id);
      let row = rows.get(key);
      if (!row) {
        row = { ...id, salesCount: 0, salesAmount: 0n, voidsCount: 0, voidsAmount: 0n, refundsCount: 0, refundsAmount: 0n, reversalsCount: 0, fees: 0n, batches: new Set() };
        rows.set(key, row);
      }
      if (settled.has(e.batchNo)) row.batches.add(e.batchNo);
      const bps = pricing.mdrBps[e.method];
      switch (e.kind) {
        case 'SALE':
          if (e.reversed) {
            row.reversalsCount++;
            break;
          }
          row.salesCount++;
          row.salesAmount += e.amount;
          if (!e.voided) row.fees += feeOf(e.amount, bps);
          break;
        case 'VOID':
          row.voidsCount++;
          row.voidsAmount += e.amount;
          break;
        case 'REFUND':
          row.refundsCount++;
          row.refundsAmount += e.amount;
          if (pricing.refundReturnsFee) row.fees -= feeOf(e.amount, bps);
          break;
      }
    }
  }
  return [...rows.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, r]) => {
      const gross = r.salesAmount - r.voidsAmount - r.refundsAmount;
      const { batches, ...rest } = r;
      return { ...rest, gross, net: gross - r.fees, settledBatches: batches.size };
    });
};
