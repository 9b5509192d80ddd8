import { isBusinessDay } from '@pos/kernel';
import { z } from 'zod';
import { businessDay } from './wire';

/**
 * Shapes every HTTP interface shares: the error body, and how request fields that the
 * server parses apart on purpose are documented. The OpenAPI documents are generated from
 * these and from each context's request and answer schemas (see the `*.api.ts` files).
 */

/** The ISO 8583-style response code a terminal shows. */
export const responseCode = z.string().regex(/^[0-9A-Z]{2}$/);

/** `{ error: { code, message, responseCode, details? } }`, with the codes one operation can answer. */
export const apiErrorBody = (codes: readonly [string, ...string[]]) =>
  z.object({
    error: z.object({
      code: z.enum(codes),
      message: z.string(),
      responseCode,
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  });
export type ApiErrorBody = z.input<ReturnType<typeof apiErrorBody>>;

/**
 * Some fields are read leniently by the request schema and then by their own parser, so that
 * a bad amount answers AMOUNT_INVALID and a bad currency CURRENCY_UNKNOWN rather than the
 * generic REQUEST_INVALID. Such a field is registered here with the form it really accepts,
 * and the OpenAPI shows that form: the document is never looser than the server.
 */
const accepted = new WeakMap<z.ZodType, z.ZodType>();

/** A lenient request field, documented as `accepts`. */
export const parsedApart = <T extends z.ZodType>(lenient: T, accepts: z.ZodType): T => {
  accepted.set(lenient, accepts);
  return lenient;
};

/** The form a lenient field is documented as, if it is one. */
export const acceptedFormOf = (schema: unknown): z.ZodType | undefined => accepted.get(schema as z.ZodType);

/**
 * What an amount in a request may be: a JSON integer (a safe one) or a string of digits, in
 * minor units, no sign, no leading zero, no fraction or exponent; `min` 1 for a transaction's
 * amount, 0 for totals; at most `digits` digits.
 */
export const amountAccepted = (min: 0 | 1, digits: number) =>
  z
    .union([
      z.int().min(min).max(Math.min(Number.MAX_SAFE_INTEGER, 10 ** digits - 1)),
      z.string().regex(new RegExp(`^${min === 0 ? '(0|[1-9][0-9]{0,' : '([1-9][0-9]{0,'}${digits - 1}})$`)),
    ])
    .describe('minor units: a JSON integer or a string of digits; no fraction, exponent or sign (1.0 and 1e3 are refused)');

/** A business day asked for in a query or a path: a real calendar date (2026-13-45 and 2026-02-30 are not). */
export const calendarDay = businessDay.refine(isBusinessDay, 'a calendar date YYYY-MM-DD').meta({ format: 'date' });
