import type { BatchDifference, BatchTotals, SettlementLine } from '@pos/contracts';
import { formatMoney } from '@pos/money';
import type { DayCurrencyTotals, DayReport, DayReportAnomaly, DayReportBatch, DayReportMerchant } from '@pos/reconciliation-domain';
import { amountCells, amountHeader, csvText, decimalOf } from './audit-export.format';

/**
 * The finance day report as readable text (anomalies first, then merchant by merchant,
 * terminal by terminal, batch by batch) and as CSV (one row per batch and currency).
 */

const sides = (t: BatchTotals): string =>
  `debits ${t.debitCount} / ${decimalOf(t.debitAmount, t.currency)}, credits ${t.creditCount} / ${decimalOf(t.creditAmount, t.currency)}`;

const optionalAmount = (amount: bigint | undefined, currency: string): string => (amount === undefined ? '-' : decimalOf(amount, currency));

const anomalyText = (a: DayReportAnomaly): string => `! ${a.code}: ${a.message}`;

const dayTotalsText = (t: DayCurrencyTotals): string =>
  `${t.currency}  batches ${t.batches} (balanced ${t.balanced}, unbalanced ${t.unbalanced}), open ${t.open}  ` +
  `gross ${decimalOf(t.gross, t.currency)}  fees ${decimalOf(t.fees, t.currency)}  net ${decimalOf(t.net, t.currency)}  ` +
  `payouts ${t.payoutCount}: ${decimalOf(t.payouts, t.currency)}`;

const differenceText = (d: BatchDifference): string =>
  [
    d.kind,
    d.currency,
    d.stan ? `stan ${d.stan}` : '',
    d.rrn ? `rrn ${d.rrn}` : '',
    `host ${optionalAmount(d.hostAmount, d.currency)}`,
    `terminal ${optionalAmount(d.terminalAmount, d.currency)}:`,
    d.note,
  ]
    .filter(Boolean)
    .join(' ');

const settlementLineText = (l: SettlementLine): string =>
  `${l.currency} ${l.method} ${l.mdrBps} bps: sales ${l.salesCount} / ${decimalOf(l.salesAmount, l.currency)}, ` +
  `voids ${l.voidsCount} / ${decimalOf(l.voidsAmount, l.currency)}, refunds ${l.refundsCount} / ${decimalOf(l.refundsAmount, l.currency)}, ` +
  `gross ${decimalOf(l.gross, l.currency)}, fees ${decimalOf(l.fees, l.currency)}, net ${decimalOf(l.net, l.currency)}`;

const batchText = (b: DayReportBatch): string[] => {
  const out = [
    b.status === 'CLOSED'
      ? `    Batch ${b.batchNo}: closed ${b.result} at ${b.closedAt}, ${b.transactionCount} transaction(s)`
      : `    Batch ${b.batchNo}: OPEN, ${b.transactionCount} transaction(s)`,
  ];
  for (const t of b.totals)
    out.push(
      t.terminal && t.host
        ? `      ${t.currency} terminal ${sides(t.terminal)} | host ${sides(t.host)} | ${t.agree ? 'agree' : 'DIFFER'}`
        : `      ${t.currency} so far ${sides(t.trail)}`,
    );
  if (b.differences.length > 0) out.push('      Differences:', ...b.differences.map((d) => `        ${differenceText(d)}`));
  const s = b.settlement;
  if (s) {
    out.push(
      `      Settlement ${s.settlementId} (${s.closeResult}) at ${s.settledAt}: plan ${s.pricingPlanId}, rounding ${s.roundingRule}, ` +
        `refund returns fee ${s.refundReturnsFee ? 'yes' : 'no'}, payout ${s.payoutSchedule} on ${s.payoutDate}`,
      ...s.totals.map((t) => `        ${t.currency} gross ${decimalOf(t.gross, t.currency)}, fees ${decimalOf(t.fees, t.currency)}, net ${decimalOf(t.net, t.currency)}`),
      ...s.lines.map((l) => `          ${settlementLineText(l)}`),
    );
  } else if (b.status === 'CLOSED') out.push('      Settlement: none');
  for (const j of b.journal)
    out.push(`      Journal ${j.currency}: debits ${decimalOf(j.debits, j.currency)}, credits ${decimalOf(j.credits, j.currency)}  ${j.ok ? 'OK' : 'NOT BALANCED'}`);
  for (const p of b.payouts) out.push(`      Payout ${p.payoutId ?? p.schedule}: ${formatMoney(p)} on ${p.payoutDate}`);
  if (s && b.payouts.length === 0) out.push('      Payouts: none');
  out.push(...b.anomalies.map((a) => `      ${anomalyText(a)}`));
  return out;
};

