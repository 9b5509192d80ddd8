import type { AppendOutcome, ServiceStore, StreamAppend } from './event-store.port';

export interface GroupCommitOptions {
  /** Streams per commit at most. Default 1000. */
  readonly maxGroup?: number;
  /** Commits under way at once: 1 where the store has one writer (SQLite), more where commits run in parallel. Default 1. */
  readonly maxInFlight?: number;
  /** Told the size of each group once it committed (or failed). */
  readonly onGroup?: (streams: number) => void;
}

interface Waiting {
  readonly append: StreamAppend;
  readonly resolve: (outcome: AppendOutcome) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Turns concurrent appends into group commits: what arrives while a commit is under way
 * waits for the next one, which takes everything waiting. So one request alone is committed
 * at once, and under load many share one transaction and one fsync. Each caller is answered
 * only after the commit that holds its events, with its own outcome; when a commit fails,
 * every caller of that group gets the failure and nothing of the group was written.
 */
export class GroupCommit {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxGroup: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly store: ServiceStore,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxGroup = options.maxGroup ?? 1000;
    this.maxInFlight = options.maxInFlight ?? 1;
  }

  append(append: StreamAppend): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ append, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    // One turn of the event loop first: requests whose bytes already arrived are read and
    // decided meanwhile, and join this group. (A synchronous store would otherwise commit
    // each request before the next one is even parsed.)
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.maxGroup);
        this.inFlight++;
        void this.commit(group).finally(() => {
          this.inFlight--;
          this.next();
        });
      }
    });
  }

  private async commit(group: readonly Waiting[]): Promise<void> {
    try {
      const outcomes = await this.store.appendBatch(group.map((w) => w.append));
      group.forEach((w, i) => w.resolve(outcomes[i]));
    } catch (e) {
      for (const w of group) w.reject(e);
    } finally {
      this.options.onGroup?.(group.length);
    }
  }
}
