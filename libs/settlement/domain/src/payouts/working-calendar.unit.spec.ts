import type { WorkingCalendar } from '@pos/contracts';
import { toDate } from '@pos/kernel';
import { describe, expect, it } from 'vitest';
import { isWorkingDay, nextWorkingDay, SHIPPED_CALENDARS, workingDayOnOrAfter, workingDaysOf } from './working-calendar';

const CN = workingDaysOf(SHIPPED_CALENDARS.CN);
const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const weekday = (day: string) => WEEKDAY[toDate(day).getUTCDay()];

describe('the China 2026 calendar shipped (State Council notice of 2025-11-04)', () => {
  // The notice names each range with its weekdays: the file must agree with them.
  it.each([
    ['元旦', '2026-01-01', 'Thu', '2026-01-03', 'Sat', 3],
    ['春节', '2026-02-15', 'Sun', '2026-02-23', 'Mon', 9],
    ['清明节', '2026-04-04', 'Sat', '2026-04-06', 'Mon', 3],
    ['劳动节', '2026-05-01', 'Fri', '2026-05-05', 'Tue', 5],
    ['端午节', '2026-06-19', 'Fri', '2026-06-21', 'Sun', 3],
    ['中秋节', '2026-09-25', 'Fri', '2026-09-27', 'Sun', 3],
    ['国庆节', '2026-10-01', 'Thu', '2026-10-07', 'Wed', 7],
  ])('%s: %s (%s) to %s (%s), %i days off', (name, from, fromDay, to, toDay, days) => {
    const holiday = SHIPPED_CALENDARS.CN.holidays.find((h) => h.name.startsWith(name));
    expect(holiday).toMatchObject({ from, to });
    expect([weekday(from), weekday(to)]).toEqual([fromDay, toDay]);
    expect([...CN.holidays].filter((d) => d >= from && d <= to)).toHaveLength(days);
  });

  it('has exactly the six make-up working days of the notice, each on a weekend, each a working day', () => {
    const workdays = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];
    expect([...CN.workdays].sort()).toEqual(workdays);
    expect(workdays.map(weekday)).toEqual(['Sun', 'Sat', 'Sat', 'Sat', 'Sun', 'Sat']);
    for (const d of workdays) expect(isWorkingDay(d, CN)).toBe(true);
    expect(CN.holidays.size).toBe(33);
  });
});

describe('T+1 on the China 2026 calendar', () => {
  it.each([
    ['an ordinary Tuesday', '2026-03-03', '2026-03-04'],
    ['an ordinary Friday, over the weekend', '2026-03-06', '2026-03-09'],
    ['New Year\'s Eve (outside the calendar), into three holidays and onto the make-up Sunday', '2025-12-31', '2026-01-04'],
    ['the Friday before the Spring Festival, onto the make-up Saturday', '2026-02-13', '2026-02-14'],
    ['the make-up Saturday, over the nine days of the Spring Festival', '2026-02-14', '2026-02-24'],
    ['the Friday before the make-up Saturday 02-28', '2026-02-27', '2026-02-28'],
    ['the eve of Labour Day, over five days', '2026-04-30', '2026-05-06'],
    ['the Friday 05-08, onto the make-up Saturday', '2026-05-08', '2026-05-09'],
    ['the eve of National Day, over seven days', '2026-09-30', '2026-10-08'],
    ['the make-up Sunday 09-20', '2026-09-19', '2026-09-20'],
    ['the last day covered, into 2027 (weekends alone there)', '2026-12-31', '2027-01-01'],
  ])('given %s (%s), then %s', (_what, day, expected) => {
    expect(nextWorkingDay(day, CN)).toBe(expected);
  });

  it('given a day that is a holiday, then a payout due on it rolls to the next working day; a working day stays', () => {
    expect(workingDayOnOrAfter('2026-10-01', CN)).toBe('2026-10-08');
    expect(workingDayOnOrAfter('2026-10-10', CN)).toBe('2026-10-10');
    expect(workingDayOnOrAfter('2026-10-11', CN)).toBe('2026-10-12');
  });
});

describe('a calendar operations load', () => {
  const base: WorkingCalendar = { country: 'XX', from: '2027-01-01', to: '2027-12-31', source: 'test', holidays: [{ name: 'A', from: '2027-01-01', to: '2027-01-01' }], workdays: ['2027-01-02'] };

  it('given a consistent calendar, then its days are expanded', () => {
    const days = workingDaysOf(base);
    expect([isWorkingDay('2027-01-01', days), isWorkingDay('2027-01-02', days), isWorkingDay('2027-01-03', days)]).toEqual([false, true, false]);
  });

  it.each([
    ['a day both holiday and working day', { workdays: ['2027-01-01'] }, '2027-01-01 is both a holiday and a working day'],
    ['a make-up working day on a weekday', { workdays: ['2027-01-04'] }, '2027-01-04 is listed as a make-up working day but is a weekday'],
    ['a holiday outside the range', { holidays: [{ name: 'B', from: '2026-12-31', to: '2027-01-01' }] }, 'holiday B (2026-12-31 to 2027-01-01) is outside 2027-01-01 to 2027-12-31'],
    ['a holiday backwards', { holidays: [{ name: 'C', from: '2027-01-05', to: '2027-01-04' }] }, 'holiday C runs backwards'],
    ['a date that is not one', { workdays: ['2027-02-30'] }, '2027-02-30 is not a calendar date'],
  ])('given %s, then CALENDAR_INVALID naming it', (_what, change, message) => {
    expect(() => workingDaysOf({ ...base, ...change })).toThrowError(expect.objectContaining({ code: 'CALENDAR_INVALID', message: expect.stringContaining(message) }));
  });
});
