import type { CurrencyTotal, JournalPosting, LedgerAccount, SettlementLine } from '@pos/contracts';
import type { CurrencyCode } from '@pos/money';
import { SettlementErrors } from '../settlement.errors';

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Per-currency sums of the lines' gross, fees and net, sorted by currency. */
export const currencyTotalsOf = (lines: readonly SettlementLine[]): CurrencyTotal[] => {
  const totals = new Map<CurrencyCode, CurrencyTotal>();
  for (const l of lines) {
    const cur = totals.get(l.currency) ?? { currency: l.currency, gross: 0n, fees: 0n, net: 0n };
    totals.set(l.currency, {
      currency: l.currency,
      gross: cur.gross + l.gross,
      fees: cur.fees + l.fees,
      net: cur.net + l.net,
    });
  }
  return [...totals.values()].sort((a, b) => compare(a.currency, b.currency));
};

/**
 * A posting on its natural side; a negative amount goes on the other side, so a posted
 * amount is always positive. Zero posts nothing.
 */
const post = (
  account: LedgerAccount,
  natural: JournalPosting['side'],
  amount: bigint,
  currency: CurrencyCode,
): JournalPosting[] => {
  if (amount === 0n) return [];
  const flipped: JournalPosting['side'] = natural === 'DEBIT' ? 'CREDIT' : 'DEBIT';
  return [{ account, side: amount > 0n ? natural : flipped, amount: amount > 0n ? amount : -amount, currency }];
};

/**
 * Journal postings of a settlement, per currency (sorted by currency):
 *   DEBIT  SCHEME_RECEIVABLE  gross  (what the schemes owe the acquirer)
 *   CREDIT MERCHANT_PAYABLE   net    (what the acquirer owes the merchant)
 *   CREDIT FEE_INCOME         fees   (the acquirer's revenue)
 * Balanced by construction since gross = net + fees.
 */
export const journalFor = (lines: readonly SettlementLine[]): JournalPosting[] =>
  currencyTotalsOf(lines).flatMap(({ currency, gross, fees, net }) => [
    ...post('SCHEME_RECEIVABLE', 'DEBIT', gross, currency),
    ...post('MERCHANT_PAYABLE', 'CREDIT', net, currency),
    ...post('FEE_INCOME', 'CREDIT', fees, currency),
  ]);

/**
 * Throws JOURNAL_UNBALANCED unless debits equal credits in every currency, and
 * JOURNAL_POSTING_INVALID for a posting whose amount is not positive.
 */
export const assertBalanced = (postings: readonly JournalPosting[]): void => {
  const balance = new Map<CurrencyCode, { debits: bigint; credits: bigint }>();
  for (const p of postings) {
    if (p.amount <= 0n) {
      throw SettlementErrors.JOURNAL_POSTING_INVALID(`posting ${p.side} ${p.account} ${p.amount} ${p.currency} is not a positive amount`, { posting: p });
    }
    const cur = balance.get(p.currency) ?? { debits: 0n, credits: 0n };
    balance.set(
      p.currency,
      p.side === 'DEBIT' ? { ...cur, debits: cur.debits + p.amount } : { ...cur, credits: cur.credits + p.amount },
    );
  }
  for (const [currency, { debits, credits }] of balance) {
    if (debits !== credits) {
      throw SettlementErrors.JOURNAL_UNBALANCED(`journal in ${currency} does not balance: debits ${debits}, credits ${credits}`, { currency, debits, credits });
    }
  }
};
