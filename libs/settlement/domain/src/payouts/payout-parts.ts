import type { CurrencyTotal, D0Rule, PayoutPart, PricingPlan } from '@pos/contracts';
import { lineFee, voidedInBatch } from '../fees/settlement-lines';
import { appliedRate, rateClassOf } from '../pricing/fee-rate';
import { liveTransactions, type PendingBatch, type PendingTransaction } from '../settle-batch/pending-batch';
import { nextWorkingDay, type WorkingDays } from './working-calendar';

/** The seed acquirer's D0 rule: card transactions of 11.00 CNY or more between 00:00 and 23:00 Beijing time (UTC+8). */
export const SEED_D0_RULE: D0Rule = { from: '00:00', to: '23:00', utcOffsetMinutes: 480, minimums: [{ currency: 'CNY', amount: 1_100n }] };

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Minutes since local midnight of an instant, at a fixed UTC offset. */
const localMinutes = (at: string, utcOffsetMinutes: number): number => {
  const local = new Date(Date.parse(at) + utcOffsetMinutes * 60_000);
  return local.getUTCHours() * 60 + local.getUTCMinutes();
};

/**
 * Paid the same day under `rule`: a bank-card sale, completed online, not voided in its batch,
 * of at least the minimum of its currency (no minimum listed: never D0), made at or after
 * `from` and before `to`, local time (00:00 to 23:00 takes 22:59:59 and not 23:00:00).
 */
export const isPaidD0 = (t: PendingTransaction, rule: D0Rule, voided: ReadonlySet<string>): boolean => {
  if (t.kind !== 'SALE' || t.method !== 'BANK_CARD' || t.reversed || voided.has(t.rrn) || t.at === undefined) return false;
  const minimum = rule.minimums.find((m) => m.currency === t.currency);
  if (minimum === undefined || t.amount < minimum.amount) return false;
  const m = localMinutes(t.at, rule.utcOffsetMinutes);
  return m >= minutesOf(rule.from) && m < minutesOf(rule.to);
};

/**
 * The batch's net per currency split by payout date. T1 plans pay it all on the next working day
 * of the calendar. D0 plans pay the D0 transactions' own net (amount less the fee each bears
 * under the plan) on the business day itself, and the rest T+1; the D0 part never exceeds the
 * batch's net (refunds in the batch come out of the same-day money first), so neither part is
 * negative unless the whole net is, and a negative net is one T1 part. Zero parts are left out.
 */
export const payoutPartsOf = (batch: PendingBatch, totals: readonly CurrencyTotal[], plan: PricingPlan, calendar: WorkingDays | undefined): PayoutPart[] => {
  const t1Date = nextWorkingDay(batch.businessDay, calendar);
  const live = liveTransactions(batch);
  const voided = voidedInBatch(live);
  const rule = plan.d0 ?? SEED_D0_RULE;
  return totals.flatMap(({ currency, net }): PayoutPart[] => {
    let d0 = 0n;
    if (plan.payoutSchedule === 'D0') {
      const eligible = live.filter((t) => t.currency === currency && isPaidD0(t, rule, voided));
      const classes = [...new Set(eligible.map((t) => rateClassOf(t.method, t.cardType)))];
      const fees = classes.reduce((acc, c) => acc + lineFee(eligible.filter((t) => rateClassOf(t.method, t.cardType) === c), [], appliedRate(plan, c), plan), 0n);
      const own = eligible.reduce((acc, t) => acc + t.amount, 0n) - fees;
      const ceiling = net > 0n ? net : 0n;
      d0 = own < 0n ? 0n : own > ceiling ? ceiling : own;
    }
    const rest = net - d0;
    return [
      ...(d0 !== 0n ? [{ currency, schedule: 'D0' as const, payoutDate: batch.businessDay, amount: d0 }] : []),
      ...(rest !== 0n ? [{ currency, schedule: 'T1' as const, payoutDate: t1Date, amount: rest }] : []),
    ];
  });
};
