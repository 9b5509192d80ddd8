import type { LedgerEvent } from '@pos/contracts';
import type { RecordedEvent } from '@pos/kernel';
import type { ServiceStore } from '../event-store.port';
import { fromLogMessage, PoisonMessageError } from '../envelope';
import { type LogPositions, type MessageLog, positionKey } from '../message-log.port';
import { type ProjectionDefinition, type SourcePosition, STORE_POSITION_KEY, storePosition } from './projection';

/** One event read back from a projection's source, or the reason it cannot be applied (as the live consumer dead-letters it). */
export interface ReplayItem {
  readonly at: SourcePosition;
  readonly event?: RecordedEvent<LedgerEvent>;
  readonly rejected?: { readonly code: string; readonly message: string };
}

export interface SourceDeps {
  readonly store: ServiceStore;
  /** Required for projections fed by the log. */
  readonly log?: MessageLog;
}

/** A range of the source: `from` inclusive (default: the beginning), `until` exclusive; `filter` narrows it further. */
export interface SourceRange {
  readonly from?: LogPositions;
  readonly until: LogPositions;
  readonly filter?: (event: RecordedEvent<LedgerEvent>) => boolean;
}

const PAGE = 1000;

const logOf = (def: ProjectionDefinition, deps: SourceDeps): { log: MessageLog; topics: readonly string[] } => {
  if (def.source.kind !== 'log') throw new Error(`${def.name} is not fed by the log`);
  if (!deps.log) throw new Error(`${def.name} is fed by the log, but no log is open`);
  return { log: deps.log, topics: def.source.topics };
};

/** The end of the source now: the next offset of every partition, or the next store position. */
export const sourceEnd = async (def: ProjectionDefinition, deps: SourceDeps): Promise<LogPositions> => {
  if (def.source.kind === 'store') return { [STORE_POSITION_KEY]: (BigInt(await deps.store.lastPosition()) + 1n).toString() };
  const { log, topics } = logOf(def, deps);
  return log.endOffsets(topics);
};

/** The first position the source still holds (a log whose retention removed messages starts above 0). */
export const sourceStart = async (def: ProjectionDefinition, deps: SourceDeps): Promise<LogPositions> => {
  if (def.source.kind === 'store') return { [STORE_POSITION_KEY]: '1' };
  const { log, topics } = logOf(def, deps);
  return log.startOffsets(topics);
};

/** Whether the live projector has applied everything before `positions` (its group's commits, or its subscription's checkpoint). */
export const liveReached = async (def: ProjectionDefinition, deps: SourceDeps, positions: LogPositions): Promise<boolean> => {
  if (def.source.kind === 'store') {
    const subscription = def.source.subscription;
    const checkpoint = await deps.store.transaction((tx) => tx.checkpoints.get(subscription));
    return BigInt(checkpoint) + 1n >= BigInt(positions[STORE_POSITION_KEY] ?? '1');
  }
  const { log, topics } = logOf(def, deps);
  const committed = await log.committedOffsets(def.source.consumerGroup, topics);
  return Object.entries(positions).every(([key, offset]) => BigInt(committed[key] ?? '0') >= BigInt(offset));
};

/** How many records a range of the source spans (before filtering), for progress. */
export const sourceRangeSize = async (def: ProjectionDefinition, deps: SourceDeps, start: LogPositions, range: Pick<SourceRange, 'from' | 'until'>): Promise<number> => {
  // Store positions are not dense (PostgreSQL folds in transaction ids): count the rows.
  if (def.source.kind === 'store')
    return deps.store.countBetween((BigInt(range.from?.[STORE_POSITION_KEY] ?? start[STORE_POSITION_KEY]) - 1n).toString(), range.until[STORE_POSITION_KEY]);
  return rangeSize(start, range);
};

/** How many records a range of log offsets spans, for progress. */
export const rangeSize = (start: LogPositions, range: Pick<SourceRange, 'from' | 'until'>): number => {
  let n = 0n;
  for (const [key, until] of Object.entries(range.until)) {
    const from = BigInt(range.from?.[key] ?? start[key] ?? '0');
    if (BigInt(until) > from) n += BigInt(until) - from;
  }
  return Number(n);
};

const fromMessage = (m: { topic: string; partition: number; offset: string; value: string; headers: Readonly<Record<string, string>> }): ReplayItem => {
  const at = { key: positionKey(m.topic, m.partition), offset: m.offset };
  try {
    return { at, event: fromLogMessage(m) };
  } catch (e) {
    if (e instanceof PoisonMessageError) return { at, rejected: { code: e.code, message: e.message } };
    throw e;
  }
};

/** Reads a range of a projection's source in order (per partition), a batch at a time. */
export const readSource = async (
  def: ProjectionDefinition,
  deps: SourceDeps,
  range: SourceRange,
  onBatch: (items: readonly ReplayItem[], scanned: number) => Promise<void>,
): Promise<void> => {
  const keep = (item: ReplayItem) => !item.event || !range.filter || range.filter(item.event);
  if (def.source.kind === 'log') {
    const { log, topics } = logOf(def, deps);
    await log.readRange({ topics, from: range.from, until: range.until, onBatch: async (messages) => onBatch(messages.map(fromMessage).filter(keep), messages.length) });
    return;
  }
  const until = BigInt(range.until[STORE_POSITION_KEY]);
  let after = BigInt(range.from?.[STORE_POSITION_KEY] ?? '1') - 1n;
  while (after + 1n < until) {
    const page = await deps.store.readAll(after.toString(), PAGE);
    const events = page.filter((e) => BigInt(e.metadata.position) < until);
    if (events.length > 0) await onBatch(events.map((event) => ({ at: storePosition(event), event })).filter(keep), events.length);
    if (events.length < page.length || page.length < PAGE) return;
    after = BigInt(events[events.length - 1].metadata.position);
  }
};
