import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ServiceStore } from '@pos/eventing';
import { LEDGER_CONFIG, type LedgerConfig, SERVICE_STORE } from '@pos/platform';
import { KEY_LENGTH, type KeyEncryptionKey, keyEncryptionKeyFrom, openMasterKey, SecretKey, sealMasterKey, type TerminalMasterKey } from '@pos/terminal-keys';
import { CREDENTIALS } from '../terminal-credentials';

/**
 * Terminal master keys: made at registration, shown once (as the API key is), kept only sealed
 * under the key-encryption key in the terminal's credentials document.
 */
@Injectable()
export class TerminalMasterKeys {
  private readonly kek: KeyEncryptionKey;

  constructor(
    @Inject(SERVICE_STORE) private readonly store: ServiceStore,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    // Refuses to start without a key-encryption key outside the embedded default on loopback.
    this.kek = keyEncryptionKeyFrom(config.terminalFront?.keyEncryptionKey, config.terminalFront?.developmentKeyAccepted ?? false);
  }

  /** A fresh master key: its hex (for the registration answer only) and its sealed form (for the store). */
  issue(terminalId: string): { hex: string; sealed: string } {
    // DES ignores parity bits, so plain random bytes are a valid key; the hex is what the terminal loads.
    const bytes = randomBytes(KEY_LENGTH);
    const sealed = sealMasterKey(this.kek, terminalId, SecretKey.of('TMK', bytes));
    return { hex: bytes.toString('hex').toUpperCase(), sealed };
  }

  /** The terminal's master key, or undefined for a terminal registered without one (or not at all). */
  async of(terminalId: string): Promise<TerminalMasterKey | undefined> {
    const doc = await this.store.getDocument<{ masterKey?: string }>(CREDENTIALS.terminals, terminalId);
    return doc?.masterKey ? openMasterKey(this.kek, terminalId, doc.masterKey) : undefined;
  }
}
