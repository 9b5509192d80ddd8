import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '@pos/eventing';
import { MaskedPan } from '@pos/kernel';
import { sha256 } from '@pos/platform';
import { TerminalErrors } from '@pos/terminal-domain';

const scryptAsync = (password: string, salt: Buffer, cost: number): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );

/** Operator passwords are kept only as salted scrypt hashes: `scrypt$N$salt$hash`. */
export const hashPassword = async (password: string, cost: number): Promise<string> => {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, cost);
  return `scrypt$${cost}$${salt.toString('base64url')}$${key.toString('base64url')}`;
};

export const verifyPassword = async (password: string, stored: string | undefined): Promise<boolean> => {
  const [scheme, cost, salt, hash] = (stored ?? '').split('$');
  if (scheme !== 'scrypt' || !cost || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), Number(cost));
  return key.length === expected.length && timingSafeEqual(key, expected);
};

export const newApiKey = (): string => randomBytes(32).toString('base64url');

const luhnValid = (pan: string): boolean => {
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let d = Number(pan[pan.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
};

/** The full card number never leaves this function: first six and last four only. */
export const maskPan = (pan: string): MaskedPan => {
  if (!/^\d{12,19}$/.test(pan) || !luhnValid(pan)) throw TerminalErrors.CARD_NUMBER_INVALID('card number is not a valid PAN');
  return MaskedPan.parse(`${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`);
};

/**
 * Fingerprint of a request for idempotency: the route and the body with
 * secrets removed (no password, masked PAN, hashed QR token), so no secret is
 * ever stored, even hashed in a way a 4-digit password could be guessed from.
 */
export const fingerprintOf = (route: string, body: Record<string, unknown>): string => {
  const { password: _password, card, qr, ...rest } = body as { password?: unknown; card?: { pan?: string }; qr?: { payerToken?: string } } & Record<string, unknown>;
  const safe = {
    ...rest,
    ...(card?.pan ? { card: maskPan(card.pan) } : {}),
    ...(qr?.payerToken ? { qr: sha256(qr.payerToken) } : {}),
  };
  return sha256(`${route}|${canonicalJson(safe)}`);
};
