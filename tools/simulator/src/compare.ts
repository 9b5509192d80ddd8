/**
 * Compares the ledger's figures with the simulator's record, field by field, and prints
 * both sides. Pure functions.
 */
import { formatMoney, isCurrencyCode } from '@pos/money';
import type { Settlement } from './api-client';
import { AMOUNT_FIELDS, COUNT_FIELDS, rowKey, type TotalsRow } from './record';

const fmt = (amount: bigint, currency: string): string =>
  isCurrencyCode(currency) ? formatMoney({ amount, currency }) : `${amount} ${currency}`;

const zeroLike = (r: TotalsRow): TotalsRow => ({
  ...r,
  salesCount: 0,
  salesAmount: 0n,
  voidsCount: 0,
  voidsAmount: 0n,
  refundsCount: 0,
  refundsAmount: 0n,
  reversalsCount: 0,
  gross: 0n,
  fees: 0n,
  net: 0n,
  settledBatches: 0,
});

/** Every difference between expected and actual rows, one line each. Empty: they agree. */
export const compareRows = (expected: readonly TotalsRow[], actual: readonly TotalsRow[]): string[] => {
  const out: string[] = [];
  const exp = new Map(expected.map((r) => [rowKey(r), r]));
  const act = new Map<string, TotalsRow>();
  for (const r of actual) {
    const k = rowKey(r);
    if (act.has(k)) out.push(`daily totals: duplicate row ${k}`);
    act.set(k, r);
  }
  const keys = [...new Set([...exp.keys(), ...act.keys()])].sort();
  for (const k of keys) {
    const e = exp.get(k);
    const a = act.get(k);
    if (!a && e) out.push(`daily totals: row ${k} missing in the ledger`);
    if (!e && a) out.push(`daily totals: row ${k} in the ledger but not in the record`);
    const ee = e ?? zeroLike(a as TotalsRow);
    const aa = a ?? zeroLike(ee);
    for (const f of COUNT_FIELDS) {
      if (ee[f] !== aa[f]) out.push(`daily totals ${k}: ${f} expected ${ee[f]}, ledger ${aa[f]}`);
    }
    for (const f of AMOUNT_FIELDS) {
      if (ee[f] !== aa[f]) out.push(`daily totals ${k}: ${f} expected ${fmt(ee[f], ee.currency)} (${ee[f]}), ledger ${fmt(aa[f], aa.currency)} (${aa[f]})`);
    }
  }
  return out;
};

/** Sum DEBIT == sum CREDIT per currency in one settlement's journal. */
export const postingsImbalance = (s: Settlement): string[] => {
  const out: string[] = [];
  const by = new Map<string, { debit: bigint; credit: bigint }>();
  for (const p of s.postings) {
    const t = by.get(p.currency) ?? { debit: 0n, credit: 0n };
    if (p.amount < 0n) out.push(`settlement ${s.settlementId} (${s.terminalId} batch ${s.batchNo}): negative posting ${p.account} ${p.side} ${p.amount}`);
    if (p.side === 'DEBIT') t.debit += p.amount;
    else if (p.side === 'CREDIT') t.credit += p.amount;
    else out.push(`settlement ${s.settlementId} (${s.terminalId} batch ${s.batchNo}): posting side ${p.side}`);
    by.set(p.currency, t);
  }
  for (const [currency, t] of by) {
    if (t.debit !== t.credit) {
      out.push(`settlement ${s.settlementId} (${s.terminalId} batch ${s.batchNo}): ${currency} debits ${fmt(t.debit, currency)} != credits ${fmt(t.credit, currency)}`);
    }
  }
  const moves = s.lines.some((l) => l.gross !== 0n || l.fees !== 0n);
  if (moves && s.postings.length === 0) out.push(`settlement ${s.settlementId} (${s.terminalId} batch ${s.batchNo}): no journal postings`);
  return out;
};

