import { describe, expect, it } from 'vitest';
import { batchOf, completed, refundOf, reversed, sale, voidOf } from '../testing/settlement.fixtures';
import { hostTotalsOf, totalsAgree } from './host-totals';

describe('host totals of a pending batch', () => {
  it('given sales, a void and a refund, then debits are all sales (voided included) and credits are voids plus refunds', () => {
    const batch = batchOf(
      sale('000000000001', 10_000n),
      sale('000000000002', 5_000n),
      voidOf('000000000003', '000000000002', 5_000n),
      refundOf('000000000004', '000000000900', 2_000n, { method: 'QR' }),
    );

    expect(hostTotalsOf(batch)).toEqual([
      { currency: 'CNY', debitCount: 2, debitAmount: 15_000n, creditCount: 2, creditAmount: 7_000n },
    ]);
  });

  it('given a reversed sale and a reversed refund, then neither is counted', () => {
    const r = { rrn: '000000000002', amount: 700n };
    const rf = { rrn: '000000000003', amount: 300n, kind: 'REFUND' as const, originalRrn: '000000000900' };
    const batch = batchOf(sale('000000000001', 1_000n), completed(r), reversed(r), completed(rf), reversed(rf));

    expect(hostTotalsOf(batch)).toEqual([
      { currency: 'CNY', debitCount: 1, debitAmount: 1_000n, creditCount: 0, creditAmount: 0n },
    ]);
  });

  it('groups by currency, sorted by currency code', () => {
    const batch = batchOf(
      sale('000000000001', 100n, { currency: 'USD' }),
      sale('000000000002', 200n, { currency: 'CNY' }),
      sale('000000000003', 300n, { currency: 'HKD' }),
    );

    expect(hostTotalsOf(batch).map((t) => [t.currency, t.debitAmount])).toEqual([
      ['CNY', 200n],
      ['HKD', 300n],
      ['USD', 100n],
    ]);
  });

  it('treats a currency missing on one side as zero totals, and any difference as disagreement', () => {
    const cny = { currency: 'CNY' as const, debitCount: 1, debitAmount: 100n, creditCount: 0, creditAmount: 0n };
    const zeroUsd = { currency: 'USD' as const, debitCount: 0, debitAmount: 0n, creditCount: 0, creditAmount: 0n };

    expect(totalsAgree([cny, zeroUsd], [cny])).toBe(true);
    expect(totalsAgree([cny], [])).toBe(false);
    expect(totalsAgree([cny], [{ ...cny, debitAmount: 101n }])).toBe(false);
    expect(totalsAgree([cny], [{ ...cny, debitCount: 2 }])).toBe(false);
    expect(totalsAgree([cny], [{ ...cny, creditCount: 1 }])).toBe(false);
    expect(totalsAgree([cny], [{ ...cny, creditAmount: 1n }])).toBe(false);
  });
});
