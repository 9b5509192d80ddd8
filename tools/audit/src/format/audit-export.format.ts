import { type AuditExportLine, auditExportSummary, type RunningTotals, totalsIn } from '@pos/reconciliation-domain';
import { formatMoney, isCurrencyCode } from '@pos/money';
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';

/**
 * The audit trail export as CSV (for spreadsheets and auditors) and as a fixed-width text
 * table (for a terminal's day on screen). Amounts stay exact: minor units as integers,
 * decimals derived from the currency's exponent, never through floating point.
 */

/** Minor units as a decimal in the currency's exponent, e.g. 12345n CNY -> "123.45"; blank for an unknown currency. */
export const decimalOf = (amount: bigint, currency: string | undefined): string =>
  currency !== undefined && isCurrencyCode(currency) ? formatMoney({ amount, currency }).slice(0, -(currency.length + 1)) : '';

/** Two CSV cells for an amount: minor units, then the decimal. */
export const amountCells = (amount: bigint | undefined, currency: string | undefined): [string, string] =>
  amount === undefined ? ['', ''] : [amount.toString(), decimalOf(amount, currency)];

/** Header names for the two cells of an amount. */
export const amountHeader = (name: string): [string, string] => [`${name}_minor`, name];

export const csvText = (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string => stringify([[...header], ...rows.map((r) => [...r])]);

const TOTALS_HEADER = (when: 'before' | 'after') => [
  `${when}_debit_count`, ...amountHeader(`${when}_debit_amount`), `${when}_credit_count`, ...amountHeader(`${when}_credit_amount`), ...amountHeader(`${when}_net`),
];

const totalsCells = (t: RunningTotals | undefined): string[] =>
  t
    ? [String(t.debitCount), ...amountCells(t.debitAmount, t.currency), String(t.creditCount), ...amountCells(t.creditAmount, t.currency), ...amountCells(t.net, t.currency)]
    : ['', '', '', '', '', '', '', ''];

const eventAmount = (l: AuditExportLine): bigint | undefined => (l.amount === undefined ? undefined : BigInt(l.amount));

/** `+DEBIT` for a sale, `+CREDIT` for a void or refund, `-…` for a reversal; blank when the event moves no money. */
const effectOf = (l: AuditExportLine): string => (l.movement ? `${l.movement.count > 0 ? '+' : '-'}${l.movement.side}` : '');

export const EXPORT_CSV_HEADER: readonly string[] = [
  'seq', 'occurred_at', 'type', 'actor', 'merchant_id', 'terminal_id', 'business_day', 'batch_no', 'stan', 'rrn', 'kind', 'method',
  ...amountHeader('amount'), 'currency', 'effect', ...TOTALS_HEADER('before'), ...TOTALS_HEADER('after'),
  'stream_id', 'version', 'event_id', 'hash', 'prev_hash',
];

/**
 * One header row, then one row per line. Running totals are given for the event's currency
 * only, and only when the event moves money (blank otherwise).
 */
export const exportLinesToCsv = (lines: readonly AuditExportLine[]): string =>
  csvText(
    EXPORT_CSV_HEADER,
    lines.map((l) => {
      const moved = l.movement?.currency;
      return [
        String(l.seq), l.occurredAt, l.type, l.actor, l.merchantId ?? '', l.terminalId, l.businessDay, l.batchNo ?? '', l.stan ?? '', l.rrn ?? '',
        l.kind ?? '', l.method ?? '', ...amountCells(eventAmount(l), l.currency), l.currency ?? '', effectOf(l),
        ...totalsCells(moved && totalsIn(l.before, moved)), ...totalsCells(moved && totalsIn(l.after, moved)),
        l.streamId, String(l.version), l.eventId, l.hash, l.prevHash,
      ];
    }),
  );

const withCurrency = (amount: bigint, currency: string): string => `${decimalOf(amount, currency)} ${currency}`;

/** `CNY debits 3 / 395.50, credits 2 / 280.50, net 115.00` */
export const totalsText = (t: RunningTotals): string =>
  `${t.currency} debits ${t.debitCount} / ${decimalOf(t.debitAmount, t.currency)}, credits ${t.creditCount} / ${decimalOf(t.creditAmount, t.currency)}, net ${decimalOf(t.net, t.currency)}`;

/**
 * A fixed-width table of the lines (a terminal's day on screen): what happened, the amount,
 * and the running totals of the event's currency after each money-moving event; then the
 * event count and the final totals per currency.
 */
export const exportLinesToTable = (lines: readonly AuditExportLine[]): string => {
  const table = new Table({
    head: ['#', 'occurred at', 'event', 'actor', 'batch', 'stan', 'rrn', 'kind', 'method', 'amount', 'effect', 'debits', 'credits', 'net'],
    colAligns: ['right', 'left', 'left', 'left', 'left', 'left', 'left', 'left', 'left', 'right', 'left', 'right', 'right', 'right'],
    style: { head: [], border: [], compact: true },
  });
  for (const l of lines) {
    const amount = eventAmount(l);
    const after = l.movement && totalsIn(l.after, l.movement.currency);
    table.push([
      String(l.seq), l.occurredAt, l.type, l.actor, l.batchNo ?? '', l.stan ?? '', l.rrn ?? '', l.kind ?? '', l.method ?? '',
      amount !== undefined && l.currency ? withCurrency(amount, l.currency) : (l.amount ?? ''),
      effectOf(l),
      after ? `${after.debitCount} / ${decimalOf(after.debitAmount, after.currency)}` : '',
      after ? `${after.creditCount} / ${decimalOf(after.creditAmount, after.currency)}` : '',
      after ? withCurrency(after.net, after.currency) : '',
    ]);
  }
  const summary = auditExportSummary(lines);
  const footer = [`${summary.eventCount} event(s)`, ...summary.totals.map(totalsText)];
  return `${table.toString()}\n${footer.join('\n')}\n`;
};