/** A settlement's lines against the record's rows of that terminal (summed over the day, by method and currency). */
export const compareSettlementLines = (terminalId: string, settlementsOfDay: readonly Settlement[], expected: readonly TotalsRow[]): string[] => {
  const out: string[] = [];
  const sum = new Map<string, Record<string, bigint>>();
  const fields = ['salesCount', 'salesAmount', 'voidsCount', 'voidsAmount', 'refundsCount', 'refundsAmount', 'gross', 'fees', 'net'] as const;
  const add = (k: string, src: Record<(typeof fields)[number], bigint | number>) => {
    const t = sum.get(k) ?? Object.fromEntries(fields.map((f) => [f, 0n]));
    for (const f of fields) t[f] = (t[f] ?? 0n) + BigInt(src[f]);
    sum.set(k, t);
  };
  const actual = new Map<string, Record<string, bigint>>();
  for (const s of settlementsOfDay) for (const l of s.lines) add(`${l.method}/${l.currency}`, l);
  for (const [k, v] of sum) actual.set(k, v);
  sum.clear();
  for (const r of expected) if (r.terminalId === terminalId) add(`${r.method}/${r.currency}`, r);
  const keys = [...new Set([...actual.keys(), ...sum.keys()])].sort();
  for (const k of keys) {
    const e = sum.get(k) ?? {};
    const a = actual.get(k) ?? {};
    // A method with no sales, voids or refunds (only reversals) may have no line.
    for (const f of fields) {
      const ev = e[f] ?? 0n;
      const av = a[f] ?? 0n;
      if (ev !== av) out.push(`settlement lines ${terminalId} ${k}: ${f} expected ${ev}, ledger ${av}`);
    }
  }
  return out;
};

// ---------- printing ----------

interface Summary {
  salesCount: number;
  salesAmount: bigint;
  voidsCount: number;
  voidsAmount: bigint;
  refundsCount: number;
  refundsAmount: bigint;
  gross: bigint;
  fees: bigint;
  net: bigint;
}

const summarize = (rows: readonly TotalsRow[], keyOf: (r: TotalsRow) => string): Map<string, Summary> => {
  const out = new Map<string, Summary>();
  for (const r of rows) {
    const k = keyOf(r);
    const s = out.get(k) ?? { salesCount: 0, salesAmount: 0n, voidsCount: 0, voidsAmount: 0n, refundsCount: 0, refundsAmount: 0n, gross: 0n, fees: 0n, net: 0n };
    s.salesCount += r.salesCount;
    s.salesAmount += r.salesAmount;
    s.voidsCount += r.voidsCount;
    s.voidsAmount += r.voidsAmount;
    s.refundsCount += r.refundsCount;
    s.refundsAmount += r.refundsAmount;
    s.gross += r.gross;
    s.fees += r.fees;
    s.net += r.net;
    out.set(k, s);
  }
  return out;
};

const sameSummary = (a?: Summary, b?: Summary): boolean =>
  !!a && !!b && (Object.keys(a) as (keyof Summary)[]).every((f) => a[f] === b[f]);

const renderTable = (header: readonly string[], body: readonly string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
};

/** Per-merchant and grand totals, expected vs ledger, one pair of lines per merchant and currency. */
export const formatTotalsTable = (expected: readonly TotalsRow[], actual: readonly TotalsRow[]): string => {
  const header = ['merchant', 'currency', 'side', 'sales', 'sales amount', 'voids', 'voids amount', 'refunds', 'refunds amount', 'gross', 'fees', 'net', ''];
  const body: string[][] = [];
  const emit = (label: string, e: Map<string, Summary>, a: Map<string, Summary>) => {
    for (const k of [...new Set([...e.keys(), ...a.keys()])].sort()) {
      const [first, currency = ''] = k.split('|');
      const ok = sameSummary(e.get(k), a.get(k));
      for (const [side, s] of [['expected', e.get(k)], ['ledger', a.get(k)]] as const) {
        body.push([
          label || (first ?? ''),
          currency,
          side,
          s ? String(s.salesCount) : '-',
          s ? fmt(s.salesAmount, currency) : '-',
          s ? String(s.voidsCount) : '-',
          s ? fmt(s.voidsAmount, currency) : '-',
          s ? String(s.refundsCount) : '-',
          s ? fmt(s.refundsAmount, currency) : '-',
          s ? fmt(s.gross, currency) : '-',
          s ? fmt(s.fees, currency) : '-',
          s ? fmt(s.net, currency) : '-',
          side === 'ledger' ? (ok ? 'ok' : 'MISMATCH') : '',
        ]);
      }
    }
  };
  emit('', summarize(expected, (r) => `${r.merchantId}|${r.currency}`), summarize(actual, (r) => `${r.merchantId}|${r.currency}`));
  emit('TOTAL', summarize(expected, (r) => `TOTAL|${r.currency}`), summarize(actual, (r) => `TOTAL|${r.currency}`));
  return renderTable(header, body);
};
