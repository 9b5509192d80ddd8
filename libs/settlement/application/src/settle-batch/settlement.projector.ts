import {
  type BatchClosed, type LedgerEvent, type PricingPlan, type SettlementEvent, settlementStreamId, TOPICS, type TransactionCompleted, type TransactionReversed,
} from '@pos/contracts';
import type { StoreTx } from '@pos/eventing';
import type { RecordedEvent } from '@pos/kernel';
import { evolvePendingBatch, type PendingBatch, pendingBatchKey, settleBatch } from '@pos/settlement-domain';

export const SETTLEMENT_CONSUMER = 'settlement';
export const SETTLEMENT_TOPICS = [TOPICS.terminal] as const;

const DOCS = { pricing: 'pricing-plans', pending: 'pending-batches' } as const;

/**
 * The settlement service's reaction to the terminal events: learn pricing,
 * accumulate each open batch, and when a batch closes, post its balanced
 * journal as BatchSettled (+ PayoutScheduled). Runs inside the consumer's
 * transaction, so each effect commits with its "processed" mark.
 */
export const applyToSettlement = async (recorded: RecordedEvent, tx: StoreTx): Promise<void> => {
  const event = recorded as unknown as LedgerEvent;
  switch (event.type) {
    case 'TerminalRegistered': {
      const plans = (await tx.documents.get<PricingPlan[]>(DOCS.pricing, event.data.terminalId)) ?? [];
      const others = plans.filter((p) => p.effectiveFrom !== event.data.pricing.effectiveFrom);
      await tx.documents.put(DOCS.pricing, event.data.terminalId, [...others, event.data.pricing]);
      return;
    }
    case 'TransactionCompleted':
    case 'TransactionReversed': {
      const d = (event as TransactionCompleted | TransactionReversed).data;
      const key = pendingBatchKey(d.terminalId, d.businessDay, d.batchNo);
      const batch = await tx.documents.get<PendingBatch>(DOCS.pending, key);
      await tx.documents.put(DOCS.pending, key, evolvePendingBatch(batch, event as TransactionCompleted | TransactionReversed));
      return;
    }
    case 'BatchClosed':
      return settle(recorded, (event as BatchClosed).data, tx);
    default:
      return;
  }
};

const settle = async (recorded: RecordedEvent, closed: BatchClosed['data'], tx: StoreTx) => {
  const streamId = settlementStreamId(closed.terminalId, closed.businessDay, closed.batchNo);
  // One settlement per batch, enforced by the stream itself: it must not exist yet.
  if ((await tx.events.readStream(streamId)).length > 0) return;
  const key = pendingBatchKey(closed.terminalId, closed.businessDay, closed.batchNo);
  const batch = await tx.documents.get<PendingBatch>(DOCS.pending, key);
  const plans = (await tx.documents.get<PricingPlan[]>(DOCS.pricing, closed.terminalId)) ?? [];
  const events: SettlementEvent[] = settleBatch({ batch, closed, plans, settlementId: streamId });
  await tx.events.append(
    streamId,
    0,
    events.map((e) => ({
      type: e.type,
      data: e.data,
      occurredAt: new Date(recorded.metadata.occurredAt),
      context: { correlationId: recorded.metadata.correlationId, causationId: recorded.metadata.eventId, actor: { type: 'system', id: 'settlement' } },
    })),
  );
  await tx.documents.delete(DOCS.pending, key);
};

