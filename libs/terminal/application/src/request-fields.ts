import { DomainError } from '@pos/kernel';
import { MoneyError, NumberLiteral, parseCurrency, parseMinorUnits } from '@pos/money';
import { z } from 'zod';

/** Fields every terminal request shares. Amount and currency are parsed apart to give their own error codes. */
/** Trace and batch numbers run 000001..999999 (a batch number wraps from 999999 to 000001). */
const SIX_DIGITS_NOT_ZERO = /^(?!000000)\d{6}$/;
export const stan = z.string().regex(SIX_DIGITS_NOT_ZERO, 'a 6-digit trace number, 000001 to 999999');
export const batchNo = z.string().regex(SIX_DIGITS_NOT_ZERO, 'a 6-digit batch number, 000001 to 999999');
export const rrn = z.string().regex(/^\d{12}$/, 'a 12-digit RRN');
export const operatorId = z.string().regex(/^\d{2,8}$/, '2 to 8 digits');
export const password = z.string().min(4).max(32);
export const method = z.enum(['BANK_CARD', 'QR']);
/** An amount as the client wrote it: a JSON integer, a string of digits, or a number literal's text (refused by amountOf). */
export const amountField = z.preprocess(
  (raw) => (raw instanceof NumberLiteral ? raw.text : raw),
  z.union([z.number(), z.string()], { error: 'amount is required (integer minor units)' }),
);
export const currencyField = z.string({ error: 'currency is required (ISO 4217)' });

const fromMoneyError = (e: unknown): never => {
  if (e instanceof MoneyError)
    throw e.code === 'CURRENCY_UNKNOWN'
      ? new DomainError('CURRENCY_UNKNOWN', e.message, '30', 'validation')
      : new DomainError('AMOUNT_INVALID', e.message, '13', 'validation');
  throw e;
};

export const amountOf = (raw: unknown): bigint => {
  try {
    return parseMinorUnits(raw);
  } catch (e) {
    return fromMoneyError(e);
  }
};

export const currencyOf = (raw: unknown) => {
  try {
    return parseCurrency(raw);
  } catch (e) {
    return fromMoneyError(e);
  }
};

export const totalsField = z
  .array(
    z.object({
      currency: currencyField,
      debitCount: z.number().int().min(0),
      debitAmount: amountField,
      creditCount: z.number().int().min(0),
      creditAmount: amountField,
    }),
  )
  .max(20);
