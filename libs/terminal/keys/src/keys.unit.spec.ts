import { describe, expect, it } from 'vitest';
import { KEY_LENGTH, keyBytes, keyInClear, SecretKey, signOnMacKey } from './keys';
import { shownForms } from './shown.spec-helper';

const KEY_HEX = '0123456789ABCDEFFEDCBA9876543210';

describe('SecretKey', () => {
  it('carries its role and check value', () => {
    const key = SecretKey.fromHex('TMK', KEY_HEX);
    expect(key.role).toBe('TMK');
    expect(key.kcv).toBe('08D7B4');
  });

  it('never shows its bytes: JSON, string, inspection (console, pino) and enumeration show role and KCV only', () => {
    const key = SecretKey.fromHex('MAC', KEY_HEX);
    for (const text of shownForms(key)) {
      expect(text.toUpperCase()).not.toContain('0123456789ABCDEF');
      expect(text.toUpperCase()).not.toContain('FEDCBA9876543210');
      expect(text).toContain('08D7B4');
    }
    expect(JSON.parse(JSON.stringify(key))).toEqual({ role: 'MAC', kcv: '08D7B4' });
  });

  it('copies the bytes it is given, so changing them afterwards does not change the key', () => {
    const bytes = Buffer.from(KEY_HEX, 'hex');
    const key = SecretKey.of('PIN', bytes);
    bytes.fill(0);
    expect(key.equals(SecretKey.fromHex('PIN', KEY_HEX))).toBe(true);
  });

  it('refuses keys that are not 16 bytes or not hex, with KEY_FORMAT_INVALID', () => {
    const refusal = expect.objectContaining({ code: 'KEY_FORMAT_INVALID', responseCode: '30' });
    expect(() => SecretKey.of('TMK', Buffer.alloc(8))).toThrow(refusal);
    expect(() => SecretKey.of('TMK', Buffer.alloc(24))).toThrow(refusal);
    expect(() => SecretKey.fromHex('TMK', KEY_HEX.slice(0, 30))).toThrow(refusal);
    expect(() => SecretKey.fromHex('TMK', `${KEY_HEX.slice(0, 31)}G`)).toThrow(refusal);
    expect(() => SecretKey.fromHex('TMK', `${KEY_HEX.slice(0, 31)}`)).toThrow(refusal);
  });

  it('generates fresh double-length keys with odd parity, a different one each time', () => {
    const keys = Array.from({ length: 20 }, () => SecretKey.generate('TMK'));
    expect(new Set(keys.map((k) => k.kcv)).size).toBe(keys.length);
    for (const key of keys) {
      expect(key.equals(key)).toBe(true);
      expect(key.equals(keys.find((k) => k !== key)!)).toBe(false);
    }
    for (const key of keys) {
      const bytes = keyBytes(key);
      expect(bytes).toHaveLength(KEY_LENGTH);
      for (const b of bytes) expect(b.toString(2).split('').filter((c) => c === '1').length % 2).toBe(1);
    }
  });

  it('gives a key in clear only through keyInClear, and the master key in its sign-on MAC role with the same bytes', () => {
    const tmk = SecretKey.fromHex('TMK', KEY_HEX);
    expect(keyInClear(tmk)).toBe(KEY_HEX);
    const mac = signOnMacKey(tmk);
    expect([mac.role, mac.kcv, keyInClear(mac)]).toEqual(['MAC', tmk.kcv, KEY_HEX]);
  });
});
