import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_KEY_ENCRYPTION_KEY_HEX, KeyEncryptionKey, keyEncryptionKeyFrom, openMacKey, openMasterKey, sealMacKey, sealMasterKey } from './at-rest';
import { SecretKey } from './keys';
import { shownForms } from './shown.spec-helper';

const KEK_HEX = 'A1'.repeat(32);
const TMK_HEX = '0123456789ABCDEFFEDCBA9876543210';
const unsealFailed = expect.objectContaining({ code: 'KEY_UNSEAL_FAILED', responseCode: '96' });
const kekInvalid = expect.objectContaining({ code: 'KEY_ENCRYPTION_KEY_INVALID' });

describe('master keys at rest (AES-256-GCM under the key-encryption key)', () => {
  const kek = KeyEncryptionKey.fromHex(KEK_HEX);
  const tmk = SecretKey.fromHex('TMK', TMK_HEX);

  it('round-trips: the sealed blob opens to the same key under the same KEK and terminal', () => {
    const sealed = sealMasterKey(kek, 'T0000001', tmk);
    expect(openMasterKey(kek, 'T0000001', sealed).equals(tmk)).toBe(true);
  });

  it('the blob is not the key: no hex or base64 of the key bytes in it, and two seals of one key differ', () => {
    const sealed = sealMasterKey(kek, 'T0000001', tmk);
    const bytes = Buffer.from(TMK_HEX, 'hex');
    for (const form of [TMK_HEX, TMK_HEX.toLowerCase(), bytes.toString('base64url'), bytes.toString('base64'), bytes.subarray(0, 8).toString('base64url')]) expect(sealed).not.toContain(form);
    expect(sealed).toMatch(/^tmk1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealMasterKey(kek, 'T0000001', tmk)).not.toBe(sealed);
  });

  it('fails with KEY_UNSEAL_FAILED under another KEK, for another terminal, or altered', () => {
    const sealed = sealMasterKey(kek, 'T0000001', tmk);
    expect(() => openMasterKey(KeyEncryptionKey.fromHex('B2'.repeat(32)), 'T0000001', sealed)).toThrow(unsealFailed);
    expect(() => openMasterKey(kek, 'T0000002', sealed)).toThrow(unsealFailed);
    const [v, iv, data, tag] = sealed.split('.');
    const flipped = Buffer.from(data, 'base64url');
    flipped[0] ^= 1;
    expect(() => openMasterKey(kek, 'T0000001', [v, iv, flipped.toString('base64url'), tag].join('.'))).toThrow(unsealFailed);
    for (const bad of ['', 'tmk1', `tmk2.${iv}.${data}.${tag}`, `tmk1.${iv}.${data}`, `tmk1.${iv}.${data}.${tag}.x`, `tmk1.${iv}.${data}.${tag.slice(2)}`, `tmk1.${iv}.${data}.${tag}!`])
      expect(() => openMasterKey(kek, 'T0000001', bad)).toThrow(unsealFailed);
  });

  it("a session's MAC key seals as mak1, opens only as a MAC key of its terminal, and a master key's blob does not open as one", () => {
    const mac = SecretKey.fromHex('MAC', 'FEDCBA98765432100123456789ABCDEF');
    const sealed = sealMacKey(kek, 'T0000001', mac);
    expect(sealed).toMatch(/^mak1\./);
    expect(openMacKey(kek, 'T0000001', sealed).equals(mac)).toBe(true);
    expect(() => openMacKey(kek, 'T0000002', sealed)).toThrow(unsealFailed);
    // The version is authenticated too: relabelled, neither blob opens in the other role.
    expect(() => openMasterKey(kek, 'T0000001', sealed.replace(/^mak1/, 'tmk1'))).toThrow(unsealFailed);
    expect(() => openMacKey(kek, 'T0000001', sealMasterKey(kek, 'T0000001', tmk).replace(/^tmk1/, 'mak1'))).toThrow(unsealFailed);
  });

  it('the error names the terminal and the KEK fingerprint, never key bytes', () => {
    const sealed = sealMasterKey(kek, 'T0000001', tmk);
    try {
      openMasterKey(KeyEncryptionKey.fromHex('B2'.repeat(32)), 'T0000001', sealed);
      expect.unreachable();
    } catch (e) {
      const text = `${(e as Error).message} ${JSON.stringify((e as { details?: unknown }).details)}`;
      expect(text).toContain('T0000001');
      expect(text).not.toContain('B2B2');
      expect(text.toUpperCase()).not.toContain(TMK_HEX);
    }
  });
});

describe('the key-encryption key', () => {
  it('is 64 hex digits; anything else is KEY_ENCRYPTION_KEY_INVALID', () => {
    for (const bad of ['', 'A1'.repeat(31), 'A1'.repeat(33), `${'A1'.repeat(31)}G1`, ' '.repeat(64)]) expect(() => KeyEncryptionKey.fromHex(bad)).toThrow(kekInvalid);
  });

  it('never shows its bytes, only a fingerprint', () => {
    const kek = KeyEncryptionKey.fromHex(KEK_HEX);
    for (const text of shownForms(kek)) {
      expect(text.toUpperCase()).not.toContain('A1A1');
      expect(text).toContain(kek.fingerprint);
    }
    expect(kek.fingerprint).toMatch(/^[0-9a-f]{8}$/);
    expect(KeyEncryptionKey.fromHex('B2'.repeat(32)).fingerprint).not.toBe(kek.fingerprint);
  });

  it('comes from configuration; the development key only where the development default is accepted', () => {
    expect(keyEncryptionKeyFrom(KEK_HEX, false).fingerprint).toBe(KeyEncryptionKey.fromHex(KEK_HEX).fingerprint);
    expect(keyEncryptionKeyFrom(KEK_HEX, true).fingerprint).toBe(KeyEncryptionKey.fromHex(KEK_HEX).fingerprint);
    expect(keyEncryptionKeyFrom(undefined, true).fingerprint).toBe(KeyEncryptionKey.fromHex(DEVELOPMENT_KEY_ENCRYPTION_KEY_HEX).fingerprint);
    expect(keyEncryptionKeyFrom('', true).fingerprint).toBe(KeyEncryptionKey.fromHex(DEVELOPMENT_KEY_ENCRYPTION_KEY_HEX).fingerprint);
    expect(() => keyEncryptionKeyFrom(undefined, false)).toThrow(kekInvalid);
    expect(() => keyEncryptionKeyFrom('', false)).toThrow(kekInvalid);
    expect(() => keyEncryptionKeyFrom('not hex', true)).toThrow(kekInvalid);
  });

  it('a key sealed under the development KEK does not open under a configured one', () => {
    const tmk = SecretKey.fromHex('TMK', TMK_HEX);
    const sealed = sealMasterKey(keyEncryptionKeyFrom(undefined, true), 'T0000001', tmk);
    expect(() => openMasterKey(KeyEncryptionKey.fromHex(KEK_HEX), 'T0000001', sealed)).toThrow(unsealFailed);
  });
});
