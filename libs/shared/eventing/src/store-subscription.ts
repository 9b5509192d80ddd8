import type { RecordedEvent } from '@pos/kernel';
import type { ServiceStore, StoreTx } from './event-store.port';

export interface SubscriptionLogger {
  error(obj: object, msg: string): void;
}

/**
 * A subscription to everything a service's own store appends, from a stored
 * checkpoint. Each event's effect and the checkpoint commit together, so a
 * crash never applies an event twice or skips one. Rebuild = reset the
 * checkpoint (and the projection) and let it catch up.
 */
export class StoreSubscription {
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly store: ServiceStore,
    readonly id: string,
    private readonly apply: (event: RecordedEvent, tx: StoreTx) => Promise<void>,
    private readonly logger: SubscriptionLogger,
    private readonly batchSize = 200,
  ) {}

  /** Applies the next batch of events after the checkpoint; returns how many. */
  async catchUp(): Promise<number> {
    const from = await this.store.transaction((tx) => tx.checkpoints.get(this.id));
    const events = await this.store.readAll(from, this.batchSize);
    for (const event of events)
      await this.store.transaction(async (tx) => {
        await this.apply(event, tx);
        await tx.checkpoints.set(this.id, event.metadata.position);
      });
    return events.length;
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
