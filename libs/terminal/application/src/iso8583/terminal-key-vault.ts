import { Inject, Injectable } from '@nestjs/common';
import type { ServiceStore } from '@pos/eventing';
import { LEDGER_CONFIG, type LedgerConfig, SERVICE_STORE } from '@pos/platform';
import {
  generateWorkingKeys, type KeyEncryptionKey, keyEncryptionKeyFrom, keyInClear, type MacKey, openMacKey, openMasterKey, SecretKey, sealMacKey, sealMasterKey,
  type TerminalMasterKey, type WorkingKeys,
} from '@pos/terminal-keys';
import { CREDENTIALS } from '../terminal-credentials';

/** Session MAC keys held in memory at most; past that, a terminal's next message reads the store again. */
const SESSION_CACHE = 50_000;

interface SessionDoc {
  readonly macKey: string;
  readonly signedOnAt: string;
}

/**
 * A terminal's keys, kept only sealed under the key-encryption key: its master key (made at
 * registration, shown once as the API key is, in its credentials document) and the MAC key of
 * its latest ISO 8583 sign-on (in the sessions collection), so that every gateway replica, and
 * one restarted, verifies the terminal's MACs without a new sign-on.
 */
@Injectable()
export class TerminalKeyVault {
  private readonly kek: KeyEncryptionKey;
  private readonly sessions = new Map<string, MacKey>();

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

  /** New working keys for a sign-on, the MAC key stored (sealed) before they are handed out: the last keys sent are the ones in force. */
  async startSession(terminalId: string, at: Date): Promise<WorkingKeys> {
    const keys = generateWorkingKeys();
    const doc: SessionDoc = { macKey: sealMacKey(this.kek, terminalId, keys.macKey), signedOnAt: at.toISOString() };
    await this.store.transaction((tx) => tx.documents.put(CREDENTIALS.isoSessions, terminalId, doc));
    this.remember(terminalId, keys.macKey);
    return keys;
  }

  /**
   * The MAC key of the terminal's latest sign-on, or undefined when it never signed on.
   * `fresh`: read the store even if one is held here (a sign-on on another replica replaced it).
   */
  async macKeyOf(terminalId: string, fresh = false): Promise<MacKey | undefined> {
    const held = fresh ? undefined : this.sessions.get(terminalId);
    if (held) return held;
    const doc = await this.store.getDocument<SessionDoc>(CREDENTIALS.isoSessions, terminalId);
    if (!doc) return undefined;
    const key = openMacKey(this.kek, terminalId, doc.macKey);
    this.remember(terminalId, key);
    return key;
  }

  private remember(terminalId: string, key: MacKey): void {
    this.sessions.delete(terminalId);
    if (this.sessions.size >= SESSION_CACHE) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(terminalId, key);
  }
}
