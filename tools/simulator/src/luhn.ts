import type { Prng } from '@pos/kernel';

/** Luhn (mod 10) check digit for a string of digits without its check digit. */
export const luhnCheckDigit = (payload: string): string => {
  if (!/^\d+$/.test(payload)) throw new RangeError('Luhn payload must be digits');
  let sum = 0;
  // Walk from the right; the digit next to the (future) check digit is doubled.
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
};

export const isValidLuhn = (pan: string): boolean =>
  /^\d{2,19}$/.test(pan) && luhnCheckDigit(pan.slice(0, -1)) === pan.slice(-1);

/** A random 16-digit PAN that passes Luhn. Default prefix 62 (UnionPay). */
export const randomPan = (prng: Prng, prefix = '62', length = 16): string => {
  const body = prefix + prng.digits(length - prefix.length - 1);
  return body + luhnCheckDigit(body);
};
