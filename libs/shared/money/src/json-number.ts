/**
 * A JSON number whose literal is not a plain integer that a double holds exactly: a fraction
 * (`1.0`), an exponent (`1e3`) or more than 2^53. `keepNumberLiterals` keeps it as its text, so
 * an amount is read from what the client wrote, never from the float JSON.parse makes of it.
 */
export class NumberLiteral {
  constructor(readonly text: string) {}
}

const PLAIN_INTEGER = /^-?\d+$/;

/**
 * A JSON.parse reviver (Node 24 passes each primitive's source text): numbers written as plain
 * safe integers stay numbers; any other number literal becomes a NumberLiteral, which an amount
 * field reads as its text and every other number field refuses.
 */
export const keepNumberLiterals = (_key: string, value: unknown, context?: { source?: string }): unknown =>
  typeof value === 'number' && context?.source !== undefined && !(Number.isSafeInteger(value) && PLAIN_INTEGER.test(context.source))
    ? new NumberLiteral(context.source)
    : value;
