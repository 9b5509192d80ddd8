import { describe, expect, it } from 'vitest';
import { tdesDecrypt } from './des';
import { keyBytes, SecretKey } from './keys';
import { retailMac, verifyMac } from './mac';
import { acceptWorkingKeys, encryptUnderMasterKey, generateWorkingKeys, WORKING_KEYS_FIELD_LENGTH, workingKeysField } from './working-keys';

const TMK = SecretKey.fromHex('TMK', '0123456789ABCDEFFEDCBA9876543210');
const HEX = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('sign-on working keys under the master key (field 62)', () => {
  it('issues a fresh PIN key and MAC key, different from each other and from the last sign-on', () => {
    const a = generateWorkingKeys();
    const b = generateWorkingKeys();
    expect(a.pinKey.role).toBe('PIN');
    expect(a.macKey.role).toBe('MAC');
    expect(a.pinKey.equals(a.macKey)).toBe(false);
    expect(a.macKey.equals(b.macKey)).toBe(false);
    expect(a.pinKey.equals(b.pinKey)).toBe(false);
  });

  it('encrypts a working key under the master key with two-key triple DES ECB', () => {
    // The cipher itself is checked against a published TMK/TAK pair in des.unit.spec.ts; here: the key goes in whole, and comes back.
    const mac = SecretKey.fromHex('MAC', '0123456789ABCDEFFEDCBA9876543210');
    const encrypted = encryptUnderMasterKey(TMK, mac);
    expect(encrypted).toHaveLength(16);
    expect(HEX(encrypted)).not.toBe('0123456789ABCDEFFEDCBA9876543210');
    expect(HEX(tdesDecrypt(keyBytes(TMK), encrypted))).toBe('0123456789ABCDEFFEDCBA9876543210');
  });

  it('lays out field 62 as PIN key under TMK, its KCV, MAC key under TMK, its KCV (76 hex digits)', () => {
    const keys = generateWorkingKeys();
    const field = workingKeysField(TMK, keys);
    expect(field).toHaveLength(WORKING_KEYS_FIELD_LENGTH);
    expect(field).toMatch(/^[0-9A-F]{76}$/);
    expect(field.slice(0, 32)).toBe(HEX(encryptUnderMasterKey(TMK, keys.pinKey)));
    expect(field.slice(32, 38)).toBe(keys.pinKey.kcv);
    expect(field.slice(38, 70)).toBe(HEX(encryptUnderMasterKey(TMK, keys.macKey)));
    expect(field.slice(70)).toBe(keys.macKey.kcv);
    expect(field).not.toContain(HEX(keyBytes(keys.macKey)));
    expect(field).not.toContain(HEX(keyBytes(keys.pinKey)));
  });

  it('round trip: the terminal decrypts with its TMK the same keys, and MACs it computes verify on the host', () => {
    const host = generateWorkingKeys();
    const terminal = acceptWorkingKeys(TMK, workingKeysField(TMK, host));
    expect(terminal.pinKey.equals(host.pinKey)).toBe(true);
    expect(terminal.macKey.equals(host.macKey)).toBe(true);
    const message = Buffer.from('0200 …', 'latin1');
    expect(verifyMac(host.macKey, message, retailMac(terminal.macKey, message))).toBe(true);
  });

  it('another master key does not yield the keys: KEY_CHECK_VALUE_MISMATCH', () => {
    const field = workingKeysField(TMK, generateWorkingKeys());
    expect(() => acceptWorkingKeys(SecretKey.generate('TMK'), field)).toThrow(expect.objectContaining({ code: 'KEY_CHECK_VALUE_MISMATCH' }));
  });

  it('an altered key or check value is refused: KEY_CHECK_VALUE_MISMATCH', () => {
    const field = workingKeysField(TMK, generateWorkingKeys());
    const alter = (at: number) => field.slice(0, at) + (field[at] === '0' ? '1' : '0') + field.slice(at + 1);
    for (const at of [0, 31, 32, 37, 38, 69, 70, 75]) expect(() => acceptWorkingKeys(TMK, alter(at))).toThrow(expect.objectContaining({ code: 'KEY_CHECK_VALUE_MISMATCH' }));
  });

  it('a field 62 of the wrong shape is KEY_FORMAT_INVALID', () => {
    const field = workingKeysField(TMK, generateWorkingKeys());
    const refusal = expect.objectContaining({ code: 'KEY_FORMAT_INVALID' });
    for (const bad of ['', field.slice(0, 75), `${field}0`, `Z${field.slice(1)}`]) expect(() => acceptWorkingKeys(TMK, bad)).toThrow(refusal);
  });
});
