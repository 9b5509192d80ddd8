import { timingSafeEqual } from 'node:crypto';
import { BLOCK, cbcMac, type DesKey, edeKey, padZeros, singleDesKey, tdesEncrypt, xor } from './des';
import { keyBytes, type MacKey } from './keys';
import { TerminalKeyErrors } from './terminal-keys.errors';

/** Field 64 is 8 bytes. */
export const MAC_LENGTH = 8;

/**
 * ANSI X9.19 retail MAC (ISO 9797-1 MAC algorithm 3, padding method 1): single-DES CBC-MAC
 * with the key's left half over the zero-padded data, then the last block decrypted with the
 * right half and encrypted with the left half. All 8 bytes are the MAC.
 *
 * **The gateway uses this one** for field 64: every block is chained through the cipher, so a
 * change anywhere in the message changes the MAC unpredictably, and it is the standard
 * construction HSMs and libraries implement (a jPOS terminal computes it with stock JCE DES).
 * The UnionPay ECB variant below folds the blocks by XOR *before* any encryption, so anyone who
 * has seen one MACed message can forge another with the same MAC without the key: swap two
 * 8-byte blocks, or flip the same bit at the same offset of two blocks (a digit of the amount
 * and one of another field). It is here for terminals that speak UnionPay's own dialect.
 */
export const retailMac = (key: MacKey, data: Uint8Array): Buffer => {
  const { left, whole } = macCiphers(key);
  const padded = padZeros(data);
  const last = padded.subarray(padded.length - BLOCK);
  const head = padded.subarray(0, padded.length - BLOCK);
  // E_L(D_R(E_L(h ⊕ last))) is triple DES (EDE, L‖R) of h ⊕ last, h the single-DES CBC chain
  // before the last block: the same MAC, with two ciphers instead of three.
  const chain = head.length > 0 ? cbcMac(left, head) : Buffer.alloc(BLOCK);
  return tdesEncrypt(whole, xor(chain, last));
};

/** A MAC key's ciphers' keys, imported at its first MAC: a session key MACs every message of its terminal. */
const imported = new WeakMap<MacKey, { left: DesKey; whole: DesKey }>();
const macCiphers = (key: MacKey): { left: DesKey; whole: DesKey } => {
  let ciphers = imported.get(key);
  if (!ciphers) {
    const k = keyBytes(key);
    ciphers = { left: singleDesKey(k.subarray(0, BLOCK)), whole: edeKey(k) };
    imported.set(key, ciphers);
  }
  return ciphers;
};

const asciiHex = (block: Uint8Array): Buffer => Buffer.from(Buffer.from(block).toString('hex').toUpperCase(), 'latin1');

/**
 * UnionPay's POS "ECB" MAC: XOR all zero-padded 8-byte blocks into one; write it as 16 ASCII
 * upper-case hex digits; encrypt the first 8 with the key (triple DES; single DES when both
 * halves are equal), XOR the last 8 into that, encrypt again; the MAC is the first 8 ASCII hex
 * digits of the result (8 bytes of field 64). See retailMac for why the gateway does not use it.
 */
export const unionPayEcbMac = (key: MacKey, data: Uint8Array): Buffer => {
  const k = keyBytes(key);
  const padded = padZeros(data);
  let folded: Buffer = Buffer.alloc(BLOCK);
  for (let at = 0; at < padded.length; at += BLOCK) folded = xor(folded, padded.subarray(at, at + BLOCK));
  const hex = asciiHex(folded);
  const first = tdesEncrypt(k, hex.subarray(0, BLOCK));
  const second = tdesEncrypt(k, xor(first, hex.subarray(BLOCK)));
  return asciiHex(second).subarray(0, MAC_LENGTH);
};

/** Whether `mac` is the retail MAC of `data`, compared in constant time (no timing tells how many bytes matched). */
export const verifyMac = (key: MacKey, data: Uint8Array, mac: Uint8Array): boolean => {
  const expected = retailMac(key, data);
  return mac.length === expected.length && timingSafeEqual(expected, mac);
};

/**
 * The gateway's check of a message that must be authenticated: refuses a missing (or
 * wrong-length) MAC with MAC_MISSING and a wrong one with MAC_INVALID, both answered A0.
 */
export const requireMac = (key: MacKey, data: Uint8Array, mac: Uint8Array | undefined): void => {
  if (mac === undefined || mac.length !== MAC_LENGTH) throw TerminalKeyErrors.MAC_MISSING(`the message carries no ${MAC_LENGTH}-byte MAC in field 64`);
  if (!verifyMac(key, data, mac)) throw TerminalKeyErrors.MAC_INVALID('the MAC in field 64 does not match the message under the terminal\'s MAC key: sign on again');
};
