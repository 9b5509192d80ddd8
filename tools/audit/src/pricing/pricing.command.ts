import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { pricingPlanSchema, workingCalendarSchema } from '@pos/contracts';
import { formatMoney, parseCurrency } from '@pos/money';
import { calendarOf, loadCalendar, merchantPayouts, planHistory, publishedInForce, publishMerchantPlan, runPayouts } from '@pos/settlement-application';
import type { z } from 'zod';
import { EXIT, usage } from '../cli/errors';
import * as parse from '../cli/options';
import { emit, grid, jsonText, note } from '../cli/output';
import { withContext } from '../cli/run';

/** Who publishes, loads or runs, as recorded in the events: the operator running the CLI (the finance role's desk). */
const ctxOf = () => ({
  actor: { type: 'admin' as const, id: `ledger-pricing:${userInfo().username}@${hostname()}` },
  now: () => new Date(),
  correlationId: `ledger-pricing-${process.pid}-${Date.now()}`,
});

/** A JSON file read by a contract schema; amounts are decimal strings of minor units, as on the wire. */
const jsonFile = <S extends z.ZodType>(file: string, schema: S, code: string): z.output<S> => {
  if (!existsSync(file)) throw usage('FILE_NOT_FOUND', `no file ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw usage(code, `${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw usage(code, `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
};

const money = (amount: bigint, currency: string) => formatMoney({ amount, currency: parseCurrency(currency) });

export const registerPricingCommands = (program: Command): void => {
  const pricing = program.command('pricing').description("merchants' pricing plans over time, and the working-day calendars payouts roll on (docs/api.md, Pricing plans)");

  pricing
    .command('publish')
    .description("publish the next version of a merchant's plan from its effectiveFrom: refused (exit 3, PRICING_PLAN_RETROACTIVE) before the merchant's open business day, and (exit 2, PRICING_PLAN_INVALID) when it contradicts itself")
    .requiredOption('--merchant <id>', 'the merchant', parse.merchantId)
    .requiredOption('--file <plan.json>', 'the plan, as the API takes it (amounts as strings of minor units)')
    .option('--json', 'print the version published as JSON')
    .action(async (o: { merchant: string; file: string; json?: boolean }, cmd: Command) => {
      const plan = jsonFile(o.file, pricingPlanSchema, 'PLAN_FILE_INVALID');
      await withContext(cmd, ['settlement'], async (ctx) => {
        const v = await publishMerchantPlan(ctx.store('settlement'), o.merchant, plan, ctxOf());
        emit(o.json ? jsonText(v) : `published ${v.plan.planId} as version ${v.version} of merchant ${v.merchantId}, in force from ${v.plan.effectiveFrom}\n`);
        return EXIT.OK;
      });
    });

  pricing
    .command('history')
    .description("a merchant's published plan versions, oldest first")
    .requiredOption('--merchant <id>', 'the merchant', parse.merchantId)
    .option('--business-day <day>', 'also say which version a batch of this day settles on', parse.businessDay)
    .option('--json', 'print JSON')
    .action(async (o: { merchant: string; businessDay?: string; json?: boolean }, cmd: Command) =>
      withContext(cmd, ['settlement'], async (ctx) => {
        const versions = await planHistory(ctx.store('settlement'), o.merchant);
        const day = o.businessDay;
        const chosen = publishedInForce(versions, day);
        if (o.json) emit(jsonText({ merchantId: o.merchant, versions, ...(chosen ? { inForce: { businessDay: chosen.businessDay, planId: chosen.plan.planId, version: chosen.version } } : {}) }));
        else {
          emit(grid(['version', 'plan', 'effective from', 'schedule', 'rounding', 'published by', 'published at'], versions.map((v) => [
            String(v.version), v.plan.planId, v.plan.effectiveFrom, v.plan.payoutSchedule, `${v.plan.rounding.scope}_${v.plan.rounding.mode}`, v.publishedBy, v.publishedAt,
          ])));
          if (day !== undefined) note(chosen ? `a batch of ${day} settles on ${chosen.plan.planId} (version ${chosen.version})` : `no published version is in force on ${day}: its terminals' registration plans apply`);
        }
        return EXIT.OK;
      }),
    );

  const calendar = pricing.command('calendar').description('working-day calendars by country (holidays, make-up working days): shipped for CN 2026, loadable by operations');
  calendar
    .command('load')
    .description("load or replace a country's calendar (JSON, the shape of libs/settlement/domain/calendars/CN.json); refused whole (exit 2, CALENDAR_INVALID) when it contradicts itself")
    .requiredOption('--file <calendar.json>', 'the calendar file')
    .option('--json', 'print the calendar in force as JSON')
    .action(async (o: { file: string; json?: boolean }, cmd: Command) => {
      const c = jsonFile(o.file, workingCalendarSchema, 'CALENDAR_FILE_INVALID');
      await withContext(cmd, ['settlement'], async (ctx) => {
        const loaded = await loadCalendar(ctx.store('settlement'), c, ctxOf());
        emit(o.json ? jsonText(loaded) : `loaded ${c.country} ${c.from} to ${c.to}: ${c.holidays.length} holidays, ${c.workdays.length} make-up working days (${c.source})\n`);
        return EXIT.OK;
      });
    });
  calendar
    .command('show')
    .description("a country's calendar in force: the last loaded, else the one shipped")
    .argument('<country>', 'ISO 3166 alpha-2, e.g. CN')
    .option('--json', 'print JSON')
    .action(async (country: string, o: { json?: boolean }, cmd: Command) =>
      withContext(cmd, ['settlement'], async (ctx) => {
        const found = await calendarOf(ctx.store('settlement'), country);
        if (!found) throw usage('CALENDAR_UNKNOWN', `no working-day calendar for ${country}`);
        if (o.json) emit(jsonText(found));
        else {
          emit(`${found.calendar.country} ${found.calendar.from} to ${found.calendar.to} (${found.source === 'SHIPPED' ? 'shipped' : `loaded ${found.loadedAt} by ${found.loadedBy}`})\nsource: ${found.calendar.source}\n`);
          emit(grid(['holiday', 'from', 'to'], found.calendar.holidays.map((h) => [h.name, h.from, h.to])));
          emit(`make-up working days: ${found.calendar.workdays.join(' ') || 'none'}\n`);
        }
        return EXIT.OK;
      }),
    );

  const payouts = program.command('payouts').description("merchants' payouts: the daily run and each merchant's history (docs/api.md, Payouts)");
  payouts
    .command('run')
    .description('run the payouts of a date: per merchant and currency, one transfer of the net of every part due by then; a net that is not positive is carried, never paid; a second run of the date pays nothing twice')
    .requiredOption('--date <day>', 'the payout date YYYY-MM-DD', parse.businessDay)
    .option('--json', 'print the run as JSON')
    .action(async (o: { date: string; json?: boolean }, cmd: Command) =>
      withContext(cmd, ['settlement'], async (ctx) => {
        const r = await runPayouts(ctx.store('settlement'), o.date, ctxOf());
        if (o.json) emit(jsonText(r));
        else {
          emit(grid(['merchant', 'currency', 'outcome', 'amount', 'batches'], [
            ...r.payouts.map((p) => [p.merchantId, p.currency, `paid ${p.payoutId}`, money(p.amount, p.currency), String(p.batches.length)]),
            ...r.carried.map((c) => [c.merchantId, c.currency, 'carried', money(c.amount, c.currency), String(c.batches.length)]),
          ]));
          note(`${r.payouts.length} payout(s), ${r.carried.length} carried, for ${r.payoutDate}`);
        }
        return EXIT.OK;
      }),
    );
  payouts
    .command('list')
    .description("a merchant's payout runs, each with the batch parts it paid or carried, and the parts still due")
    .requiredOption('--merchant <id>', 'the merchant', parse.merchantId)
    .option('--json', 'print JSON')
    .action(async (o: { merchant: string; json?: boolean }, cmd: Command) =>
      withContext(cmd, ['settlement'], async (ctx) => {
        const h = await merchantPayouts(ctx.store('settlement'), o.merchant);
        if (o.json) emit(jsonText(h));
        else {
          emit(grid(['run', 'date', 'currency', 'amount', 'batches'], h.runs.map((r) => [r.type === 'PayoutScheduled' ? r.payoutId : 'carried', r.payoutDate, r.currency, money(r.amount, r.currency), r.batches.map((b) => `${b.terminalId}/${b.batchNo}`).join(' ')])));
          note(`${h.due.length} part(s) still due`);
        }
        return EXIT.OK;
      }),
    );
};
