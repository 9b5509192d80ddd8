import { EventTypes, type LedgerEvent } from '@pos/contracts';
import { applyLiveBatch, type ProjectionDefinition, projection, storePosition, type StoreTx } from '@pos/eventing';
import type { RecordedEvent } from '@pos/kernel';

export const LEDGER_BALANCES = 'ledger-balances';
export const LEDGER_BALANCES_SUBSCRIPTION = 'ledger-balances';

export interface AccountBalance {
  readonly debit: bigint;
  readonly credit: bigint;
}

export const balanceKey = (merchantId: string, currency: string, account: string): string => `${merchantId}|${currency}|${account}`;

/** Ledger balances per merchant, currency and account, folded from the postings of each BatchSettled in settlement's own store. */
export const LEDGER_BALANCES_PROJECTION = projection({
  name: LEDGER_BALANCES,
  service: 'settlement',
  description: 'ledger balances per merchant, currency and account, from the journal postings of every BatchSettled',
  source: { kind: 'store', subscription: LEDGER_BALANCES_SUBSCRIPTION },
  handles: EventTypes.of('BatchSettled'),
  reads: (event) => event.data.postings.map((p) => balanceKey(event.data.merchantId, p.currency, p.account)),
  apply: async (event, docs, collection) => {
    for (const p of event.data.postings) {
      const key = balanceKey(event.data.merchantId, p.currency, p.account);
      const bal = (await docs.get<AccountBalance>(collection, key)) ?? { debit: 0n, credit: 0n };
      await docs.put(collection, key, p.side === 'DEBIT' ? { ...bal, debit: bal.debit + p.amount } : { ...bal, credit: bal.credit + p.amount });
    }
  },
});

export const applyToLedgerBalances = (events: readonly RecordedEvent<LedgerEvent>[], tx: StoreTx): Promise<void> =>
  applyLiveBatch([LEDGER_BALANCES_PROJECTION], events.map((event) => ({ event, at: storePosition(event) })), tx);

/** Settlement's projections (rebuildable: ledger-audit and /v1/ops/projections). */
export const SETTLEMENT_PROJECTIONS: readonly ProjectionDefinition[] = [LEDGER_BALANCES_PROJECTION];
