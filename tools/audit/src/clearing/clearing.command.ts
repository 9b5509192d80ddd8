import { createReadStream, existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ClearingFileRejected, filesOfDay, importClearingFile, reconcileDay, changeBreak, reportInputs } from '@pos/reconciliation-application';
import { ageOf, BREAK_TYPES, type BreakState, DEFAULT_TOLERANCES, MANUAL_RESOLUTIONS, reconciliationReport } from '@pos/reconciliation-domain';
import type { BreakResolution } from '@pos/contracts';
import { formatMoney } from '@pos/money';
import { EXIT, usage } from '../cli/errors';
import * as parse from '../cli/options';
import { emit, fixed2, grid, jsonText, note, whole } from '../cli/output';
import { progress } from '../cli/progress';
import { withContext } from '../cli/run';

const actorOf = (o: { actor?: string }) => ({ type: 'admin' as const, id: o.actor ?? `ledger-audit:${userInfo().username}` });
const ctxOf = (o: { actor?: string }) => ({ actor: actorOf(o), now: () => new Date(), correlationId: `ledger-audit-${process.pid}-${Date.now()}` });

const minorUnits = (value: string): bigint => {
  if (!/^\d{1,12}$/.test(value)) throw new InvalidArgumentError(`expected a non-negative integer of minor units, got '${value}'`);
  return BigInt(value);
};
const seconds = (value: string): number => {
  if (!/^\d{1,6}$/.test(value)) throw new InvalidArgumentError(`expected whole seconds, got '${value}'`);
  return Number(value);
};
const breakId = (value: string): string => {
  if (!/^[0-9a-f]{24}$/.test(value)) throw new InvalidArgumentError(`expected a break id of 24 hex digits, got '${value}'`);
  return value;
};
const oneOf = <T extends string>(values: readonly T[], what: string) => (value: string): T => {
  if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected a ${what}: ${values.join(', ')}; got '${value}'`);
  return value as T;
};

const breakRow = (b: BreakState, now: Date) => [
  b.breakId, b.type, b.status, `${ageOf(b, now).hours} h`, b.merchantId, b.terminalId, b.batchNo ?? '', b.rrn ?? '', b.detail.slice(0, 90), b.assignee ?? '', b.resolution ?? '',
];

export const registerClearingCommands = (program: Command): void => {
  const clearing = program.command('clearing').description('acquirer clearing files: import and list');

  clearing
    .command('import')
    .description('import an acquirer clearing file: streamed in bounded memory, validated line by line against its format and the ledger (merchants, terminals, business day); accepted whole or refused whole; importing the same file again changes nothing')
    .argument('<file>', 'the CSV clearing file')
    .option('--actor <id>', 'who imports it (recorded in ClearingFileImported)')
    .option('--json', 'print the result (or the refusal with every line error) as JSON')
    .addHelpText('after', '\nExit code 0 imported or already imported, 1 refused (every line error listed), 2 usage.')
    .action(async (file: string, o: { actor?: string; json?: boolean }, cmd: Command) => {
      if (!existsSync(file)) throw usage('FILE_NOT_FOUND', `no file ${file}`);
      await withContext(cmd, ['reconciliation'], async (ctx, g) => {
        // Progress in bytes: the line count is known only at the end.
        const bar = progress(`import ${file} (bytes)`, g.progress && !o.json);
        const size = statSync(file).size;
        try {
          const r = await importClearingFile(ctx.store('reconciliation'), createReadStream(file), { ...ctxOf(o), onProgress: (_lines, bytes) => bar.update(bytes, size) });
          bar.stop();
          const peakRssMb = process.resourceUsage().maxRSS / 1024;
          emit(o.json ? jsonText({ ...r, peakRssMb }) : `${r.status === 'IMPORTED' ? 'imported' : 'already imported (nothing changed)'}: file ${r.fileId} (${r.acquirerId} ${r.fileReference}) for ${r.businessDay}: ${r.records} transactions, ${r.batchLines} batch lines, ${r.lines} lines in ${fixed2(r.seconds)} s (${whole(r.linesPerSecond)} lines/s, peak RSS ${whole(peakRssMb)} MB)\n`);
          return EXIT.OK;
        } catch (e) {
          bar.stop();
          if (!(e instanceof ClearingFileRejected)) throw e;
          if (o.json) emit(jsonText({ status: 'REJECTED', errorCount: e.errorCount, errors: e.errors }));
          else {
            emit(`refused: ${e.errorCount} error(s); nothing was imported\n`);
            emit(grid(['line', 'code', 'reason'], e.errors.map((x) => [String(x.line), x.code, x.message])));
            if (e.errorCount > e.errors.length) note(`(${e.errorCount - e.errors.length} more not listed)`);
          }
          return EXIT.FINDINGS;
        }
      });
    });

  clearing
    .command('files')
    .description('the clearing files imported for a business day')
    .requiredOption('--business-day <day>', 'YYYY-MM-DD', parse.businessDay)
    .option('--json', 'print JSON')
    .action(async (o: { businessDay: string; json?: boolean }, cmd: Command) =>
      withContext(cmd, ['reconciliation'], async (ctx) => {
        const files = await filesOfDay(ctx.store('reconciliation'), o.businessDay);
        emit(o.json ? jsonText(files) : grid(['file id', 'acquirer', 'reference', 'transactions', 'batch lines', 'bytes', 'imported at'], files.map((f) => [f.fileId.slice(0, 16), f.acquirerId, f.fileReference, String(f.records), String(f.batchLines), String(f.sizeBytes), f.importedAt])));
        return EXIT.OK;
      }),
    );

  program
    .command('reconcile')
    .description("match a business day three ways (terminals' batch totals, the host ledger, the acquirer's clearing files): record new breaks, close those no longer found, DayReconciled when nothing is open")
    .requiredOption('--business-day <day>', 'YYYY-MM-DD', parse.businessDay)
    .option('--amount-tolerance <minor>', 'largest amount difference still matched, minor units', minorUnits, DEFAULT_TOLERANCES.amountMinor)
    .option('--fee-tolerance <minor>', 'largest fee difference still matched, minor units', minorUnits, DEFAULT_TOLERANCES.feeMinor)
    .option('--time-tolerance <seconds>', 'largest time difference for a match by terminal, batch and trace number', seconds, DEFAULT_TOLERANCES.timeSeconds)
    .option('--actor <id>', 'who runs it')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit code 0 when the day is reconciled (no open break), 1 when breaks are open, 2 for an unknown day.')
    .action(async (o: { businessDay: string; amountTolerance: bigint; feeTolerance: bigint; timeTolerance: number; actor?: string; json?: boolean }, cmd: Command) =>
      withContext(cmd, ['reconciliation'], async (ctx) => {
        const r = await reconcileDay(ctx.store('reconciliation'), o.businessDay, { amountMinor: o.amountTolerance, feeMinor: o.feeTolerance, timeSeconds: o.timeTolerance }, ctxOf(o));
        if (o.json) emit(jsonText(r));
        else {
          emit(`${o.businessDay}: ${r.files.length} file(s), ${r.hostTransactions} host transactions, ${r.acquirerRecords} acquirer lines; matched ${r.matched.reduce((n, m) => n + m.count, 0)}; breaks ${r.breaks.length} (${r.breaks.filter((b) => b.isNew).length} new), ${r.clearedBreaks} cleared, ${r.openBreaks} open: ${r.reconciled ? 'DAY RECONCILED' : 'NOT RECONCILED'}\n`);
          if (r.breaks.length) emit(grid(['break', 'type', 'merchant', 'terminal', 'batch', 'rrn', 'detail'], r.breaks.map((b) => [b.breakId, b.type, b.merchantId, b.terminalId, b.batchNo ?? '', b.rrn ?? '', b.detail.slice(0, 100)])));
        }
        return r.reconciled ? EXIT.OK : EXIT.FINDINGS;
      }),
    );

  const breaks = program.command('breaks').description('reconciliation breaks: list, assign, resolve');
  breaks
    .command('list')
    .description("a business day's breaks")
    .requiredOption('--business-day <day>', 'YYYY-MM-DD', parse.businessDay)
    .option('--status <status>', 'OPEN, ASSIGNED or RESOLVED', oneOf(['OPEN', 'ASSIGNED', 'RESOLVED'] as const, 'status'))
    .option('--type <type>', 'a break type', oneOf(BREAK_TYPES, 'break type'))
    .option('--json', 'print JSON')
    .action(async (o: { businessDay: string; status?: string; type?: string; json?: boolean }, cmd: Command) =>
      withContext(cmd, ['reconciliation'], async (ctx) => {
        const { breaks: all } = await reportInputs(ctx.store('reconciliation'), o.businessDay);
        const rows = all.filter((b) => (!o.status || b.status === o.status) && (!o.type || b.type === o.type));
        const now = new Date();
        emit(o.json ? jsonText(rows.map((b) => ({ ...b, age: ageOf(b, now) }))) : grid(['break', 'type', 'status', 'age', 'merchant', 'terminal', 'batch', 'rrn', 'detail', 'assignee', 'resolution'], rows.map((b) => breakRow(b, now))));
        return EXIT.OK;
      }),
    );
  breaks
    .command('assign')
    .description('assign a break to someone')
    .argument('<breakId>', 'the break (24 hex digits)', breakId)
    .requiredOption('--to <assignee>', 'who takes it')
    .option('--note <text>', 'why')
    .option('--actor <id>', 'who assigns it')
    .action(async (id: string, o: { to: string; note?: string; actor?: string }, cmd: Command) =>
      withContext(cmd, ['reconciliation'], async (ctx) => {
        const b = await changeBreak(ctx.store('reconciliation'), id, { type: 'AssignBreak', assignee: o.to, note: o.note }, ctxOf(o));
        emit(`break ${b.breakId} (${b.type}) assigned to ${b.assignee}\n`);
        return EXIT.OK;
      }),
    );
  breaks
    .command('resolve')
    .description('resolve a break with a reason and a note (resolving the last open break of a day reconciles it)')
    .argument('<breakId>', 'the break (24 hex digits)', breakId)
    .requiredOption('--reason <reason>', MANUAL_RESOLUTIONS.join(', '), oneOf(MANUAL_RESOLUTIONS, 'reason'))
    .requiredOption('--note <text>', 'what was done')
    .option('--actor <id>', 'who resolves it')
    .action(async (id: string, o: { reason: BreakResolution; note: string; actor?: string }, cmd: Command) =>
      withContext(cmd, ['reconciliation'], async (ctx) => {
        const b = await changeBreak(ctx.store('reconciliation'), id, { type: 'ResolveBreak', reason: o.reason, note: o.note }, ctxOf(o));
        emit(`break ${b.breakId} (${b.type}) resolved: ${b.resolution}\n`);
        return EXIT.OK;
      }),
    );

  program
    .command('reconciliation-report')
    .description("a business day's three-way reconciliation per merchant and overall: matched counts and amounts, breaks by type, ageing of open breaks")
    .requiredOption('--business-day <day>', 'YYYY-MM-DD', parse.businessDay)
    .option('--merchant <id>', 'one merchant', parse.merchantId)
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit code 0 when the day is reconciled, 1 when breaks are open or no run happened yet.')
    .action(async (o: { businessDay: string; merchant?: string; json?: boolean }, cmd: Command) =>
      withContext(cmd, ['reconciliation'], async (ctx) => {
        const report = reconciliationReport({ businessDay: o.businessDay, merchantId: o.merchant }, await reportInputs(ctx.store('reconciliation'), o.businessDay), new Date());
        if (o.json) emit(jsonText(report));
        else {
          // Per currency, never across currencies: the overall line sums the merchants'.
          const matched = (ms: typeof report.matched) => {
            const by = new Map<string, { count: number; amount: bigint; currency: (typeof ms)[number]['currency'] }>();
            for (const m of ms) {
              const t = by.get(m.currency) ?? { count: 0, amount: 0n, currency: m.currency };
              by.set(m.currency, { ...t, count: t.count + m.count, amount: t.amount + m.amount });
            }
            return [...by.values()].map((t) => `${t.count} for ${formatMoney({ amount: t.amount, currency: t.currency })}`).join(', ') || '-';
          };
          emit(`reconciliation ${o.businessDay}${o.merchant ? ` merchant ${o.merchant}` : ''}: ${report.clean ? 'RECONCILED' : report.lastRunAt ? 'BREAKS OPEN' : 'NOT RUN'}${report.reconciledAt ? ` (DayReconciled at ${report.reconciledAt})` : ''}\n`);
          emit(`matched: ${matched(report.matched)}; breaks open ${report.breaks.open}, resolved ${report.breaks.resolved}; ageing ${Object.entries(report.ageing).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
          emit(grid(['merchant', 'matched', 'open', 'resolved', 'open by type'], report.merchants.map((m) => [
            m.merchantId, matched(m.matched), String(m.breaks.open), String(m.breaks.resolved), Object.entries(m.breaks.byType).filter(([, v]) => v.open).map(([k, v]) => `${k} ${v.open}`).join(', '),
          ])));
        }
        return report.clean ? EXIT.OK : EXIT.FINDINGS;
      }),
    );
};
