import { BatchNo, MerchantId, Rrn, TerminalId } from '@pos/kernel';
import { isCalendarDate, isIsoInstant } from '@pos/reconciliation-domain';
import type { z } from 'zod';
import { usage } from './errors';

/**
 * Option parsers: each refuses a malformed value with its own stable code (exit 2) and a
 * message naming what is expected; the program prefixes the option (see buildProgram).
 */
export const businessDay = (value: string): string => {
  if (!isCalendarDate(value)) throw usage('BUSINESS_DAY_INVALID', `expected a business day YYYY-MM-DD on the calendar, got '${value}'`);
  return value;
};

/** An identifier option, by the identifier's one parser (the kernel's). */
const identifier = <T>(format: z.ZodType<T>, what: string, code: string) => (value: string): T => {
  const parsed = format.safeParse(value);
  if (!parsed.success) throw usage(code, `expected a ${what} (${format.description}), got '${value}'`);
  return parsed.data;
};

export const terminalId = identifier(TerminalId, 'terminal id', 'TERMINAL_ID_INVALID');
export const merchantId = identifier(MerchantId, 'merchant id', 'MERCHANT_ID_INVALID');
export const batchNo = identifier(BatchNo, 'batch number', 'BATCH_NO_INVALID');
export const rrn = identifier(Rrn, 'RRN', 'RRN_INVALID');

/**
 * An instant with seconds and its zone (Z or ±hh:mm) on a real calendar date and clock: a
 * naive local time would mean different instants on different machines, and 2026-11-31 or
 * 24:00 must not roll over into another day. Log and event times are whole milliseconds, so
 * finer digits are refused rather than dropped (unless they are zeros).
 */
export const instant = (value: string): Date => {
  const expected = `expected an ISO-8601 instant with its zone, e.g. 2026-11-23T18:00:00Z or 2026-11-23T18:00:00.250+08:00, got '${value}'`;
  if (!isIsoInstant(value)) throw usage('INSTANT_INVALID', expected);
  const fraction = /\.(\d+)/.exec(value)?.[1] ?? '';
  if (/[1-9]/.test(fraction.slice(3))) throw usage('INSTANT_INVALID', `${expected}: times are kept to the millisecond, so at most 3 fractional digits`);
  return new Date(value);
};

export const positiveInt = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw usage('NUMBER_INVALID', `expected a positive integer, got '${value}'`);
  return Number(value);
};

/** `N` (every partition, or a store position) or `topic/partition=N,...`. */
export type OffsetSpec = { readonly all: string } | { readonly each: Readonly<Record<string, string>> };

export const offsets = (value: string): OffsetSpec => {
  if (/^\d+$/.test(value)) return { all: BigInt(value).toString() };
  const each: Record<string, string> = {};
  for (const part of value.split(',')) {
    const m = /^([A-Za-z0-9._-]+\/\d+)=(\d+)$/.exec(part.trim());
    if (!m) throw usage('OFFSET_INVALID', `expected N or topic/partition=N[,topic/partition=N...], got '${part}'`);
    each[m[1]] = BigInt(m[2]).toString();
  }
  return { each };
};

export const FORMATS = ['table', 'csv', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export const format = (value: string): Format => {
  if (!(FORMATS as readonly string[]).includes(value)) throw usage('FORMAT_INVALID', `expected one of ${FORMATS.join(', ')}, got '${value}'`);
  return value as Format;
};
