import { Inject, Injectable } from '@nestjs/common';
import type { ServiceStore } from '@pos/eventing';
import { LEDGER_CONFIG, type LedgerConfig, SERVICE_STORE } from '@pos/platform';
import { type KeyEncryptionKey, keyEncryptionKeyFrom, keyInClear, openMasterKey, SecretKey, sealMasterKey, type TerminalMasterKey } from '@pos/terminal-keys';
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
    const tmk = SecretKey.generate('TMK');
    return { hex: keyInClear(tmk), sealed: sealMasterKey(this.kek, terminalId, tmk) };
  }

  /** The terminal's master key, or undefined for a terminal registered without one (or not at all). */
  async of(terminalId: string): Promise<TerminalMasterKey | undefined> {
    const doc = await this.store.getDocument<{ masterKey?: string }>(CREDENTIALS.terminals, terminalId);
    return doc?.masterKey ? openMasterKey(this.kek, terminalId, doc.masterKey) : undefined;
  }
}
