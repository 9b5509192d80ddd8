import { TOPICS } from '@pos/contracts';

export const RECONCILIATION_CONSUMER = 'reconciliation';
export const RECONCILIATION_TOPICS = [TOPICS.terminal, TOPICS.settlement] as const;
/** Projection names; each is also the collection of its first generation. */
export const DOCS = { dailyTotals: 'daily-totals', auditTrail: 'audit-trail' } as const;
