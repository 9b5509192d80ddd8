import { isCurrencyCode, majorUnitsDecimal, minorUnitExponent } from '@pos/money';

/** The reader's locale (the browser's first), used for every number and date on the page. */
export const LOCALE = typeof navigator === 'undefined' ? 'en-GB' : (navigator.languages?.[0] ?? navigator.language ?? 'en-GB');
/** The merchant's zone when the API names none (the ledger's default for registration). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const amountFormats = new Map<string, Intl.NumberFormat>();
const amountFormat = (currency: string, exponent: number, locale: string) => {
  const key = `${locale}|${currency}`;
  let f = amountFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'code', minimumFractionDigits: exponent, maximumFractionDigits: exponent });
    amountFormats.set(key, f);
  }
  return f;
};

/**
 * An amount in minor units (the API's digit string, or a bigint) formatted for its currency.
 * Intl.NumberFormat is given the exact decimal string, never a float, so 18-digit totals stay exact.
 */
export const formatAmount = (minor: string | bigint, currency: string, locale = LOCALE): string => {
  const amount = typeof minor === 'bigint' ? minor : BigInt(minor);
  if (!isCurrencyCode(currency)) return `${amount} (minor units) ${currency}`;
  const decimal = majorUnitsDecimal({ amount, currency });
  return amountFormat(currency, minorUnitExponent(currency), locale).format(decimal as Intl.StringNumericLiteral);
};

/** A count, grouped for the reader's locale. */
export const formatCount = (n: number | bigint, locale = LOCALE): string => new Intl.NumberFormat(locale).format(n);

/**
 * What a person typed as an amount in major units ("5,000.00" is refused: digits and one point) as
 * minor units, exactly; undefined when it is not a valid amount of that currency.
 */
export const minorFromMajor = (text: string, currency: string): bigint | undefined => {
  if (!isCurrencyCode(currency)) return undefined;
  const exp = minorUnitExponent(currency);
  const m = /^(\d{1,16})(?:\.(\d+))?$/.exec(text.trim());
  if (!m || (m[2] !== undefined && (exp === 0 || m[2].length > exp))) return undefined;
  return BigInt(`${m[1]}${(m[2] ?? '').padEnd(exp, '0')}`);
};

/** A time in the merchant's zone, e.g. "01/12/2026, 14:03:07"; its UTC form is `utcTitle`. */
export const formatTime = (iso: string, timeZone = DEFAULT_TIME_ZONE, locale = LOCALE): string =>
  new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));

/** The same instant in UTC, shown on hover. */
export const utcTitle = (iso: string): string => `${new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;

/** The hour of the day (0–23) of an instant in a zone. */
export const hourIn = (iso: string, timeZone = DEFAULT_TIME_ZONE): number =>
  Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(iso)));

/**
 * Today's business day, the day a page shows unless asked for another: business days are UTC
 * calendar dates (the kernel's businessDayOf; not imported, as @pos/kernel would bring zod into the bundle).
 */
export const currentBusinessDay = (): string => new Date().toISOString().slice(0, 10);

/** A long hash shortened for a table cell (the whole hash goes in its title). */
export const shortHash = (hash: string): string => (hash.length > 16 ? `${hash.slice(0, 8)}…${hash.slice(-6)}` : hash);

/** An UPPER_SNAKE code as words: "MISSING_AT_HOST" -> "Missing at host". */
export const humanCode = (code: string): string => {
  const words = code.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};
