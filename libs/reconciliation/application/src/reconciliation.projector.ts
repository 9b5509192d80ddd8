import { LEDGER_EVENTS } from '@pos/contracts';
import { applyLiveBatch, type LiveItem, type ProjectionDefinition, type StoreTx } from '@pos/eventing';
import { auditDayIndexOf, auditEntryOf, dailyTotalsChanges, type DailyTotalsRow } from '@pos/reconciliation-domain';

import { HOST_LEDGER_PROJECTION } from './host-ledger/host-ledger.projector';
import { DOCS, RECONCILIATION_CONSUMER, RECONCILIATION_TOPICS } from './reconciliation.constants';

export { DOCS, RECONCILIATION_CONSUMER, RECONCILIATION_TOPICS };

export const DAILY_TOTALS_PROJECTION: ProjectionDefinition = {
  name: DOCS.dailyTotals,
  service: 'reconciliation',
  description: 'daily totals per business day, merchant, terminal, payment method and currency',
  source: { kind: 'log', topics: RECONCILIATION_TOPICS, consumerGroup: RECONCILIATION_CONSUMER },
  handles: LEDGER_EVENTS,
  reads: (event) => dailyTotalsChanges(event).map((c) => c.key),
  apply: async (event, docs, collection) => {
    for (const change of dailyTotalsChanges(event)) {
      const row = await docs.get<DailyTotalsRow>(collection, change.key);
      await docs.put(collection, change.key, change.apply(row));
    }
  },
};

export const AUDIT_TRAIL_PROJECTION: ProjectionDefinition = {
  name: DOCS.auditTrail,
  service: 'reconciliation',
  description: "every event of a terminal's business day in order, with actor, time and hash; indexed by merchant and day",
  source: { kind: 'log', topics: RECONCILIATION_TOPICS, consumerGroup: RECONCILIATION_CONSUMER },
  handles: LEDGER_EVENTS,
  apply: async (event, docs, collection) => {
    const audit = auditEntryOf(event);
    if (!audit) return;
    await docs.put(collection, audit.key, audit.entry);
    const index = auditDayIndexOf(event);
    if (index) await docs.put(collection, index.key, index.entry);
  },
};

/** The projections the reconciliation consumer feeds from the terminal and settlement topics. */
export const RECONCILIATION_PROJECTIONS: readonly ProjectionDefinition[] = [DAILY_TOTALS_PROJECTION, AUDIT_TRAIL_PROJECTION, HOST_LEDGER_PROJECTION];

/** Every projection moves in the consumer's transaction: a batch applied once, or not at all. */
export const applyToReconciliation = (items: readonly LiveItem[], tx: StoreTx): Promise<void> => applyLiveBatch(RECONCILIATION_PROJECTIONS, items, tx);
