import { amountAccepted, parsedApart, wire } from '@pos/contracts';
import { MAX_MINOR_DIGITS, MoneyError, NumberLiteral, parseCurrency, parseMinorUnits } from '@pos/money';
import { MAX_TRANSACTION_AMOUNT, TerminalErrors } from '@pos/terminal-domain';
import { z } from 'zod';

/** Fields every terminal request shares. Amount and currency are parsed apart to give their own error codes. */
export const { stan, batchNo, rrn, operatorId } = wire;
export const password = z.string().min(4).max(32);
export const method = z.enum(['BANK_CARD', 'QR']);
/** An amount as the client wrote it: a JSON integer, a string of digits, or a number literal's text (refused by amountOf). */
const lenientAmount = () =>
  z.preprocess((raw) => (raw instanceof NumberLiteral ? raw.text : raw), z.union([z.number(), z.string()], { error: 'amount is required (integer minor units)' }));
/** A transaction's amount or a terminal's limit: 1 to MAX_TRANSACTION_AMOUNT. */
export const amountField = parsedApart(lenientAmount(), amountAccepted(1, String(MAX_TRANSACTION_AMOUNT).length));
/** An amount in totals or in a batch upload's record of the terminal: zero or more. */
export const recordedAmountField = parsedApart(lenientAmount(), amountAccepted(0, MAX_MINOR_DIGITS));
export const currencyField = parsedApart(z.string({ error: 'currency is required (ISO 4217)' }), wire.currencyCode);
/** Masked by maskPan, which refuses it with CARD_NUMBER_INVALID. */
export const panField = parsedApart(z.string(), z.string().regex(/^\d{12,19}$/).describe('12 to 19 digits passing the Luhn check'));

const fromMoneyError = (e: unknown): never => {
  if (e instanceof MoneyError)
    throw e.code === 'CURRENCY_UNKNOWN'
      ? TerminalErrors.CURRENCY_UNKNOWN(e.message)
      : TerminalErrors.AMOUNT_INVALID(e.message);
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
      debitAmount: recordedAmountField,
      creditCount: z.number().int().min(0),
      creditAmount: recordedAmountField,
    }),
  )
  .max(20);
