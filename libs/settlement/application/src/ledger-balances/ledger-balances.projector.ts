import type { SettlementEvent } from '@pos/contracts';
import type { StoreTx } from '@pos/eventing';
import type { RecordedEvent } from '@pos/kernel';

export const LEDGER_BALANCES = 'ledger-balances';
export const LEDGER_BALANCES_SUBSCRIPTION = 'ledger-balances';

export interface AccountBalance {
  readonly debit: bigint;
  readonly credit: bigint;
}

export const balanceKey = (merchantId: string, currency: string, account: string): string => `${merchantId}|${currency}|${account}`;

/** Ledger balances per merchant, currency and account, folded from the postings of each BatchSettled. */
export const applyToLedgerBalances = async (recorded: RecordedEvent, tx: StoreTx): Promise<void> => {
  const event = recorded as unknown as SettlementEvent;
  if (event.type !== 'BatchSettled') return;
  for (const p of event.data.postings) {
    const key = balanceKey(event.data.merchantId, p.currency, p.account);
    const bal = (await tx.documents.get<AccountBalance>(LEDGER_BALANCES, key)) ?? { debit: 0n, credit: 0n };
    await tx.documents.put(LEDGER_BALANCES, key, p.side === 'DEBIT' ? { ...bal, debit: bal.debit + p.amount } : { ...bal, credit: bal.credit + p.amount });
  }
};
