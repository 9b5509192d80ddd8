import type { LedgerEvent } from '@pos/contracts';
import type { RecordedEvent } from '@pos/kernel';
import type { DocumentStoreTx } from '../event-store.port';
import { BufferedDocuments } from './documents';
import type { SourcePosition } from './projection';
import type { ReplayItem } from './source';

export interface SkippedEvent {
  readonly at: SourcePosition;
  readonly eventId?: string;
  readonly code: string;
  readonly message: string;
}

/** What a replay did with what it read. */
export interface ReplayCounts {
  /** Records read from the source (after any time filter). */
  read: number;
  applied: number;
  /** The same event id read again (an outbox re-publish): applied once, as the live consumer does. */
  duplicates: number;
  /** Not applicable, exactly as the live projector dead-letters them (first 100 listed). */
  skipped: number;
  readonly skippedEvents: SkippedEvent[];
}

export const newCounts = (): ReplayCounts => ({ read: 0, applied: 0, duplicates: 0, skipped: 0, skippedEvents: [] });

/**
 * Applies replayed items to `docs` the way the live projector would: each event once
 * (by id), whole or not at all; an event the projection refuses is skipped and counted.
 */
export const applyReplayed = async (
  items: readonly ReplayItem[],
  docs: DocumentStoreTx,
  apply: (event: RecordedEvent<LedgerEvent>, docs: DocumentStoreTx) => Promise<void>,
  seen: Set<string>,
  counts: ReplayCounts,
): Promise<void> => {
  const skip = (s: SkippedEvent) => {
    counts.skipped++;
    if (counts.skippedEvents.length < 100) counts.skippedEvents.push(s);
  };
  for (const item of items) {
    counts.read++;
    if (!item.event) {
      skip({ at: item.at, code: item.rejected?.code ?? 'UNREADABLE', message: item.rejected?.message ?? 'no event' });
      continue;
    }
    const id = item.event.metadata.eventId;
    if (seen.has(id)) {
      counts.duplicates++;
      continue;
    }
    seen.add(id);
    const one = new BufferedDocuments(docs);
    try {
      await apply(item.event, one);
      await one.flush();
      counts.applied++;
    } catch (e) {
      skip({ at: item.at, eventId: id, code: (e as { code?: string }).code ?? 'APPLY_FAILED', message: e instanceof Error ? e.message : String(e) });
    }
  }
};
