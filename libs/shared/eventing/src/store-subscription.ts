import type { LedgerEvent } from '@pos/contracts';
import type { RecordedEvent } from '@pos/kernel';
import type { ServiceStore, StoreTx } from './event-store.port';

export interface SubscriptionLogger {
  error(obj: object, msg: string): void;
}

/**
 * A subscription to everything a service's own store appends, from a stored checkpoint, a
 * batch at a time: the batch's effects and the checkpoint commit together, under a lock
 * that one replica holds at a time, so neither a crash nor a second replica ever applies
 * an event twice or skips one. Rebuild = reset the checkpoint (and the projection) and let
 * it catch up.
 */
export class StoreSubscription {
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly store: ServiceStore,
    readonly id: string,
    private readonly apply: (events: readonly RecordedEvent<LedgerEvent>[], tx: StoreTx) => Promise<void>,
    private readonly logger: SubscriptionLogger,
    private readonly batchSize = 500,
  ) {}

  /** Applies the next batch of events after the checkpoint; returns how many. */
  async catchUp(): Promise<number> {
    return this.store.transaction(async (tx) => {
      await tx.lock(`subscription:${this.id}`, 'exclusive');
      // Read under the lock: another replica may have moved the checkpoint while we waited.
      const from = await tx.checkpoints.get(this.id);
      const events = await this.store.readAll(from, this.batchSize);
      if (events.length === 0) return 0;
      await this.apply(events, tx);
      await tx.checkpoints.set(this.id, events[events.length - 1].metadata.position);
      return events.length;
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          if ((await this.catchUp()) === 0) await this.store.waitForAppend(250);
        } catch (error) {
          this.logger.error({ err: error, subscription: this.id }, 'subscription failed; retrying');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
