import type { ServiceStore } from './event-store.port';
import type { MessageLog } from './message-log.port';
import { toLogMessage } from './envelope';

export interface RelayLogger {
  error(obj: object, msg: string): void;
}

/**
 * Moves committed events from a service's outbox to the log. At least once:
 * a crash between publish and mark re-publishes, and consumers drop the
 * duplicate by event id. Never publishes an event that did not commit.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  published = 0;

  constructor(
    private readonly store: ServiceStore,
    private readonly log: MessageLog,
    private readonly logger: RelayLogger,
    private readonly batchSize = 200,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Publishes everything pending now; returns how many were sent. */
  async drainOnce(): Promise<number> {
    const sent = await this.store.publishOutbox(this.batchSize, (records) => this.log.publish(records.map((r) => toLogMessage(r.event))));
    this.published += sent;
    return sent;
  }

  private async run(): Promise<void> {
    let backoff = 50;
    while (this.running) {
      try {
        const sent = await this.drainOnce();
        backoff = 50;
        if (sent === 0) await this.store.waitForAppend(250);
      } catch (error) {
        this.logger.error({ err: error }, 'outbox relay failed; retrying');
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }
}
