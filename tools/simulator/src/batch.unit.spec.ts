import { describe, expect, it } from 'vitest';
import { chunk, terminalTotals, uploadItems, type JournalEntry, type SaleEntry } from './batch';

const sale = (stan: string, amount: bigint, over: Partial<SaleEntry> = {}): SaleEntry => ({
  kind: 'SALE', stan, batchNo: '000001', businessDay: '2026-11-24', method: 'BANK_CARD', amount, currency: 'CNY',
  rrn: `R${stan}`, offline: false, voided: false, refunded: 0n, reversed: false, ...over,
});

describe("the terminal's batch", () => {
  const voided = sale('000002', 1_000n, { voided: true });
  const refunded = sale('000003', 5_000n, { refunded: 2_000n, method: 'QR' });
  const entries: JournalEntry[] = [
    voided,
    refunded,
    { kind: 'VOID', stan: '000004', batchNo: '000001', businessDay: '2026-11-24', method: 'BANK_CARD', amount: 1_000n, currency: 'CNY', rrn: 'R000004', originalRrn: 'R000002' },
    { kind: 'REFUND', stan: '000005', batchNo: '000001', businessDay: '2026-11-24', method: 'QR', amount: 2_000n, currency: 'CNY', rrn: 'R000005', originalRrn: 'R000003' },
    sale('000006', 7_000n, { reversed: true }),
    sale('000007', 300n, { offline: true, rrn: undefined }),
  ];

  it('totals debits incl. voided and offline sales, credits = voids + refunds, reversed excluded', () => {
    expect(terminalTotals(entries)).toEqual([{ currency: 'CNY', debitCount: 3, debitAmount: 6_300n, creditCount: 2, creditAmount: 3_000n }]);
  });

  it('uploads every surviving transaction in order, with rrn and originalRrn where known', () => {
    const items = uploadItems(entries);
    expect(items.map((i) => `${i.stan}:${i.kind}`)).toEqual(['000002:SALE', '000003:SALE', '000004:VOID', '000005:REFUND', '000007:SALE']);
    expect(items[2]).toEqual({ stan: '000004', kind: 'VOID', method: 'BANK_CARD', amount: 1_000n, currency: 'CNY', rrn: 'R000004', originalRrn: 'R000002' });
    expect(items[4]).not.toHaveProperty('rrn');
  });

  it('chunks uploads at 500', () => {
    const parts = chunk(Array.from({ length: 1_001 }, (_, i) => i), 500);
    expect(parts.map((p) => p.length)).toEqual([500, 500, 1]);
  });
});
