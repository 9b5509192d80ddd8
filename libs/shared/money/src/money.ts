import { CurrencyCode, isCurrencyCode, minorUnitExponent } from './currency';

/** An exact amount in minor units of one currency. */
export interface Money {
  readonly amount: bigint;
  readonly currency: CurrencyCode;
}

export const money = (amount: bigint, currency: CurrencyCode): Money => ({ amount, currency });

export class MoneyError extends Error {
  constructor(readonly code: 'AMOUNT_INVALID' | 'CURRENCY_UNKNOWN' | 'CURRENCY_MISMATCH', message: string) {
    super(message);
    this.name = 'MoneyError';
  }
}

/**
 * The most digits an amount the ledger reads may have, in minor units: a transaction, a limit or
 * a batch total (fits a signed 64-bit integer). The terminal context bounds transactions below
 * this so that a batch's totals always fit it.
 */
export const MAX_MINOR_DIGITS = 18;
const DIGITS = new RegExp(`^(0|[1-9]\\d{0,${MAX_MINOR_DIGITS - 1}})$`);

/**
 * Amounts arrive as a JSON integer or a string of digits, in minor units.
 * Negative amounts, fractions, exponents, signs, NaN and unsafe integers are refused: a float
 * never becomes money.
 */
export const parseMinorUnits = (raw: unknown): bigint => {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) throw new MoneyError('AMOUNT_INVALID', `amount ${raw} is not an integer number of minor units`);
    return BigInt(raw);
  }
  if (typeof raw === 'string' && DIGITS.test(raw)) return BigInt(raw);
  if (typeof raw === 'bigint' && raw >= 0n) return raw;
  throw new MoneyError('AMOUNT_INVALID', `amount ${JSON.stringify(raw)} is not an integer number of minor units`);
};

export const parseCurrency = (raw: unknown): CurrencyCode => {
  if (typeof raw === 'string' && isCurrencyCode(raw)) return raw;
  throw new MoneyError('CURRENCY_UNKNOWN', `currency ${JSON.stringify(raw)} is not an accepted ISO 4217 code`);
};

export const add = (a: Money, b: Money): Money => {
  if (a.currency !== b.currency) throw new MoneyError('CURRENCY_MISMATCH', `${a.currency} + ${b.currency}`);
  return money(a.amount + b.amount, a.currency);
};

/** The exact decimal of an amount in major units, e.g. 1234 CNY -> "12.34", -5 KWD -> "-0.005" (for display, e.g. Intl.NumberFormat's string form). */
export const majorUnitsDecimal = (m: Money): string => {
  const exp = minorUnitExponent(m.currency);
  const neg = m.amount < 0n;
  const abs = (neg ? -m.amount : m.amount).toString().padStart(exp + 1, '0');
  return `${neg ? '-' : ''}${exp === 0 ? abs : `${abs.slice(0, -exp)}.${abs.slice(-exp)}`}`;
};

/** Human form for slips and logs, e.g. 1234 CNY -> "12.34 CNY". Never used for arithmetic. */
export const formatMoney = (m: Money): string => `${majorUnitsDecimal(m)} ${m.currency}`;
