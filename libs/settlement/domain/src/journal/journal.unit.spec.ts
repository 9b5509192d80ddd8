import type { JournalPosting, PricingPlan } from '@pos/contracts';
import { DomainError } from '@pos/kernel';
import type { CurrencyCode } from '@pos/money';
import { describe, expect, it } from 'vitest';
import { computeSettlementLines } from '../fees/settlement-lines';
import type { PendingBatchEvent } from '../settle-batch/pending-batch';
import { batchOf, plan, refundOf, sale, voidOf } from '../testing/settlement.fixtures';
import { assertBalanced, currencyTotalsOf, journalFor } from './journal';

/** Debits minus credits per currency, computed independently of assertBalanced. */
const imbalance = (postings: readonly JournalPosting[]): Record<string, bigint> => {
  const out: Record<string, bigint> = {};
  for (const p of postings) out[p.currency] = (out[p.currency] ?? 0n) + (p.side === 'DEBIT' ? p.amount : -p.amount);
  return out;
};

describe('journal postings of a settlement', () => {
  it('given sales in two currencies, then each currency debits the scheme receivable and credits merchant payable and fee income', () => {
    const batch = batchOf(
      sale('000000000001', 1_000_000n, { method: 'QR' }),
      sale('000000000002', 10_000n, { currency: 'USD' }),
    );

    const postings = journalFor(computeSettlementLines(batch, plan()));

    expect(postings).toEqual([
      { account: 'SCHEME_RECEIVABLE', side: 'DEBIT', amount: 1_000_000n, currency: 'CNY' },
      { account: 'MERCHANT_PAYABLE', side: 'CREDIT', amount: 996_200n, currency: 'CNY' },
      { account: 'FEE_INCOME', side: 'CREDIT', amount: 3_800n, currency: 'CNY' },
      { account: 'SCHEME_RECEIVABLE', side: 'DEBIT', amount: 10_000n, currency: 'USD' },
      { account: 'MERCHANT_PAYABLE', side: 'CREDIT', amount: 9_940n, currency: 'USD' },
      { account: 'FEE_INCOME', side: 'CREDIT', amount: 60n, currency: 'USD' },
    ]);
    expect(() => assertBalanced(postings)).not.toThrow();
  });

  it('given refunds exceeding sales (net negative), then negative amounts flip sides and the journal still balances', () => {
    const batch = batchOf(sale('000000000001', 1_000n, { method: 'QR' }), refundOf('000000000002', '000000000777', 30_000n, { method: 'QR' }));

    const returning = journalFor(computeSettlementLines(batch, plan({ refundReturnsFee: true })));
    // gross -290.00, fees -1.10 (4 charged, 114 returned), net -288.90
    expect(returning).toEqual([
      { account: 'SCHEME_RECEIVABLE', side: 'CREDIT', amount: 29_000n, currency: 'CNY' },
      { account: 'MERCHANT_PAYABLE', side: 'DEBIT', amount: 28_890n, currency: 'CNY' },
      { account: 'FEE_INCOME', side: 'DEBIT', amount: 110n, currency: 'CNY' },
    ]);
    expect(imbalance(returning)).toEqual({ CNY: 0n });
    expect(() => assertBalanced(returning)).not.toThrow();

    const keeping = journalFor(computeSettlementLines(batch, plan({ refundReturnsFee: false })));
    // fee 4 kept: net -290.04
    expect(keeping).toEqual([
      { account: 'SCHEME_RECEIVABLE', side: 'CREDIT', amount: 29_000n, currency: 'CNY' },
      { account: 'MERCHANT_PAYABLE', side: 'DEBIT', amount: 29_004n, currency: 'CNY' },
      { account: 'FEE_INCOME', side: 'CREDIT', amount: 4n, currency: 'CNY' },
    ]);
    expect(() => assertBalanced(keeping)).not.toThrow();
  });

  it('given a batch whose only sale was voided, then nothing is posted (zero postings omitted)', () => {
    const batch = batchOf(sale('000000000001', 5_000n), voidOf('000000000002', '000000000001', 5_000n));

    expect(journalFor(computeSettlementLines(batch, plan()))).toEqual([]);
  });

  it('sums lines per currency into totals', () => {
    const batch = batchOf(
      sale('000000000001', 10_000n),
      sale('000000000002', 10_000n, { method: 'QR' }),
      sale('000000000003', 500n, { currency: 'HKD' }),
    );

    expect(currencyTotalsOf(computeSettlementLines(batch, plan()))).toEqual([
      { currency: 'CNY', gross: 20_000n, fees: 98n, net: 19_902n },
      { currency: 'HKD', gross: 500n, fees: 3n, net: 497n },
    ]);
  });

  it('balances for every rounding rule and fee setting over many generated batches', () => {
    // Deterministic generator: integer arithmetic only, same batches every run.
    // Park-Miller (products stay below 2^53, so exact).
    let seed = 20_240_510;
    const next = (n: number): number => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed % n;
    };
    const currencies: CurrencyCode[] = ['CNY', 'USD', 'JPY'];
    const plans: PricingPlan[] = [];
    for (const scope of ['PER_TRANSACTION', 'PER_BATCH'] as const)
      for (const mode of ['HALF_UP', 'HALF_EVEN'] as const)
        for (const refundReturnsFee of [true, false])
          plans.push(plan({ refundReturnsFee, rounding: { scope, mode }, mdrBps: { BANK_CARD: 55 + next(10), QR: 38 } }));

    let postingsChecked = 0;
    for (let round = 0; round < 200; round++) {
      const events: PendingBatchEvent[] = [];
      const sales: string[] = [];
      for (let i = 1; i <= 1 + next(12); i++) {
        const rrn = String(round * 100 + i).padStart(12, '0');
        const extra = { currency: currencies[next(3)], method: next(2) === 0 ? 'QR' as const : 'BANK_CARD' as const };
        const amount = BigInt(1 + next(2_000_000));
        const kind = next(4);
        if (kind === 0 && sales.length > 0) events.push(voidOf(rrn, sales[next(sales.length)] ?? '', amount, extra));
        else if (kind === 1) events.push(refundOf(rrn, '000000999999', amount * BigInt(1 + next(3)), extra));
        else {
          events.push(sale(rrn, amount, extra));
          sales.push(rrn);
        }
      }
      const batch = batchOf(...events);
      for (const p of plans) {
        const postings = journalFor(computeSettlementLines(batch, p));
        expect(() => assertBalanced(postings)).not.toThrow();
        for (const v of Object.values(imbalance(postings))) expect(v).toBe(0n);
        for (const posting of postings) expect(posting.amount > 0n).toBe(true);
        postingsChecked += postings.length;
      }
    }
    expect(postingsChecked).toBeGreaterThan(1_000);
  });
});

