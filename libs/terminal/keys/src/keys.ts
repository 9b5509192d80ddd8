import { randomBytes } from 'node:crypto';
import { checkValue, withOddParity } from './des';
import { TerminalKeyErrors } from './terminal-keys.errors';

/** Double-length (two-key triple DES) keys, as UnionPay terminals hold them. */
export const KEY_LENGTH = 16;

/** What a key is for: a terminal's master key, or one of the working keys sign-on issues under it. */
export type KeyRole = 'TMK' | 'PIN' | 'MAC';

const material = new WeakMap<SecretKey<KeyRole>, Buffer>();
const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

/**
 * A clear DES key. Its bytes never leave through JSON, string conversion or console/pino
 * inspection: those show only its role and check value, the way HSM logs show keys.
 * The bytes sit outside the object (a module WeakMap), so no enumeration reaches them.
 */
export class SecretKey<R extends KeyRole> {
  /** The key check value, hex: what operators compare when a key is loaded. */
  readonly kcv: string;

  private constructor(readonly role: R, bytes: Buffer) {
    material.set(this, bytes);
    this.kcv = checkValue(bytes).toString('hex').toUpperCase();
  }

  /** A key from its 16 bytes (copied; parity bits are taken as given). */
  static of<R extends KeyRole>(role: R, bytes: Uint8Array): SecretKey<R> {
    if (bytes.length !== KEY_LENGTH) throw TerminalKeyErrors.KEY_FORMAT_INVALID(`a ${role} key is ${KEY_LENGTH} bytes (double-length DES), got ${bytes.length}`);
    return new SecretKey(role, Buffer.from(bytes));
  }

  /** A key from 32 hex digits (test vectors, the simulator's configuration). */
  static fromHex<R extends KeyRole>(role: R, hex: string): SecretKey<R> {
    return SecretKey.of(role, parseHex(hex, `a ${role} key`));
  }

  /** A fresh random key with odd parity. */
  static generate<R extends KeyRole>(role: R): SecretKey<R> {
    return new SecretKey(role, withOddParity(randomBytes(KEY_LENGTH)));
  }

  /** Whether both hold the same bytes (constant time is not needed: keys are never compared with input). */
  equals(other: SecretKey<KeyRole>): boolean {
    return keyBytes(this).equals(keyBytes(other));
  }

  toJSON(): { role: R; kcv: string } {
    return { role: this.role, kcv: this.kcv };
  }

  toString(): string {
    return `[${this.role} key, KCV ${this.kcv}]`;
  }

  [inspectCustom](): string {
    return this.toString();
  }
}

export type TerminalMasterKey = SecretKey<'TMK'>;
export type PinKey = SecretKey<'PIN'>;
export type MacKey = SecretKey<'MAC'>;

/**
 * A key in clear, as hex: only for its one-time delivery to the terminal (the master key in the
 * registration answer) and for a terminal's own key store (the test and simulator terminals).
 */
export const keyInClear = (key: SecretKey<KeyRole>): string => keyBytes(key).toString('hex').toUpperCase();

/** The master key in the role that MACs the sign-on 0800: the terminal proves it holds its master key. */
export const signOnMacKey = (tmk: TerminalMasterKey): MacKey => SecretKey.of('MAC', keyBytes(tmk));

/** A key's bytes, for this library's ciphers only (not exported from the package). */
export const keyBytes = (key: SecretKey<KeyRole>): Buffer => {
  const bytes = material.get(key);
  if (!bytes) throw new TypeError('not a key made by SecretKey');
  return bytes;
};

/** Strict hex: even length, hex digits only (Buffer.from(…, 'hex') silently stops at the first bad digit). */
export const parseHex = (hex: string, what: string): Buffer => {
  if (!/^(?:[0-9A-Fa-f]{2})*$/.test(hex)) throw TerminalKeyErrors.KEY_FORMAT_INVALID(`${what} must be hex digits in pairs`);
  return Buffer.from(hex, 'hex');
};
