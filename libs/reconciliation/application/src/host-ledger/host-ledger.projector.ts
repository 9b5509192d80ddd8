import { EventTypes, type PricingPlan } from '@pos/contracts';
import { type DocumentReader, type DocumentStoreTx, projection } from '@pos/eventing';
import { type HostBatch, type HostDay, type HostTransaction, hostTransactionOf, planOn } from '@pos/reconciliation-domain';
import { RECONCILIATION_CONSUMER, RECONCILIATION_TOPICS } from '../reconciliation.constants';

export const HOST_LEDGER = 'host-ledger';

/** Keys of the host-ledger collection: the host's side of every business day, ready for matching. */
export const HOST_KEYS = {
  terminal: (terminalId: string) => `@terminal|${terminalId}`,
  day: (businessDay: string) => `@day|${businessDay}`,
  /** RRNs are unique per terminal only. */
  rrn: (terminalId: string, rrn: string) => `@rrn|${terminalId}|${rrn}`,
  transaction: (businessDay: string, terminalId: string, rrn: string) => `tx|${businessDay}|${terminalId}|${rrn}`,
  transactionsOf: (businessDay: string) => `tx|${businessDay}|`,
  batch: (businessDay: string, terminalId: string, batchNo: string) => `batch|${businessDay}|${terminalId}|${batchNo}`,
  batchesOf: (businessDay: string) => `batch|${businessDay}|`,
} as const;

export interface TerminalDirectoryEntry {
  readonly terminalId: string;
  readonly merchantId: string;
  readonly plans: readonly PricingPlan[];
}

type DraftBatch = Omit<HostBatch, 'result' | 'hostTotals' | 'terminalTotalsAtClose'> & Partial<Pick<HostBatch, 'result' | 'hostTotals' | 'terminalTotalsAtClose'>>;

const knowDay = (docs: DocumentStoreTx, collection: string, businessDay: string) => docs.put(collection, HOST_KEYS.day(businessDay), { businessDay });

/**
 * The host side of the three-way reconciliation: every transaction the ledger recorded (and
 * whether it was reversed) with the fee its merchant's plan implies, every closed batch with
 * the terminal's and the host's totals, the terminals and merchants the ledger knows, and the
 * business days it has seen. Fed by the terminal topic, rebuildable like any projection.
 */
export const HOST_LEDGER_PROJECTION = projection({
  name: HOST_LEDGER,
  service: 'reconciliation',
  description: 'the host side of clearing reconciliation: transactions with expected fees, closed batches, terminals and business days',
  source: { kind: 'log', topics: RECONCILIATION_TOPICS, consumerGroup: RECONCILIATION_CONSUMER },
  handles: EventTypes.of('TerminalRegistered', 'TransactionCompleted', 'TransactionReversed', 'SettlementRequested', 'BatchClosed'),
  reads: (event) => {
    switch (event.type) {
      case 'TerminalRegistered':
      case 'TransactionCompleted':
        return [HOST_KEYS.terminal(event.data.terminalId)];
      case 'TransactionReversed':
        return [HOST_KEYS.transaction(event.data.businessDay, event.data.terminalId, event.data.rrn)];
      case 'SettlementRequested':
      case 'BatchClosed':
        return [HOST_KEYS.batch(event.data.businessDay, event.data.terminalId, event.data.batchNo)];
    }
  },
  apply: async (event, docs, collection) => {
    switch (event.type) {
      case 'TerminalRegistered': {
        const d = event.data;
        const known = await docs.get<TerminalDirectoryEntry>(collection, HOST_KEYS.terminal(d.terminalId));
        const plans = [...(known?.plans ?? []).filter((p) => p.effectiveFrom !== d.pricing.effectiveFrom), d.pricing];
        await docs.put(collection, HOST_KEYS.terminal(d.terminalId), { terminalId: d.terminalId, merchantId: d.merchantId, plans });
        return knowDay(docs, collection, d.businessDay);
      }
      case 'TransactionCompleted': {
        const d = event.data;
        const terminal = await docs.get<TerminalDirectoryEntry>(collection, HOST_KEYS.terminal(d.terminalId));
        await docs.put(collection, HOST_KEYS.transaction(d.businessDay, d.terminalId, d.rrn), hostTransactionOf(d, event.metadata.occurredAt, planOn(terminal?.plans ?? [], d.businessDay)));
        await docs.put(collection, HOST_KEYS.rrn(d.terminalId, d.rrn), { businessDay: d.businessDay });
        return knowDay(docs, collection, d.businessDay);
      }
      case 'TransactionReversed': {
        const d = event.data;
        const key = HOST_KEYS.transaction(d.businessDay, d.terminalId, d.rrn);
        const tx = await docs.get<HostTransaction>(collection, key);
        if (tx) await docs.put(collection, key, { ...tx, status: 'REVERSED' });
        return;
      }
      case 'SettlementRequested': {
        // The terminal's first report of a batch is what it "reported at settlement"; retries keep it.
        const d = event.data;
        const key = HOST_KEYS.batch(d.businessDay, d.terminalId, d.batchNo);
        const batch = await docs.get<DraftBatch>(collection, key);
        if (!batch) await docs.put(collection, key, { terminalId: d.terminalId, merchantId: d.merchantId, businessDay: d.businessDay, batchNo: d.batchNo, terminalTotals: d.terminalTotals });
        return;
      }
      case 'BatchClosed': {
        const d = event.data;
        const key = HOST_KEYS.batch(d.businessDay, d.terminalId, d.batchNo);
        const batch = await docs.get<DraftBatch>(collection, key);
        await docs.put(collection, key, {
          terminalId: d.terminalId, merchantId: d.merchantId, businessDay: d.businessDay, batchNo: d.batchNo, terminalTotals: batch?.terminalTotals ?? d.terminalTotals,
          result: d.result, hostTotals: d.hostTotals, terminalTotalsAtClose: d.terminalTotals,
        });
        // The terminal lives on into its next business day: files may clear it.
        await knowDay(docs, collection, d.businessDay);
        return knowDay(docs, collection, d.nextBusinessDay);
      }
    }
  },
});

/** The host side of one business day (closed batches only: an open one has nothing to settle yet). */
export const loadHostDay = async (docs: DocumentReader, collection: string, businessDay: string): Promise<HostDay> => {
  const transactions = (await docs.list<HostTransaction>(collection, HOST_KEYS.transactionsOf(businessDay))).map((r) => r.doc);
  const batches = (await docs.list<DraftBatch>(collection, HOST_KEYS.batchesOf(businessDay))).map((r) => r.doc).filter((b): b is HostBatch => b.result !== undefined);
  return { businessDay, transactions, batches };
};

export const hostTransactionByRrn = async (docs: DocumentReader, collection: string, terminalId: string, rrn: string): Promise<HostTransaction | undefined> => {
  const at = await docs.get<{ businessDay: string }>(collection, HOST_KEYS.rrn(terminalId, rrn));
  return at ? docs.get<HostTransaction>(collection, HOST_KEYS.transaction(at.businessDay, terminalId, rrn)) : undefined;
};
