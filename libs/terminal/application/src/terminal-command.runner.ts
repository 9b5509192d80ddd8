import { Inject, Injectable } from '@nestjs/common';
import { type TerminalEvent, terminalStreamId } from '@pos/contracts';
import type { ServiceStore } from '@pos/eventing';
import { type Actor, type Clock, ConcurrencyError, DomainError } from '@pos/kernel';
import { CLOCK, SERVICE_STORE } from '@pos/platform';
import {
  decide, evolve, initialTerminalState, priorAnswer, responseOf, type TerminalCommand, type TerminalState,
} from '@pos/terminal-domain';

export interface RequestOrigin {
  readonly correlationId: string;
  readonly actor: Actor;
  /** Trace number and body fingerprint, for requests a terminal may retry. */
  readonly stan?: string;
  readonly fingerprint?: string;
}

export type TerminalAnswer = Readonly<Record<string, unknown>>;

const MAX_ATTEMPTS = 5;

/**
 * Load, decide, append with the expected version: the one write path of the
 * gateway. A concurrent writer makes the append fail; we reload and decide
 * again, so a retried request that raced its original gets the original answer.
 */
@Injectable()
export class TerminalCommandRunner {
  /** Folded state per terminal; the store stays the truth (we read only events after the cached version). */
  private readonly cache = new Map<string, { state: TerminalState; version: number }>();

  constructor(
    @Inject(SERVICE_STORE) private readonly store: ServiceStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async load(terminalId: string): Promise<{ state: TerminalState; version: number }> {
    const cached = this.cache.get(terminalId) ?? { state: initialTerminalState, version: 0 };
    const events = await this.store.readStream(terminalStreamId(terminalId), cached.version + 1);
    if (events.length === 0) return cached;
    const next = {
      state: events.reduce((s, e) => evolve(s, e as unknown as TerminalEvent), cached.state),
      version: events[events.length - 1].metadata.version,
    };
    this.cache.set(terminalId, next);
    return next;
  }

  async run(
    terminalId: string,
    origin: RequestOrigin,
    build: (state: TerminalState) => TerminalCommand | Promise<TerminalCommand>,
    extra?: (tx: Parameters<Parameters<ServiceStore['transaction']>[0]>[0]) => Promise<void>,
  ): Promise<TerminalAnswer> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const { state, version } = await this.load(terminalId);
      if (origin.stan && origin.fingerprint) {
        const prior = priorAnswer(state, origin.stan, origin.fingerprint);
        if (prior) return prior;
      }
      const command = await build(state);
      const now = this.clock.now();
      const decision = decide(command, state, now);
      try {
        if (decision.events.length > 0)
          await this.store.transaction(async (tx) => {
            await tx.events.append(
              terminalStreamId(terminalId),
              version,
              decision.events.map((e) => ({
                type: e.type,
                data: e.data,
                occurredAt: now,
                context: { correlationId: origin.correlationId, causationId: origin.correlationId, actor: origin.actor },
              })),
            );
            if (extra) await extra(tx);
          });
      } catch (e) {
        if (e instanceof ConcurrencyError && attempt < MAX_ATTEMPTS) continue;
        throw e;
      }
      if (decision.error) throw decision.error;
      const last = decision.events[decision.events.length - 1];
      return (last && responseOf(last)) ?? { responseCode: '00' };
    }
    throw new DomainError('TERMINAL_BUSY', 'the terminal is changing too fast; retry', '96', 'conflict');
  }
}
