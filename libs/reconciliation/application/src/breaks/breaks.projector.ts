import { type DayReconciled, EventTypes, type ReconciliationRunCompleted } from '@pos/contracts';
import { projection } from '@pos/eventing';
import { type BreakState, evolveBreak } from '@pos/reconciliation-domain';

export const BREAKS = 'breaks';
export const BREAKS_SUBSCRIPTION = 'breaks';

export const BREAK_KEYS = {
  break: (businessDay: string, breakId: string) => `${businessDay}|${breakId}`,
  breaksOf: (businessDay: string) => `${businessDay}|`,
  id: (breakId: string) => `@id|${breakId}`,
  run: (businessDay: string) => `@run|${businessDay}`,
  reconciled: (businessDay: string) => `@reconciled|${businessDay}`,
} as const;

export type RunSummary = ReconciliationRunCompleted['data'] & { readonly at: string };
export type ReconciledSummary = DayReconciled['data'] & { readonly at: string };

/**
 * Breaks with their lifecycle, the last matching run and the last DayReconciled of each
 * business day: folded from reconciliation's own events, so it rebuilds like any projection.
 */
export const BREAKS_PROJECTION = projection({
  name: BREAKS,
  service: 'reconciliation',
  description: 'reconciliation breaks with their lifecycle and age, the last matching run and DayReconciled per business day',
  source: { kind: 'store', subscription: BREAKS_SUBSCRIPTION },
  handles: EventTypes.of('ReconciliationBreakDetected', 'ReconciliationBreakAssigned', 'ReconciliationBreakResolved', 'ReconciliationRunCompleted', 'DayReconciled'),
  apply: async (event, docs, collection) => {
    switch (event.type) {
      case 'ReconciliationBreakDetected':
      case 'ReconciliationBreakAssigned':
      case 'ReconciliationBreakResolved': {
        const { breakId } = event.data;
        // A break belongs to the day that first found it; later events find it through its id.
        const day = event.type === 'ReconciliationBreakDetected' ? event.data.businessDay : ((await docs.get<{ businessDay: string }>(collection, BREAK_KEYS.id(breakId)))?.businessDay ?? event.data.businessDay);
        const key = BREAK_KEYS.break(day, breakId);
        const next = evolveBreak(await docs.get<BreakState>(collection, key), event);
        if (next) await docs.put(collection, key, next);
        if (event.type === 'ReconciliationBreakDetected') await docs.put(collection, BREAK_KEYS.id(breakId), { businessDay: day });
        return;
      }
      case 'ReconciliationRunCompleted':
        return docs.put(collection, BREAK_KEYS.run(event.data.businessDay), { ...event.data, at: event.metadata.occurredAt });
      case 'DayReconciled':
        return docs.put(collection, BREAK_KEYS.reconciled(event.data.businessDay), { ...event.data, at: event.metadata.occurredAt });
    }
  },
});
