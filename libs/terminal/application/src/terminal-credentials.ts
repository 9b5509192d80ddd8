import { Inject, Injectable } from '@nestjs/common';
import type { ServiceStore } from '@pos/eventing';
import { bearerOf, SERVICE_STORE, sameDigest, sha256 } from '@pos/platform';
import { TerminalErrors } from '@pos/terminal-domain';
import { verifyPassword } from './credentials';

export const CREDENTIALS = { terminals: 'terminal-credentials', operators: 'operator-credentials', isoSessions: 'iso8583-sessions' } as const;

/** Key hashes kept in memory at most: a terminal's first request after that reads the store again. */
const KEY_CACHE = 50_000;

/** Per-terminal API keys and operator passwords, both stored only as hashes. */
@Injectable()
export class TerminalCredentials {
  /**
   * Key hashes of known terminals, so a request does not read the store to authenticate.
   * A key never changes once issued; an unknown terminal is never cached (it may register).
   */
  private readonly keys = new Map<string, string>();

  constructor(@Inject(SERVICE_STORE) private readonly store: ServiceStore) {}

  private async keyHashOf(terminalId: string): Promise<string | undefined> {
    const cached = this.keys.get(terminalId);
    if (cached) return cached;
    const doc = await this.store.getDocument<{ apiKeyHash: string }>(CREDENTIALS.terminals, terminalId);
    if (!doc) return undefined;
    if (this.keys.size >= KEY_CACHE) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(terminalId, doc.apiKeyHash);
    return doc.apiKeyHash;
  }

  /** Refuses an unknown terminal or a wrong key before anything is read or written for it. */
  async authenticate(terminalId: string, authorization: string | undefined): Promise<void> {
    const apiKeyHash = await this.keyHashOf(terminalId);
    if (!apiKeyHash) throw TerminalErrors.TERMINAL_UNKNOWN(`terminal ${terminalId} is not registered`, undefined, 'unauthenticated');
    const key = bearerOf(authorization);
    if (!key || !sameDigest(sha256(key), apiKeyHash))
      throw TerminalErrors.TERMINAL_UNAUTHENTICATED('the terminal credentials are missing or wrong');
  }

  async operatorPasswordValid(terminalId: string, operatorId: string, password: string): Promise<boolean> {
    const doc = await this.store.getDocument<{ hash: string }>(CREDENTIALS.operators, `${terminalId}|${operatorId}`);
    return verifyPassword(password, doc?.hash);
  }
}