describe('assertBalanced', () => {
  const p = (side: JournalPosting['side'], amount: bigint, currency: CurrencyCode = 'CNY'): JournalPosting => ({
    account: side === 'DEBIT' ? 'SCHEME_RECEIVABLE' : 'MERCHANT_PAYABLE',
    side,
    amount,
    currency,
  });

  it('throws JOURNAL_UNBALANCED (96, internal) when debits differ from credits', () => {
    const unbalanced = [p('DEBIT', 100n), p('CREDIT', 99n)];

    expect(() => assertBalanced(unbalanced)).toThrow(DomainError);
    expect(() => assertBalanced(unbalanced)).toThrowError(
      expect.objectContaining({ code: 'JOURNAL_UNBALANCED', responseCode: '96', kind: 'internal' }),
    );
  });

  it('balances per currency: a CNY debit is not offset by a USD credit', () => {
    expect(() => assertBalanced([p('DEBIT', 100n, 'CNY'), p('CREDIT', 100n, 'USD')])).toThrowError(
      expect.objectContaining({ code: 'JOURNAL_UNBALANCED' }),
    );
    expect(() => assertBalanced([p('DEBIT', 100n, 'CNY'), p('CREDIT', 100n, 'CNY')])).not.toThrow();
  });

  it('refuses a posting that is not a positive amount', () => {
    expect(() => assertBalanced([p('DEBIT', -5n), p('CREDIT', -5n)])).toThrowError(
      expect.objectContaining({ code: 'JOURNAL_POSTING_INVALID' }),
    );
  });
});
