import { tdesDecrypt, tdesEncrypt } from './des';
import { KEY_LENGTH, keyBytes, type MacKey, parseHex, type PinKey, SecretKey, type TerminalMasterKey } from './keys';
import { TerminalKeyErrors } from './terminal-keys.errors';

/** A sign-on's fresh working keys, in the clear (the host keeps them for the session), and field 62 that carries them. */
export interface WorkingKeys {
  readonly pinKey: PinKey;
  readonly macKey: MacKey;
}

const KCV_HEX = 6;
const ENTRY_HEX = KEY_LENGTH * 2 + KCV_HEX;
/** Field 62's length in the 0810: two entries of key under the master key (32 hex) and its check value (6 hex). */
export const WORKING_KEYS_FIELD_LENGTH = ENTRY_HEX * 2;

/** A working key under the master key (two-key triple DES, ECB), as the terminal loads it. */
export const encryptUnderMasterKey = (tmk: TerminalMasterKey, key: PinKey | MacKey): Buffer => tdesEncrypt(keyBytes(tmk), keyBytes(key));

/** Fresh PIN and MAC keys for a sign-on. */
export const generateWorkingKeys = (): WorkingKeys => ({ pinKey: SecretKey.generate('PIN'), macKey: SecretKey.generate('MAC') });

/**
 * Field 62 of the 0810, as text (jPOS's ISO87BPackager packs 62 as LLLCHAR): the PIN key
 * under the master key and its check value, then the MAC key and its check value, upper-case
 * hex: `PPPP…(32) KKKKKK  MMMM…(32) KKKKKK`, 76 characters. UnionPay's own dialect carries
 * the same four parts in binary, with 4-byte check values.
 */
export const workingKeysField = (tmk: TerminalMasterKey, keys: WorkingKeys): string =>
  [keys.pinKey, keys.macKey].map((k) => encryptUnderMasterKey(tmk, k).toString('hex').toUpperCase() + k.kcv).join('');

/**
 * The terminal's side of sign-on (and the simulator's): the working keys field 62 carries,
 * decrypted with the terminal's master key, each checked against its check value.
 */
export const acceptWorkingKeys = (tmk: TerminalMasterKey, field62: string): WorkingKeys => {
  if (field62.length !== WORKING_KEYS_FIELD_LENGTH) throw TerminalKeyErrors.KEY_FORMAT_INVALID(`field 62 carries working keys in ${WORKING_KEYS_FIELD_LENGTH} hex digits, got ${field62.length}`);
  const entry = <R extends 'PIN' | 'MAC'>(role: R, at: number): SecretKey<R> => {
    const encrypted = parseHex(field62.slice(at, at + KEY_LENGTH * 2), `field 62's ${role} key`);
    const kcv = field62.slice(at + KEY_LENGTH * 2, at + ENTRY_HEX).toUpperCase();
    const key = SecretKey.of(role, tdesDecrypt(keyBytes(tmk), encrypted));
    if (key.kcv !== kcv) throw TerminalKeyErrors.KEY_CHECK_VALUE_MISMATCH(`the ${role} key in field 62 decrypts to check value ${key.kcv}, field 62 says ${kcv}: another master key, or altered`);
    return key;
  };
  return { pinKey: entry('PIN', 0), macKey: entry('MAC', ENTRY_HEX) };
};
