import { CHECKPOINTS_STREAM_ID, type CheckpointedStream, type DayCheckpointed, TOPICS } from '@pos/contracts';
import {
  type CheckpointSigner, type CheckpointStatement, checkpointTree, contentOfLogMessage, FIRST_PREVIOUS_ROOT, type LogPositions, type MessageLog, type ServiceStore,
  type StoredEventContent,
} from '@pos/eventing';
import { addDays, businessDayOf, type Clock, CodedError, ConcurrencyError, toDate } from '@pos/kernel';
import type { Logger } from '@pos/platform';
import { ReconciliationErrors } from '@pos/reconciliation-domain';

/** The topics a checkpoint covers: every service's events (access events are audited apart, on their own topic). */
export const CHECKPOINT_TOPICS = [TOPICS.terminal, TOPICS.settlement, TOPICS.reconciliation] as const;
const SERVICE_OF_TOPIC: Readonly<Record<string, CheckpointedStream['service']>> = {
  [TOPICS.terminal]: 'terminal-gateway',
  [TOPICS.settlement]: 'settlement',
  [TOPICS.reconciliation]: 'reconciliation',
};
/** Documents beside the checkpoints stream, written in its append: the last one (where the next starts) and one per day. */
export const CHECKPOINT_DOCS = { collection: 'checkpoints', latest: 'latest', day: (businessDay: string) => `day-${businessDay}` } as const;

/** A checkpoint as the recorder keeps it and the API answers it: the event's data and every stream it covers. */
export type Checkpoint = DayCheckpointed['data'] & { readonly streams: readonly CheckpointedStream[] };

export const statementOf = (c: Checkpoint): CheckpointStatement => ({
  format: 'pos-ledger-checkpoint/1', businessDay: c.businessDay, sequence: c.sequence, closedAt: c.closedAt, treeSize: c.treeSize, rootHash: c.rootHash,
  previousRootHash: c.previousRootHash, keyId: c.keyId,
});

/** Per partition, the later of two positions (a cut-off's offsets never move before the previous checkpoint's end). */
const later = (from: LogPositions, until: LogPositions): Record<string, string> =>
  Object.fromEntries(Object.entries(until).map(([k, v]) => [k, BigInt(from[k] ?? '0') > BigInt(v) ? (from[k] ?? '0') : v]));

/**
 * The events a log range holds, once each (the outbox may publish a batch twice), without the
 * checkpoints' own stream (each checkpoint is signed itself, and chained by previousRootHash).
 */
export const eventsOfLogRange = async (
  log: MessageLog,
  from: LogPositions,
  until: LogPositions,
  /** Told the log time of each message read (Kafka record time, the embedded log's append time). */
  onLogTime?: (at: string) => void,
): Promise<Array<StoredEventContent & { service: CheckpointedStream['service'] }>> => {
  const seen = new Map<string, StoredEventContent & { service: CheckpointedStream['service'] }>();
  await log.readRange({
    topics: CHECKPOINT_TOPICS, from, until,
    onBatch: async (messages) => {
      for (const m of messages) {
        const e = contentOfLogMessage(m.value);
        const key = `${e.streamId}\u0000${e.version}`;
        if (m.timestamp) onLogTime?.(m.timestamp);
        if (e.streamId !== CHECKPOINTS_STREAM_ID && !seen.has(key)) seen.set(key, { ...e, service: SERVICE_OF_TOPIC[m.topic] ?? 'reconciliation' });
      }
    },
  });
  return [...seen.values()];
};

/**
 * Records the daily checkpoints (reconciliation's store; in the microservice deployment the
 * reconciliation service, which already consumes every context's events). A business day
 * here is a UTC calendar date, as every terminal's is (a terminal's day rolls at settlement to
 * max(day + 1, today)), so the day closes at its cut-off, 00:00 UTC of the next date, plus a
 * grace for the last commits to reach the log; operations may close it earlier once its
 * terminals have settled (an end-of-day job). A checkpoint covers everything the log received
 * since the previous one, up to the close, so no event falls between two checkpoints and a late
 * one (a terminal that settles day D on D + 2) is in the next.
 */
