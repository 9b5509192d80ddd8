#!/usr/bin/env node
/**
 * Terminal simulator: drives N POS terminals through a business day against the ledger's
 * HTTP API or its ISO 8583 front (--protocol iso8583) and checks the ledger against its own record.
 * Exit code: 0 match, 1 mismatch, 2 errors.
 */
import { parseCli, USAGE } from './cli-args';
import { formatTotalsTable } from './compare';
import { runDay, type DayReport } from './simulate-day';

const toJson = (report: DayReport): string =>
  JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

const printHuman = (r: DayReport): void => {
  const out = (s = '') => process.stdout.write(`${s}\n`);
  out();
  out(`business day ${r.businessDay || '?'}  seed ${r.seed}  terminals ${r.terminalsCompleted}/${r.terminals} (${r.unbalancedTerminals} unbalanced)`);
  out(`transactions ${r.transactions}: ${r.sales} sales, ${r.voids} voids, ${r.refunds} refunds, ${r.reversals} reversals; ${r.offlineSales} offline sales; ${r.retries} retries checked`);
  out();
  if (r.expected.length || r.actual.length) {
    out(formatTotalsTable(r.expected, r.actual));
    out();
  }
  out(`settlements checked ${r.settlementsChecked}, journals balanced: ${r.journalsBalanced ? 'yes' : 'NO'}`);
  if (r.errors.length) {
    out(`errors (${r.errors.length}):`);
    for (const e of r.errors) out(`  ${e}`);
  }
  if (r.mismatches.length) {
    out(`mismatches (${r.mismatches.length}):`);
    for (const m of r.mismatches.slice(0, 200)) out(`  ${m}`);
    if (r.mismatches.length > 200) out(`  ... ${r.mismatches.length - 200} more (use --json for all)`);
  }
  out(`${r.transactionsPerSecond} transactions/s over ${r.protocol === 'iso8583' ? 'ISO 8583' : 'HTTP'} (trading ${r.tradingMs} ms, whole run ${r.durationMs} ms, ${r.requests} HTTP requests${r.protocol === 'iso8583' ? `, ${r.isoMessages} ISO 8583 messages` : ''})`);
  out(r.errors.length ? 'RESULT: ERRORS (the day did not complete)' : r.ok ? 'RESULT: ledger matches the record' : 'RESULT: MISMATCH');
};

const main = async (): Promise<number> => {
  let cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const report = await runDay({ ...cli.run, log: (line) => process.stderr.write(`${line}\n`) });
  if (cli.json) process.stdout.write(`${toJson(report)}\n`);
  else printHuman(report);
  if (report.errors.length > 0) return 2;
  return report.ok ? 0 : 1;
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`simulator failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
