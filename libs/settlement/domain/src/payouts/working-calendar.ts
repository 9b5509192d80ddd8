import type { WorkingCalendar } from '@pos/contracts';
import { addDays, isBusinessDay, toDate } from '@pos/kernel';
import shippedChina from '../../calendars/CN.json';
import { SettlementErrors } from '../settlement.errors';

/** A calendar ready to answer: every holiday and make-up working day as a set of days. */
export interface WorkingDays {
  readonly country: string;
  readonly from: string;
  readonly to: string;
  readonly holidays: ReadonlySet<string>;
  readonly workdays: ReadonlySet<string>;
}

const isWeekend = (day: string): boolean => [0, 6].includes(toDate(day).getUTCDay());

const daysOf = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
};

/**
 * Checks a calendar against itself and expands it. Refused (CALENDAR_INVALID), naming the day:
 * a date that is not a calendar date, a range backwards or outside from..to, a day both holiday
 * and working day, a "make-up working day" that is not a weekend day (every weekday works anyway,
 * so listing one is a typo in the file).
 */
export const workingDaysOf = (calendar: WorkingCalendar): WorkingDays => {
  const bad = (message: string, details: Record<string, unknown> = {}) => SettlementErrors.CALENDAR_INVALID(`calendar ${calendar.country}: ${message}`, { country: calendar.country, ...details });
  const dates = [calendar.from, calendar.to, ...calendar.workdays, ...calendar.holidays.flatMap((h) => [h.from, h.to])];
  const notDate = dates.find((d) => !isBusinessDay(d));
  if (notDate !== undefined) throw bad(`${notDate} is not a calendar date`, { day: notDate });
  if (calendar.from > calendar.to) throw bad(`from ${calendar.from} is after to ${calendar.to}`);
  const holidays = new Set<string>();
  for (const h of calendar.holidays) {
    if (h.from > h.to) throw bad(`holiday ${h.name} runs backwards (${h.from} to ${h.to})`, { holiday: h.name });
    if (h.from < calendar.from || h.to > calendar.to) throw bad(`holiday ${h.name} (${h.from} to ${h.to}) is outside ${calendar.from} to ${calendar.to}`, { holiday: h.name });
    for (const d of daysOf(h.from, h.to)) holidays.add(d);
  }
  for (const d of calendar.workdays) {
    if (d < calendar.from || d > calendar.to) throw bad(`working day ${d} is outside ${calendar.from} to ${calendar.to}`, { day: d });
    if (holidays.has(d)) throw bad(`${d} is both a holiday and a working day`, { day: d });
    if (!isWeekend(d)) throw bad(`${d} is listed as a make-up working day but is a weekday`, { day: d });
  }
  return { country: calendar.country, from: calendar.from, to: calendar.to, holidays, workdays: new Set(calendar.workdays) };
};

/** The calendar shipped for China (2026, from the State Council's notice): used until operations load another. */
export const SHIPPED_CALENDARS: Readonly<Record<string, WorkingCalendar>> = { CN: shippedChina };

/** The country whose calendar a plan pays on when it names none. */
export const DEFAULT_PAYOUT_CALENDAR = 'CN';

/**
 * A working day: a make-up working day always is; a holiday never is; otherwise Monday to
 * Friday. Without a calendar, or outside its from..to, weekends alone are off.
 */
export const isWorkingDay = (day: string, calendar: WorkingDays | undefined): boolean => {
  if (calendar && day >= calendar.from && day <= calendar.to) {
    if (calendar.workdays.has(day)) return true;
    if (calendar.holidays.has(day)) return false;
  }
  return !isWeekend(day);
};

/** The first working day after `day` (T+1), rolling over weekends and holidays. */
export const nextWorkingDay = (day: string, calendar: WorkingDays | undefined): string => {
  let d = addDays(day, 1);
  while (!isWorkingDay(d, calendar)) d = addDays(d, 1);
  return d;
};

/** The first working day on or after `day`: where a payout due on a holiday lands. */
export const workingDayOnOrAfter = (day: string, calendar: WorkingDays | undefined): string =>
  isWorkingDay(day, calendar) ? day : nextWorkingDay(day, calendar);
