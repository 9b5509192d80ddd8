import { activeCollection, type ServiceStore } from '@pos/eventing';
import { auditDayIndexPrefix, type AuditDayIndexEntry, type AuditEntry, auditTrailKeyPrefix, inCausalOrder } from '@pos/reconciliation-domain';
import { DOCS } from '../reconciliation.projector';

/** Whose trail: one terminal's day, one batch of it, a merchant's day, or the whole day. */
export type AuditScope =
  | { readonly kind: 'terminal-day'; readonly terminalId: string; readonly businessDay: string }
  | { readonly kind: 'batch'; readonly terminalId: string; readonly businessDay: string; readonly batchNo: string }
  | { readonly kind: 'merchant-day'; readonly merchantId: string; readonly businessDay: string }
  | { readonly kind: 'day'; readonly businessDay: string };

/** The part of a trail key after `terminal|day|`: occurred-at, stream, version — the order across terminals. */
const orderKey = (key: string) => key.split('|').slice(2).join('|');

const terminalDay = async (store: ServiceStore, collection: string, terminalId: string, businessDay: string) =>
  (await store.listDocuments<AuditEntry>(collection, auditTrailKeyPrefix(terminalId, businessDay))).map((r) => ({ order: orderKey(r.key), entry: r.doc }));

/**
 * The live audit trail of a scope, in the order the events occurred. Several terminals
 * (a merchant's or the whole day) are merged by occurred-at, then stream and version; an
 * effect never precedes its cause (see inCausalOrder).
 */
export const loadAuditTrail = async (store: ServiceStore, scope: AuditScope): Promise<AuditEntry[]> => {
  const collection = await activeCollection(store, DOCS.auditTrail);
  if (scope.kind === 'terminal-day' || scope.kind === 'batch') {
    const rows = (await terminalDay(store, collection, scope.terminalId, scope.businessDay)).map((r) => r.entry);
    return inCausalOrder(scope.kind === 'batch' ? rows.filter((e) => (e.data as { batchNo?: unknown } | null)?.batchNo === scope.batchNo) : rows);
  }
  const index = await store.listDocuments<AuditDayIndexEntry>(collection, auditDayIndexPrefix(scope.businessDay, scope.kind === 'merchant-day' ? scope.merchantId : undefined));
  const rows = [];
  for (const { doc } of index) rows.push(...(await terminalDay(store, collection, doc.terminalId, scope.businessDay)));
  return inCausalOrder(rows.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0)).map((r) => r.entry));
};
