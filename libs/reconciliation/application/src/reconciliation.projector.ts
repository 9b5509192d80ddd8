import { TOPICS } from '@pos/contracts';
import type { StoreTx } from '@pos/eventing';
import type { RecordedEvent } from '@pos/kernel';
import { auditEntryOf, dailyTotalsChanges, type DailyTotalsRow } from '@pos/reconciliation-domain';

export const RECONCILIATION_CONSUMER = 'reconciliation';
export const RECONCILIATION_TOPICS = [TOPICS.terminal, TOPICS.settlement] as const;
export const DOCS = { dailyTotals: 'daily-totals', auditTrail: 'audit-trail' } as const;

/** Both projections move in the consumer's transaction: applied once, or not at all. */
export const applyToReconciliation = async (event: RecordedEvent, tx: StoreTx): Promise<void> => {
  for (const change of dailyTotalsChanges(event)) {
    const row = await tx.documents.get<DailyTotalsRow>(DOCS.dailyTotals, change.key);
    await tx.documents.put(DOCS.dailyTotals, change.key, change.apply(row));
  }
  const audit = auditEntryOf(event);
  if (audit) await tx.documents.put(DOCS.auditTrail, audit.key, audit.entry);
};
