import type { Command } from 'commander';
import { type AuditScope, loadAuditTrail } from '@pos/reconciliation-application';
import { auditExportLines, auditExportSummary, dayReport } from '@pos/reconciliation-domain';
import { EXIT, usage } from '../cli/errors';
import * as parse from '../cli/options';
import { emit, jsonText } from '../cli/output';
import { withContext } from '../cli/run';
import { dayReportToCsv, dayReportToText, exportLinesToCsv, exportLinesToTable } from '../format';

interface TrailOptions {
  readonly terminal?: string;
  readonly merchant?: string;
  readonly businessDay: string;
  readonly batch?: string;
  readonly format: parse.Format;
  readonly output?: string;
}

const scopeOf = (o: TrailOptions): AuditScope => {
  if (o.terminal && o.merchant) throw usage('OPTIONS_CONFLICT', 'give --terminal or --merchant, not both');
  if (o.batch && !o.terminal) throw usage('OPTIONS_CONFLICT', '--batch needs --terminal (batch numbers are per terminal)');
  if (o.terminal) return o.batch ? { kind: 'batch', terminalId: o.terminal, businessDay: o.businessDay, batchNo: o.batch } : { kind: 'terminal-day', terminalId: o.terminal, businessDay: o.businessDay };
  if (o.merchant) return { kind: 'merchant-day', merchantId: o.merchant, businessDay: o.businessDay };
  throw usage('OPTIONS_MISSING', 'give --terminal (optionally with --batch) or --merchant');
};

const describeScope = (s: AuditScope) =>
  s.kind === 'batch' ? `terminal ${s.terminalId} batch ${s.batchNo} on ${s.businessDay}`
    : s.kind === 'terminal-day' ? `terminal ${s.terminalId} on ${s.businessDay}`
      : s.kind === 'merchant-day' ? `merchant ${s.merchantId} on ${s.businessDay}` : `business day ${s.businessDay}`;

const formatOption = (c: Command, what: string) =>
  c.option('--format <format>', `${what}: table, csv or json`, parse.format, 'table').option('--output <file>', 'write to a file instead of stdout');

export const registerTrailCommands = (program: Command): void => {
  formatOption(
    program
      .command('trail')
      .description('export the audit trail of a terminal and day, one batch of it, or a merchant and day: every event in order with actor, time, hash and the running settlement totals before and after')
      .requiredOption('--business-day <day>', 'YYYY-MM-DD', parse.businessDay)
      .option('--terminal <id>', 'one terminal', parse.terminalId)
      .option('--batch <no>', "only this batch of the terminal's day", parse.batchNo)
      .option('--merchant <id>', 'every terminal of a merchant, merged in the order events occurred', parse.merchantId),
    'output',
  )
    .addHelpText('after', '\nReads the live audit-trail projection (see `projections`). Exit code 2 when the scope has no trail.')
    .action(async (o: TrailOptions, cmd: Command) => {
      const scope = scopeOf(o);
      await withContext(cmd, ['reconciliation'], async (ctx) => {
        const entries = await loadAuditTrail(ctx.store('reconciliation'), scope);
        if (entries.length === 0) throw usage('TRAIL_NOT_FOUND', `no audit trail for ${describeScope(scope)}`);
        const lines = auditExportLines(entries);
        if (o.format === 'json') emit(jsonText({ scope, summary: auditExportSummary(lines), lines }), o.output);
        else if (o.format === 'csv') emit(exportLinesToCsv(lines), o.output);
        else emit(`audit trail of ${describeScope(scope)}\n${exportLinesToTable(lines)}`, o.output);
        return EXIT.OK;
      });
    });

  formatOption(
    program
      .command('report')
      .description("a business day's report for the finance team: every batch balanced or unbalanced with its differences, fees, net, payouts and journal check, per merchant and overall")
      .requiredOption('--business-day <day>', 'YYYY-MM-DD', parse.businessDay)
      .option('--merchant <id>', 'one merchant only', parse.merchantId),
    'output (table is the readable report)',
  )
    .addHelpText('after', '\nExit code 0 when the day is clean, 1 when the report lists anomalies (open or unsettled batches, unbalanced journals, missing payouts...), 2 when the day has no trail.')
    .action(async (o: TrailOptions, cmd: Command) => {
      await withContext(cmd, ['reconciliation'], async (ctx) => {
        const scope: AuditScope = o.merchant ? { kind: 'merchant-day', merchantId: o.merchant, businessDay: o.businessDay } : { kind: 'day', businessDay: o.businessDay };
        const entries = await loadAuditTrail(ctx.store('reconciliation'), scope);
        if (entries.length === 0) throw usage(o.merchant ? 'TRAIL_NOT_FOUND' : 'DAY_UNKNOWN', `no audit trail for ${describeScope(scope)}`);
        const report = dayReport(entries, { businessDay: o.businessDay, merchantId: o.merchant });
        emit(o.format === 'json' ? jsonText(report) : o.format === 'csv' ? dayReportToCsv(report) : dayReportToText(report), o.output);
        return report.ok ? EXIT.OK : EXIT.FINDINGS;
      });
    });
};
