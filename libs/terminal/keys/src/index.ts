// Terminal key management and message authentication for the ISO 8583 front: master keys sealed
// at rest, sign-on working keys under the master key, the field 64 MAC. A `type:core` library,
// not `type:domain`: it is pure (no I/O, no framework) but needs ciphers, and the lint lets the
// core import `node:crypto` (as the eventing core does for its hash chain) and nothing else of Node.
export { KEY_LENGTH, keyInClear, SecretKey, signOnMacKey } from './keys';
export type { KeyRole, MacKey, PinKey, TerminalMasterKey } from './keys';
export { MAC_LENGTH, requireMac, retailMac, unionPayEcbMac, verifyMac } from './mac';
export {
  DEVELOPMENT_KEY_ENCRYPTION_KEY_HEX, KEY_ENCRYPTION_KEY_VARIABLE, KeyEncryptionKey, keyEncryptionKeyFrom, openMacKey, openMasterKey, sealMacKey, sealMasterKey,
} from './at-rest';
export { acceptWorkingKeys, encryptUnderMasterKey, generateWorkingKeys, WORKING_KEYS_FIELD_LENGTH, workingKeysField } from './working-keys';
export type { WorkingKeys } from './working-keys';
export { TerminalKeyErrors } from './terminal-keys.errors';