export class CheckpointRecorder {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly store: ServiceStore,
    private readonly log: MessageLog,
    readonly signer: CheckpointSigner,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: { readonly graceSeconds: number; readonly intervalMs?: number },
  ) {}

  latest(): Promise<Checkpoint | undefined> {
    return this.store.getDocument<Checkpoint>(CHECKPOINT_DOCS.collection, CHECKPOINT_DOCS.latest);
  }

  of(businessDay: string): Promise<Checkpoint | undefined> {
    return this.store.getDocument<Checkpoint>(CHECKPOINT_DOCS.collection, CHECKPOINT_DOCS.day(businessDay));
  }

  /**
   * Closes `businessDay`: covers the log from the previous checkpoint's end up to the cut-off
   * (CUT_OFF) or up to now (OPERATIONS), signs the root and appends DayCheckpointed.
   */
  async close(businessDay: string, closedBy: Checkpoint['closedBy']): Promise<Checkpoint> {
    const previous = await this.latest();
    if (previous && businessDay <= previous.businessDay)
      throw ReconciliationErrors.CHECKPOINT_DAY_CLOSED(`business day ${businessDay} is not after the last checkpoint's (${previous.businessDay}, sequence ${previous.sequence})`, { businessDay, lastCheckpoint: previous.businessDay });
    const now = this.clock.now();
    await this.log.ensureTopics(CHECKPOINT_TOPICS);
    if (businessDay > businessDayOf(now)) throw ReconciliationErrors.CHECKPOINT_DAY_INVALID(`business day ${businessDay} has not begun (today is ${businessDayOf(now)} UTC)`, { businessDay });
    const from = previous?.log.until ?? (await this.log.startOffsets(CHECKPOINT_TOPICS));
    const until = later(from, closedBy === 'CUT_OFF' ? await this.log.offsetsForTime(CHECKPOINT_TOPICS, toDate(addDays(businessDay, 1))) : await this.log.endOffsets(CHECKPOINT_TOPICS));
    let firstLogged: string | undefined;
    const events = await eventsOfLogRange(this.log, from, until, (at) => {
      if (!firstLogged || at < firstLogged) firstLogged = at;
    });
    // A day closed on request labels what the log received since the last close: not a day before any of it arrived.
    if (closedBy === 'OPERATIONS' && firstLogged && businessDay < businessDayOf(new Date(firstLogged)))
      throw ReconciliationErrors.CHECKPOINT_DAY_INVALID(`business day ${businessDay} is before the first event it would cover (logged ${firstLogged})`, { businessDay, firstLoggedAt: firstLogged });
    const tree = checkpointTree(events);
    const serviceOf = new Map(events.map((e) => [e.streamId, e.service]));
    const base = {
      businessDay, sequence: (previous?.sequence ?? 0) + 1, closedAt: now.toISOString(), treeSize: tree.leaves.length, rootHash: tree.rootHash,
      previousRootHash: previous?.rootHash ?? FIRST_PREVIOUS_ROOT, keyId: this.signer.keyId,
    };
    const checkpoint: Checkpoint = {
      ...base, closedBy, log: { topics: [...CHECKPOINT_TOPICS], from: { ...from }, until },
      streamCount: tree.streams.length, events: events.length,
      publicKey: this.signer.publicKeyHex, signature: this.signer.sign({ format: 'pos-ledger-checkpoint/1', ...base }),
      streams: tree.streams.map((s) => ({ ...s, service: serviceOf.get(s.streamId) ?? 'reconciliation' })),
    };
    const { streams: _listed, ...data } = checkpoint;
    try {
      await this.store.transaction(async (tx) => {
        await tx.events.append(CHECKPOINTS_STREAM_ID, base.sequence - 1, [
          { type: 'DayCheckpointed', data, occurredAt: now, context: { correlationId: `checkpoint-${businessDay}`, causationId: `checkpoint-${businessDay}`, actor: { type: 'system', id: 'checkpoint-recorder' } } },
        ]);
        await tx.documents.put(CHECKPOINT_DOCS.collection, CHECKPOINT_DOCS.latest, checkpoint);
        await tx.documents.put(CHECKPOINT_DOCS.collection, CHECKPOINT_DOCS.day(businessDay), checkpoint);
      });
    } catch (e) {
      // Another recorder (a replica, or the cut-off racing a request) closed a day first.
      if (e instanceof ConcurrencyError) throw ReconciliationErrors.CHECKPOINT_DAY_CLOSED(`another checkpoint was recorded while ${businessDay} was being closed`, { businessDay });
      throw e;
    }
    this.logger.info({ businessDay, sequence: checkpoint.sequence, events: checkpoint.events, rootHash: checkpoint.rootHash, keyId: checkpoint.keyId, closedBy }, 'business day checkpointed');
    return checkpoint;
  }

  /** Closes every day whose cut-off and grace have passed, oldest first, from the day after the last checkpoint (or the log's first day). */
  async closeDueDays(): Promise<number> {
    let closed = 0;
    for (;;) {
      const previous = await this.latest();
      const next = previous ? addDays(previous.businessDay, 1) : await this.firstDay();
      if (!next) return closed;
      const due = toDate(addDays(next, 1)).getTime() + this.options.graceSeconds * 1000;
      if (this.clock.now().getTime() < due) return closed;
      await this.close(next, 'CUT_OFF');
      closed++;
    }
  }

  /** The day of the log's first message, when the ledger has no checkpoint yet. */
  private async firstDay(): Promise<string | undefined> {
    await this.log.ensureTopics(CHECKPOINT_TOPICS);
    const start = await this.log.startOffsets(CHECKPOINT_TOPICS);
    const end = await this.log.endOffsets(CHECKPOINT_TOPICS);
    let first: string | undefined;
    for (const [key, offset] of Object.entries(start)) {
      if (BigInt(offset) >= BigInt(end[key] ?? '0')) continue;
      await this.log.readRange({
        topics: CHECKPOINT_TOPICS, from: { [key]: offset }, until: { [key]: (BigInt(offset) + 1n).toString() },
        onBatch: async (messages) => {
          for (const m of messages) {
            const day = businessDayOf(new Date(m.timestamp ?? contentOfLogMessage(m.value).occurredAt));
            if (!first || day < first) first = day;
          }
        },
      });
    }
    return first;
  }

  start(): void {
    const tick = () => {
      this.running = this.closeDueDays()
        .catch((e: unknown) =>
          // Another replica closed the day first: nothing to retry.
          e instanceof CodedError && e.code === 'CHECKPOINT_DAY_CLOSED'
            ? this.logger.info({ reason: e.message }, 'business day closed by another recorder')
            : this.logger.error({ err: e }, 'closing due business days failed; retried at the next tick'),
        )
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs ?? 60_000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
