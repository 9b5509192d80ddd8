import { Inject, Injectable } from '@nestjs/common';
import type { ServiceStore } from '@pos/eventing';
import { DomainError } from '@pos/kernel';
import { bearerOf, SERVICE_STORE, sameDigest, sha256 } from '@pos/platform';
import { verifyPassword } from './credentials';

export const CREDENTIALS = { terminals: 'terminal-credentials', operators: 'operator-credentials' } as const;

/** Per-terminal API keys and operator passwords, both stored only as hashes. */
@Injectable()
export class TerminalCredentials {
  constructor(@Inject(SERVICE_STORE) private readonly store: ServiceStore) {}

  /** Refuses an unknown terminal or a wrong key before anything is read or written for it. */
  async authenticate(terminalId: string, authorization: string | undefined): Promise<void> {
    const doc = await this.store.getDocument<{ apiKeyHash: string }>(CREDENTIALS.terminals, terminalId);
    if (!doc) throw new DomainError('TERMINAL_UNKNOWN', `terminal ${terminalId} is not registered`, '97', 'unauthenticated');
    const key = bearerOf(authorization);
    if (!key || !sameDigest(sha256(key), doc.apiKeyHash))
      throw new DomainError('TERMINAL_UNAUTHENTICATED', 'the terminal credentials are missing or wrong', 'A0', 'unauthenticated');
  }

  async operatorPasswordValid(terminalId: string, operatorId: string, password: string): Promise<boolean> {
    const doc = await this.store.getDocument<{ hash: string }>(CREDENTIALS.operators, `${terminalId}|${operatorId}`);
    return verifyPassword(password, doc?.hash);
  }
}
