import type { OutboxRecord, ServiceStore } from './event-store.port';
import type { MessageLog } from './message-log.port';

export interface RelayLogger {
  error(obj: object, msg: string): void;
}

export interface RelayOptions {
  /** Events per publish (one log write, one outbox delete). Default 1000. */
  readonly batchSize?: number;
  /**
   * Runs after a batch reached the log and before it leaves the outbox: where a crash
   * makes the next relay publish it again. Fault tests stop the process here.
   */
  readonly afterPublish?: (records: readonly OutboxRecord[]) => Promise<void>;
  /** After a batch smaller than `batchSize`, wait this long for more before the next publish. Default 5 ms. */
  readonly lingerMs?: number;
}

/**
 * Moves committed events from a service's outbox to the log, a batch at a time. At least
 * once: a crash between publish and delete re-publishes, and consumers drop the duplicate
 * by event id. Never publishes an event that did not commit. Messages are the stored
 * payloads as they are: nothing is decoded or encoded again on the way out.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  published = 0;
  private readonly batchSize: number;

  constructor(
    private readonly store: ServiceStore,
    private readonly log: MessageLog,
    private readonly logger: RelayLogger,
    private readonly options: RelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Publishes one batch of what is pending now; returns how many were sent. */
  async drainOnce(): Promise<number> {
    const sent = await this.store.publishOutbox(this.batchSize, async (records) => {
      await this.log.publish(records.map((r) => r.message));
      await this.options.afterPublish?.(records);
    });
    this.published += sent;
    return sent;
  }

  private async run(): Promise<void> {
    let backoff = 50;
    while (this.running) {
      try {
        const sent = await this.drainOnce();
        backoff = 50;
        // Another replica may hold the outbox, or append: poll it again soon. Under load, a
        // short linger lets group commits pile up into one publish (one log write, one sync).
        if (sent === 0) await this.store.waitForAppend(100);
        else if (sent < this.batchSize) await new Promise((r) => setTimeout(r, this.options.lingerMs ?? 5));
      } catch (error) {
        this.logger.error({ err: error }, 'outbox relay failed; retrying');
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }
}
