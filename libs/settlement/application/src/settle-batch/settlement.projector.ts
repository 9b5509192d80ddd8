import { type BatchClosed, type PricingPlan, SETTLEMENT_EVENTS, settlementStreamId, TOPICS } from '@pos/contracts';
import { BufferedDocuments, type DocumentStoreTx, type LiveItem, type StoreTx } from '@pos/eventing';
import { maxDay, type RecordedEvent } from '@pos/kernel';
import {
  DEFAULT_PAYOUT_CALENDAR, evolvePendingTransaction, type PendingBatch, pendingBatchKey, pendingBatchOf, type PendingTransaction, pendingTransactionKey, planInForce, settleBatch,
} from '@pos/settlement-domain';
import { recordDueParts } from '../payouts/payouts';
import { workingDaysFor } from '../pricing/calendars';
import { planHistory, pricingLockOf } from '../pricing/merchant-pricing';
import { SETTLEMENT_DOCS as DOCS } from '../settlement.context';

export const SETTLEMENT_CONSUMER = 'settlement';
export const SETTLEMENT_TOPICS = [TOPICS.terminal] as const;

/**
 * The settlement service's reaction to the terminal events, a batch at a time: learn
 * pricing, keep each open batch's transactions, and when a batch closes, post its balanced
 * journal as BatchSettled on the plan in force that day, and leave its payout parts due for the
 * merchant's payout runs. Runs inside the consumer's transaction, so
 * each effect commits with its "processed" mark; the documents the batch needs are read in
 * one query per collection and each is written once.
 */
export const applyToSettlement = async (items: readonly LiveItem[], tx: StoreTx): Promise<void> => {
  const docs = new BufferedDocuments(tx.documents);
  const events = items.map((i) => i.event);
  await docs.prefetch(DOCS.pricing, events.flatMap((e) => (e.type === 'TerminalRegistered' || e.type === 'BatchClosed' ? [e.data.terminalId] : [])));
  await docs.prefetch(DOCS.pending, events.flatMap((e) => (e.type === 'TransactionCompleted' || e.type === 'TransactionReversed' ? [pendingTransactionKey(e.data)] : [])));
  await docs.prefetch(DOCS.settledDays, events.flatMap((e) => (e.type === 'BatchClosed' ? [e.data.merchantId] : [])));
  for (const event of events) {
    switch (event.type) {
      case 'TerminalRegistered': {
        const plans = (await docs.get<PricingPlan[]>(DOCS.pricing, event.data.terminalId)) ?? [];
        const others = plans.filter((p) => p.effectiveFrom !== event.data.pricing.effectiveFrom);
        await docs.put(DOCS.pricing, event.data.terminalId, [...others, event.data.pricing]);
        break;
      }
      case 'TransactionCompleted':
      case 'TransactionReversed': {
        const key = pendingTransactionKey(event.data);
        const seen = await docs.get<PendingTransaction>(DOCS.pending, key);
        const next = evolvePendingTransaction(seen, event, event.metadata.occurredAt);
        if (next !== seen) await docs.put(DOCS.pending, key, next);
        break;
      }
      case 'BatchClosed':
        await settle(event, docs, tx);
        break;
      default:
        break;
    }
  }
  await docs.flush();
};

const settle = async (recorded: RecordedEvent<BatchClosed>, docs: DocumentStoreTx, tx: StoreTx) => {
  const closed = recorded.data;
  const streamId = settlementStreamId(closed.terminalId, closed.businessDay, closed.batchNo);
  // One settlement per batch, enforced by the stream itself: it must not exist yet.
  if ((await tx.events.readStream(streamId, SETTLEMENT_EVENTS)).length > 0) return;
  const key = pendingBatchKey(closed.terminalId, closed.businessDay, closed.batchNo);
  const stored = await docs.list<PendingTransaction>(DOCS.pending, `${key}|`);
  const legacy = await docs.get<PendingBatch>(DOCS.legacyPending, key);
  const batch = pendingBatchOf(closed, stored.map((s) => s.doc), legacy);
  const plans = (await docs.get<PricingPlan[]>(DOCS.pricing, closed.terminalId)) ?? [];
  await tx.lock(pricingLockOf(closed.merchantId), 'shared');
  const published = await planHistory(tx.events, closed.merchantId);
  const country = planInForce(published, plans, closed.businessDay).plan.payoutCalendar ?? DEFAULT_PAYOUT_CALENDAR;
  const calendars = await workingDaysFor(tx.events, [country]);
  const [settled] = settleBatch({ batch, closed, plans, published, calendars, settlementId: streamId });
  await tx.events.append(streamId, 0, [
    {
      type: settled.type,
      data: settled.data,
      occurredAt: new Date(recorded.metadata.occurredAt),
      context: { correlationId: recorded.metadata.correlationId, causationId: recorded.metadata.eventId, actor: { type: 'system', id: 'settlement' } },
    },
  ]);
  await recordDueParts(docs, settled.data, country);
  const last = await docs.get<{ businessDay: string }>(DOCS.settledDays, closed.merchantId);
  await docs.put(DOCS.settledDays, closed.merchantId, { businessDay: last ? maxDay(last.businessDay, closed.businessDay) : closed.businessDay });
  for (const s of stored) await docs.delete(DOCS.pending, s.key);
  if (legacy) await docs.delete(DOCS.legacyPending, key);
};
