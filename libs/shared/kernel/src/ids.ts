import { z } from 'zod';

/**
 * The ledger's identifiers, each defined once: its format, its brand and its one parser
 * (the schema: `TerminalId.safeParse(raw)`). A branded value has passed its parser, so a
 * function that takes a `TerminalId` never sees an unchecked string. Each edge refuses a
 * value that does not parse with its own code (REQUEST_INVALID, FIELD_INVALID, exit 2, …)
 * and what the format expects (the schema's `description`).
 */
const identifier = <B extends string>(pattern: RegExp, expected: string) => z.string().regex(pattern, expected).describe(expected).brand<B>();

/** Trace and batch numbers run 000001..999999 (a batch number wraps from 999999 to 000001). */
const SIX_DIGITS_NOT_ZERO = /^(?!000000)\d{6}$/;

export const TerminalId = identifier<'TerminalId'>(/^[A-Z0-9]{8}$/, '8 capital letters or digits');
export type TerminalId = z.output<typeof TerminalId>;
export const MerchantId = identifier<'MerchantId'>(/^[A-Z0-9]{15}$/, '15 capital letters or digits');
export type MerchantId = z.output<typeof MerchantId>;
/** System trace audit number: a terminal's number for one request. */
export const Stan = identifier<'Stan'>(SIX_DIGITS_NOT_ZERO, '6 digits, 000001 to 999999');
export type Stan = z.output<typeof Stan>;
export const BatchNo = identifier<'BatchNo'>(SIX_DIGITS_NOT_ZERO, '6 digits, 000001 to 999999');
export type BatchNo = z.output<typeof BatchNo>;
/** Retrieval reference number: the host's number for a transaction. */
export const Rrn = identifier<'Rrn'>(/^\d{12}$/, '12 digits');
export type Rrn = z.output<typeof Rrn>;
export const OperatorId = identifier<'OperatorId'>(/^\d{2,8}$/, '2 to 8 digits');
export type OperatorId = z.output<typeof OperatorId>;
/** A card number as the ledger keeps it: first six and last four digits of a 12- to 19-digit PAN. */
export const MaskedPan = identifier<'MaskedPan'>(/^\d{6}\*{2,9}\d{4}$/, 'a masked PAN like 622848******1234');
export type MaskedPan = z.output<typeof MaskedPan>;


/** Whether the host's time-zone database knows `name` (Intl throws a RangeError for one it does not). */
const knownTimeZone = (name: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

/**
 * An IANA time-zone name as the tz database spells it (`Asia/Shanghai`, `Europe/Berlin`, `UTC`),
 * known to the host's database. Offsets (`+08:00`) and other spellings (`asia/shanghai`) are
 * refused, though Intl would take them: a merchant's zone is a place, whose offset changes.
 */
export const TimeZone = z
  .string()
  .regex(/^(?:[A-Z][A-Za-z_-]+(?:\/[A-Z0-9][A-Za-z0-9_+-]*){0,2}|UTC)$/, 'an IANA time zone like Asia/Shanghai')
  .refine(knownTimeZone, 'an IANA time zone the host knows, like Asia/Shanghai')
  .describe('an IANA time zone like Asia/Shanghai')
  .brand<'TimeZone'>();
export type TimeZone = z.output<typeof TimeZone>;
