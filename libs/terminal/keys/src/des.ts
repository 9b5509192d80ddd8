// DES and two-key triple DES block operations, the only ciphers ISO 8583 terminals use for keys and MACs.
// OpenSSL 3 (Node 24) keeps single DES ('des-ecb', 'des-cbc') in its legacy provider, which Node does not load:
// single DES is two-key EDE with K1 = K2, since E_K(D_K(E_K(x))) = E_K(x) (and likewise for decryption).
import { createCipheriv, createDecipheriv, createSecretKey, KeyObject } from 'node:crypto';

export const BLOCK = 8;

/**
 * A two-key triple-DES key imported once (a single DES key K as K‖K). Handing raw bytes to each
 * cipher imports the key every time, which cost more than the cipher (bench:load's profile of
 * the ISO 8583 front: two MACs per message, three ciphers each).
 */
export type DesKey = KeyObject;

export const edeKey = (key16: Uint8Array): DesKey => {
  if (key16.length !== 2 * BLOCK) throw new RangeError(`a double-length DES key is ${2 * BLOCK} bytes, got ${key16.length}`);
  return createSecretKey(Buffer.from(key16));
};

const ecb = (mode: 'encrypt' | 'decrypt', key16: Uint8Array | DesKey, data: Uint8Array): Buffer => {
  if (data.length % BLOCK !== 0) throw new RangeError(`DES data must be whole ${BLOCK}-byte blocks, got ${data.length} bytes`);
  const cipher = mode === 'encrypt' ? createCipheriv('des-ede-ecb', key16, null) : createDecipheriv('des-ede-ecb', key16, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
};

const single = (key8: Uint8Array): Buffer => {
  if (key8.length !== BLOCK) throw new RangeError(`a single DES key is ${BLOCK} bytes, got ${key8.length}`);
  return Buffer.concat([key8, key8]);
};

/** A single DES key, imported once. */
export const singleDesKey = (key8: Uint8Array): DesKey => createSecretKey(single(key8));

/** Single DES, ECB, over whole blocks. */
export const desEncrypt = (key8: Uint8Array, data: Uint8Array): Buffer => ecb('encrypt', single(key8), data);
export const desDecrypt = (key8: Uint8Array, data: Uint8Array): Buffer => ecb('decrypt', single(key8), data);

/** Two-key triple DES (EDE: encrypt K1, decrypt K2, encrypt K1), ECB, over whole blocks: how keys travel under a master key. */
export const tdesEncrypt = (key16: Uint8Array | DesKey, data: Uint8Array): Buffer => ecb('encrypt', key16, data);
export const tdesDecrypt = (key16: Uint8Array | DesKey, data: Uint8Array): Buffer => ecb('decrypt', key16, data);

/** Single-DES CBC-MAC with a zero IV: the last cipher block of the data (already whole blocks). `key8`: 8 bytes, or singleDesKey's. */
export const cbcMac = (key8: Uint8Array | DesKey, data: Uint8Array): Buffer => {
  if (data.length === 0 || data.length % BLOCK !== 0) throw new RangeError(`CBC-MAC data must be whole ${BLOCK}-byte blocks, got ${data.length} bytes`);
  const cipher = createCipheriv('des-ede-cbc', key8 instanceof KeyObject ? key8 : single(key8), Buffer.alloc(BLOCK));
  cipher.setAutoPadding(false);
  const out = Buffer.concat([cipher.update(data), cipher.final()]);
  return out.subarray(out.length - BLOCK);
};

/** XOR of two equal-length byte strings. */
export const xor = (a: Uint8Array, b: Uint8Array): Buffer => {
  if (a.length !== b.length) throw new RangeError(`xor of ${a.length} and ${b.length} bytes`);
  return Buffer.from(a.map((x, i) => x ^ b[i]));
};

/** ISO 9797-1 padding method 1: zero bytes up to a whole block; empty data becomes one zero block. */
export const padZeros = (data: Uint8Array): Buffer => {
  const length = Math.max(BLOCK, Math.ceil(data.length / BLOCK) * BLOCK);
  const out = Buffer.alloc(length);
  out.set(data);
  return out;
};

/** Key check value: the first 3 bytes of the key (triple DES) encrypting a zero block, as HSMs and UnionPay print it. */
export const checkValue = (key16: Uint8Array): Buffer => tdesEncrypt(key16, Buffer.alloc(BLOCK)).subarray(0, 3);

/** Sets each byte's low bit so every byte has odd parity, as DES keys conventionally do (parity bits are not key bits). */
export const withOddParity = (key: Uint8Array): Buffer =>
  Buffer.from(key.map((b) => {
    const high = b & 0xfe;
    let ones = 0;
    for (let v = high; v; v >>= 1) ones += v & 1;
    return high | (ones % 2 === 0 ? 1 : 0);
  }));
