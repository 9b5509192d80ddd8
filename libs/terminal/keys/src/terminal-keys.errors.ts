import { errorCatalogue } from '@pos/kernel';

/** Refusals of terminal key management and message authentication. Catalogue in docs/errors.md. */
export const TerminalKeyErrors = errorCatalogue({
  // A message whose field 64 is not the MAC of its content under the terminal's MAC key: sign on again.
  MAC_INVALID: { responseCode: 'A0', kind: 'unauthenticated' },
  // A message that must carry a MAC and carries none (or one not 8 bytes long).
  MAC_MISSING: { responseCode: 'A0', kind: 'unauthenticated' },
  // Key bytes of the wrong length, hex that is not hex, a field 62 of the wrong shape.
  KEY_FORMAT_INVALID: { responseCode: '30', kind: 'validation' },
  // Working keys whose check value disagrees with the key they decrypt to (wrong master key, or altered).
  KEY_CHECK_VALUE_MISMATCH: { responseCode: '96', kind: 'internal' },
  // The key-encryption key is missing (outside the embedded development default) or not 32 bytes of hex.
  KEY_ENCRYPTION_KEY_INVALID: { responseCode: '96', kind: 'internal' },
  // A stored master key that does not open: another key-encryption key, another terminal's record, or altered.
  KEY_UNSEAL_FAILED: { responseCode: '96', kind: 'internal' },
});
