import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { keyBytes, type MacKey, SecretKey, type TerminalMasterKey } from './keys';
import { TerminalKeyErrors } from './terminal-keys.errors';

/** The environment variable that holds the key-encryption key: 64 hex digits (e.g. `openssl rand -hex 32`). */
export const KEY_ENCRYPTION_KEY_VARIABLE = 'LEDGER_KEY_ENCRYPTION_KEY';

/**
 * The well-known development key-encryption key: only for the embedded default (like the
 * development token), so a fresh clone runs without configuration. Master keys sealed under
 * it are as good as clear: never use it where real terminals connect.
 */
export const DEVELOPMENT_KEY_ENCRYPTION_KEY_HEX = createHash('sha256').update('pos-ledger development key-encryption key').digest('hex');

const KEK_LENGTH = 32;
const kekMaterial = new WeakMap<KeyEncryptionKey, Buffer>();

/** The AES-256 key that seals terminal master keys at rest. Like SecretKey, it never shows its bytes. */
export class KeyEncryptionKey {
  /** A short fingerprint (SHA-256 of the key, 4 bytes) to tell in logs which key is configured, never the key. */
  readonly fingerprint: string;

  private constructor(bytes: Buffer) {
    kekMaterial.set(this, bytes);
    this.fingerprint = createHash('sha256').update(bytes).digest('hex').slice(0, 8);
  }

  static fromHex(hex: string): KeyEncryptionKey {
    const bytes = /^[0-9A-Fa-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
    if (!bytes || bytes.length !== KEK_LENGTH)
      throw TerminalKeyErrors.KEY_ENCRYPTION_KEY_INVALID(`${KEY_ENCRYPTION_KEY_VARIABLE} must be ${KEK_LENGTH * 2} hex digits (256 bits, e.g. \`openssl rand -hex 32\`)`);
    return new KeyEncryptionKey(bytes);
  }

  toJSON(): { fingerprint: string } {
    return { fingerprint: this.fingerprint };
  }

  toString(): string {
    return `[key-encryption key ${this.fingerprint}]`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

const kekBytes = (kek: KeyEncryptionKey): Buffer => {
  const bytes = kekMaterial.get(kek);
  if (!bytes) throw new TypeError('not a KeyEncryptionKey');
  return bytes;
};

/**
 * The key-encryption key a process runs with: the configured one, or the development one
 * where the development default is accepted (the caller says where: the embedded default on
 * loopback); anywhere else a missing key refuses to start.
 */
export const keyEncryptionKeyFrom = (configured: string | undefined, developmentAccepted: boolean): KeyEncryptionKey => {
  if (configured !== undefined && configured !== '') return KeyEncryptionKey.fromHex(configured);
  if (developmentAccepted) return KeyEncryptionKey.fromHex(DEVELOPMENT_KEY_ENCRYPTION_KEY_HEX);
  throw TerminalKeyErrors.KEY_ENCRYPTION_KEY_INVALID(`${KEY_ENCRYPTION_KEY_VARIABLE} is not set: the development key-encryption key works only on the embedded default on loopback`);
};

const IV_LENGTH = 12;
const TAG_LENGTH = 16;
/** The sealed form's version says what it holds: a master key, or a session's MAC key. */
const VERSION = { TMK: 'tmk1', MAC: 'mak1' } as const;
const NAME = { TMK: 'master key', MAC: 'session MAC key' } as const;
type Sealable = keyof typeof VERSION;
// The version and terminal id are authenticated with the key, so a sealed key copied onto another
// terminal's record, or a MAC key's blob put where a master key belongs, does not open.
const aad = (version: string, terminalId: string) => Buffer.from(`${version}:${terminalId}`, 'utf8');

/**
 * A key sealed for storage: AES-256-GCM under the key-encryption key, bound to its terminal.
 * `<version>.<iv>.<ciphertext>.<tag>` (base64url), a string any store keeps as text.
 */
const seal = (kek: KeyEncryptionKey, terminalId: string, key: SecretKey<Sealable>): string => {
  const version = VERSION[key.role];
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', kekBytes(kek), iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad(version, terminalId));
  const sealed = Buffer.concat([cipher.update(keyBytes(key)), cipher.final()]);
  return [version, iv, sealed, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
};

/** The key a sealed blob holds; KEY_UNSEAL_FAILED if it is not a key of this role this KEK sealed for this terminal. */
const open = <R extends Sealable>(role: R, kek: KeyEncryptionKey, terminalId: string, sealed: string): SecretKey<R> => {
  const version = VERSION[role];
  const unsealable = (why: string) => TerminalKeyErrors.KEY_UNSEAL_FAILED(`terminal ${terminalId}'s stored ${NAME[role]} does not open: ${why}`, { terminalId, kek: kek.fingerprint });
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== version || !parts.slice(1).every((p) => /^[A-Za-z0-9_-]+$/.test(p))) throw unsealable(`not a ${version} sealed key`);
  const [iv, data, tag] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
  if (iv.length !== IV_LENGTH || tag.length !== TAG_LENGTH) throw unsealable(`not a ${version} sealed key`);
  const decipher = createDecipheriv('aes-256-gcm', kekBytes(kek), iv, { authTagLength: TAG_LENGTH });
  decipher.setAAD(aad(version, terminalId));
  decipher.setAuthTag(tag);
  let clear: Buffer;
  try {
    clear = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw unsealable(`another key-encryption key (configured: ${kek.fingerprint}), another terminal's key, or altered`);
  }
  return SecretKey.of(role, clear);
};

/** A master key sealed for its terminal's credentials record: `tmk1.…`. */
export const sealMasterKey = (kek: KeyEncryptionKey, terminalId: string, tmk: TerminalMasterKey): string => seal(kek, terminalId, tmk);
export const openMasterKey = (kek: KeyEncryptionKey, terminalId: string, sealed: string): TerminalMasterKey => open('TMK', kek, terminalId, sealed);

/** A session's MAC key sealed, so that every gateway replica, and one restarted, verifies the terminal's MACs: `mak1.…`. */
export const sealMacKey = (kek: KeyEncryptionKey, terminalId: string, key: MacKey): string => seal(kek, terminalId, key);
export const openMacKey = (kek: KeyEncryptionKey, terminalId: string, sealed: string): MacKey => open('MAC', kek, terminalId, sealed);