const merchantText = (m: DayReportMerchant): string[] => [
  '',
  `Merchant ${m.merchantId}: ${m.counts.terminals} terminal(s), ${m.counts.batches} batch(es), ${m.counts.closed} closed, ${m.counts.settled} settled, ${m.counts.open} open`,
  ...m.totals.map((t) => `  ${dayTotalsText(t)}`),
  ...m.terminals.flatMap((t) => [`  Terminal ${t.terminalId}`, ...(t.batches.length ? t.batches.flatMap(batchText) : ['    no batch'])]),
];

/** A readable report: status and anomalies at the top, day totals, then each merchant, terminal and batch. */
export const dayReportToText = (report: DayReport): string => {
  const lines = [
    `Day report ${report.businessDay}${report.merchantId ? `, merchant ${report.merchantId}` : ''}`,
    report.ok ? 'Status: OK, no anomalies' : `Status: ${report.anomalies.length} ${report.anomalies.length === 1 ? 'ANOMALY' : 'ANOMALIES'}`,
    ...report.anomalies.map((a) => `  ${anomalyText(a)}`),
    '',
    'Totals per currency:',
    ...(report.totals.length ? report.totals.map((t) => `  ${dayTotalsText(t)}`) : ['  none']),
    ...report.merchants.flatMap(merchantText),
  ];
  return `${lines.join('\n')}\n`;
};

export const DAY_REPORT_CSV_HEADER: readonly string[] = [
  'business_day', 'merchant_id', 'terminal_id', 'batch_no', 'status', 'closed_at', 'result', 'transaction_count', 'currency',
  'terminal_debit_count', ...amountHeader('terminal_debit_amount'), 'terminal_credit_count', ...amountHeader('terminal_credit_amount'),
  'host_debit_count', ...amountHeader('host_debit_amount'), 'host_credit_count', ...amountHeader('host_credit_amount'), 'totals_agree', 'differences',
  'settlement_id', 'pricing_plan', 'rounding_rule', ...amountHeader('gross'), ...amountHeader('fees'), ...amountHeader('net'),
  ...amountHeader('journal_debits'), ...amountHeader('journal_credits'), 'journal_ok', 'payout_count', ...amountHeader('payouts'), 'payout_date', 'anomalies',
];

const sideCells = (t: BatchTotals | undefined, currency: string): string[] =>
  t ? [String(t.debitCount), ...amountCells(t.debitAmount, currency), String(t.creditCount), ...amountCells(t.creditAmount, currency)] : ['', '', '', '', '', ''];

/** Every currency a batch touches: its totals, its settlement, its journal and its payouts; none for an empty batch. */
const currenciesOf = (b: DayReportBatch): (string | undefined)[] => {
  const all = [...new Set([...b.totals, ...(b.settlement?.totals ?? []), ...b.journal, ...b.payouts].map((x) => x.currency))].sort();
  return all.length ? all : [undefined];
};

const batchRows = (report: DayReport, b: DayReportBatch, merchantId: string): string[][] =>
  currenciesOf(b).map((currency) => {
    const c = currency ?? '';
    const totals = b.totals.find((t) => t.currency === currency);
    const settled = b.settlement?.totals.find((t) => t.currency === currency);
    const journal = b.journal.find((j) => j.currency === currency);
    const payouts = b.payouts.filter((p) => p.currency === currency);
    const anomalies = b.anomalies.filter((a) => a.currency === undefined || a.currency === currency);
    return [
      report.businessDay, merchantId, b.terminalId, b.batchNo, b.status, b.closedAt ?? '', b.result ?? '', String(b.transactionCount), c,
      ...sideCells(totals?.terminal, c), ...sideCells(totals?.host, c), totals?.terminal ? String(totals.agree) : '',
      String(b.differences.filter((d) => d.currency === currency).length),
      b.settlement?.settlementId ?? '', b.settlement?.pricingPlanId ?? '', b.settlement?.roundingRule ?? '',
      ...amountCells(settled?.gross, c), ...amountCells(settled?.fees, c), ...amountCells(settled?.net, c),
      ...amountCells(journal?.debits, c), ...amountCells(journal?.credits, c), journal ? String(journal.ok) : '',
      String(payouts.length), ...amountCells(payouts.length ? payouts.reduce((s, p) => s + p.amount, 0n) : undefined, c),
      [...new Set(payouts.map((p) => p.payoutDate))].join(' '), anomalies.map((a) => a.code).join(' '),
    ];
  });

/** One header row, then one row per batch and currency (a batch with no currency yet gets one row with a blank currency). */
export const dayReportToCsv = (report: DayReport): string =>
  csvText(
    DAY_REPORT_CSV_HEADER,
    report.merchants.flatMap((m) => m.terminals.flatMap((t) => t.batches.flatMap((b) => batchRows(report, b, m.merchantId)))),
  );
