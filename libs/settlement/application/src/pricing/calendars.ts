import { CALENDAR_EVENTS, calendarStreamId, type WorkingCalendar } from '@pos/contracts';
import type { ServiceStore, StoreTx } from '@pos/eventing';
import { SHIPPED_CALENDARS, type WorkingDays, workingDaysOf } from '@pos/settlement-domain';
import { actorName, type ChangeContext, changeEvent } from '../settlement.context';

type StreamReader = Pick<StoreTx['events'], 'readStream'> | Pick<ServiceStore, 'readStream'>;

export interface CalendarInForce {
  readonly calendar: WorkingCalendar;
  /** SHIPPED: the file shipped with the ledger; LOADED: the last one operations loaded. */
  readonly source: 'SHIPPED' | 'LOADED';
  /** How many calendars operations loaded for the country: 0 while the shipped one is in force. */
  readonly version: number;
  readonly loadedAt?: string;
  readonly loadedBy?: string;
}

/** A country's calendar: the last one operations loaded, else the one shipped, else none. */
export const calendarOf = async (reader: StreamReader, country: string): Promise<CalendarInForce | undefined> => {
  const loaded = await reader.readStream(calendarStreamId(country), CALENDAR_EVENTS);
  const last = loaded.at(-1);
  if (last) return { calendar: last.data.calendar, source: 'LOADED', version: loaded.length, loadedAt: last.metadata.occurredAt, loadedBy: last.data.loadedBy };
  const shipped = Object.prototype.hasOwnProperty.call(SHIPPED_CALENDARS, country) ? SHIPPED_CALENDARS[country] : undefined;
  return shipped ? { calendar: shipped, source: 'SHIPPED', version: 0 } : undefined;
};

/** The working days of each country named that has a calendar. */
export const workingDaysFor = async (reader: StreamReader, countries: Iterable<string>): Promise<Record<string, WorkingDays & { readonly version: number }>> => {
  const out: Record<string, WorkingDays & { readonly version: number }> = {};
  for (const country of new Set(countries)) {
    const c = await calendarOf(reader, country);
    if (c) out[country] = { ...workingDaysOf(c.calendar), version: c.version };
  }
  return out;
};

/** Loads (or replaces) a country's calendar after checking it against itself (CALENDAR_INVALID). */
export const loadCalendar = (store: ServiceStore, calendar: WorkingCalendar, ctx: ChangeContext): Promise<CalendarInForce> =>
  store.transaction(async (tx) => {
    workingDaysOf(calendar);
    const loadedBy = actorName(ctx.actor);
    const [recorded] = await tx.events.append(calendarStreamId(calendar.country), 'ANY', [changeEvent({ type: 'PayoutCalendarLoaded', data: { calendar, loadedBy } }, ctx)]);
    return { calendar, source: 'LOADED', version: recorded.metadata.version, loadedAt: recorded.metadata.occurredAt, loadedBy };
  });
