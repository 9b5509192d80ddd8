import { z } from 'zod';
import { BatchNo, MaskedPan, MerchantId, OperatorId, Rrn, Stan, TerminalId, TimeZone } from '@pos/kernel';
import { CURRENCIES, type CurrencyCode } from '@pos/money';

/** On the wire, amounts are decimal strings; in memory, bigint. Never a JSON number. */
export const minorUnits = z.codec(z.string().regex(/^-?(0|[1-9]\d*)$/, 'integer minor units'), z.bigint(), {
  decode: (s) => BigInt(s),
  encode: (b) => b.toString(),
});

export const currencyCode = z.enum(Object.keys(CURRENCIES) as [CurrencyCode, ...CurrencyCode[]]);
export const businessDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
// The identifiers are the kernel's (one format, one parser each).
export const stan = Stan;
export const batchNo = BatchNo;
export const rrn = Rrn;
export const terminalId = TerminalId;
export const merchantId = MerchantId;
export const operatorId = OperatorId;
export const maskedPan = MaskedPan;
export const timeZone = TimeZone;
export const paymentMethod = z.enum(['BANK_CARD', 'QR']);
export const transactionKind = z.enum(['SALE', 'VOID', 'REFUND']);
export const roundingMode = z.enum(['HALF_UP', 'HALF_EVEN']);
export const count = z.number().int().nonnegative();

/** Compile-time check that a schema decodes to the domain's data type, with no field missing or extra. */
export type Decodes<S extends z.ZodType, D> = [z.output<S>] extends [D]
  ? [keyof D] extends [keyof z.output<S>]
    ? [keyof z.output<S>] extends [keyof D]
      ? true
      : false
    : false
  : false;

/**
 * Compile-time check over a context's event union: every event type has a schema, and each
 * schema decodes to exactly its event's data (`true` only if all do).
 */
export type SchemasDecode<S extends { readonly [K in E['type']]: z.ZodType }, E extends { readonly type: string; readonly data: unknown }> =
  false extends { [K in E['type']]: Decodes<S[K], Extract<E, { type: K }>['data']> }[E['type']] ? false : true;

/** Reads a payload written at an older schema version and upcasts it to the current data. */
export type OlderVersion<D> = (payload: unknown) => { success: true; data: D } | { success: false; error: z.ZodError };

/**
 * An older version: its payloads are validated by the schema they were written with, then
 * `up` (a pure function of that data) gives the current version's data.
 */
export const upcastFrom =
  <Old extends z.ZodType, D>(schema: Old, up: (old: z.output<Old>) => D): OlderVersion<D> =>
  (payload) => {
    const result = schema.safeParse(payload);
    return result.success ? { success: true, data: up(result.data) } : { success: false, error: result.error };
  };
