/** Business days are calendar dates `YYYY-MM-DD` (UTC). */
const DAY_MS = 86_400_000;
const RE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date `YYYY-MM-DD`: 2026-02-30 and 2026-13-45 are not (Date would roll them over, or fail). */
export const isBusinessDay = (s: string): boolean => {
  if (!RE.test(s)) return false;
  const at = toDate(s);
  return !Number.isNaN(at.getTime()) && at.toISOString().startsWith(s);
};

export const businessDayOf = (at: Date): string => at.toISOString().slice(0, 10);

export const toDate = (day: string): Date => new Date(`${day}T00:00:00.000Z`);

export const addDays = (day: string, n: number): string => businessDayOf(new Date(toDate(day).getTime() + n * DAY_MS));

export const maxDay = (a: string, b: string): string => (a >= b ? a : b);
