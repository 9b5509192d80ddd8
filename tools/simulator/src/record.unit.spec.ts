import { describe, expect, it } from 'vitest';
import type { CreditEntry, SaleEntry } from './batch';
import { buildRecord, feeOf, type TerminalJournal } from './record';

const sale = (stan: string, amount: bigint, over: Partial<SaleEntry> = {}): SaleEntry => ({
  kind: 'SALE',
  stan,
  batchNo: '000001',
  businessDay: '2026-11-24',
  method: 'BANK_CARD',
  amount,
  currency: 'CNY',
  rrn: `R${stan}`,
  offline: false,
  voided: false,
  refunded: 0n,
  reversed: false,
  ...over,
});
const credit = (kind: 'VOID' | 'REFUND', stan: string, amount: bigint, of: SaleEntry): CreditEntry => ({
  kind,
  stan,
  batchNo: of.batchNo,
  businessDay: of.businessDay,
  method: of.method,
  amount,
  currency: of.currency,
  rrn: `R${stan}`,
  originalRrn: of.rrn ?? '',
});
const journal = (entries: TerminalJournal['entries']): TerminalJournal => ({ merchantId: 'M00000000000001', terminalId: 'T0000001', entries, settledBatchNos: ['000001'] });

describe('fee rule: per transaction, half-up', () => {
  it.each([
    [1_250n, 60, 8n], // 7.5 -> 8
    [1_249n, 60, 7n], // 7.494 -> 7
    [1_025n, 60, 6n], // 6.15 -> 6
    [25n, 60, 0n], // 0.15 -> 0
    [84n, 60, 1n], // 0.504 -> 1
    [83n, 60, 0n], // 0.498 -> 0
    [1_000_000n, 38, 3_800n], // 10,000.00 at 0.38% = 38.00
    [13_158n, 38, 50n], // 50.0004 -> 50
    [250n, 100, 3n], // 2.5 -> 3 (half-up, not banker's 2)
    [0n, 60, 0n],
  ])('%s at %s bps = %s', (amount, bps, fee) => {
    expect(feeOf(amount, bps)).toBe(fee);
  });

  it('refuses negative amounts and bad rates', () => {
    expect(() => feeOf(-1n, 60)).toThrow(RangeError);
    expect(() => feeOf(1n, 1.5)).toThrow(RangeError);
  });
});

describe('the record', () => {
  it('sums sales, voids and refunds per method with fees per transaction', () => {
    const a = sale('000002', 1_250n);
    const b = sale('000003', 1_250n);
    const q = sale('000004', 1_000_000n, { method: 'QR' });
    const [card, qr] = buildRecord([journal([a, b, q])]);
    expect(card).toMatchObject({ method: 'BANK_CARD', salesCount: 2, salesAmount: 2_500n, gross: 2_500n, fees: 16n, net: 2_484n, settledBatches: 1 });
    // per-transaction rounding: 2 x 8, not round(15.0) = 15 on the batch
    expect(qr).toMatchObject({ method: 'QR', salesCount: 1, fees: 3_800n, net: 996_200n });
  });

  it('charges no fee on a voided sale, still counts it as a sale and the void as a credit', () => {
    const a = sale('000002', 1_250n, { voided: true });
    const [row] = buildRecord([journal([a, credit('VOID', '000003', 1_250n, a)])]);
    expect(row).toMatchObject({ salesCount: 1, salesAmount: 1_250n, voidsCount: 1, voidsAmount: 1_250n, gross: 0n, fees: 0n, net: 0n });
  });

  it('keeps the fee on a refunded sale unless the plan returns it', () => {
    const a = sale('000002', 10_000n, { refunded: 4_000n });
    const entries = [a, credit('REFUND', '000003', 4_000n, a)];
    const [kept] = buildRecord([journal(entries)]);
    expect(kept).toMatchObject({ refundsCount: 1, refundsAmount: 4_000n, gross: 6_000n, fees: 60n, net: 5_940n });
    const [returned] = buildRecord([journal(entries)], { mdrBps: { BANK_CARD: 60, QR: 38 }, refundReturnsFee: true });
    expect(returned).toMatchObject({ fees: 36n, net: 5_964n });
  });

  it('excludes reversed sales from amounts and fees but counts the reversal', () => {
    const [row] = buildRecord([journal([sale('000002', 5_000n), sale('000003', 7_000n, { reversed: true })])]);
    expect(row).toMatchObject({ salesCount: 1, salesAmount: 5_000n, reversalsCount: 1, fees: 30n });
  });

  it('includes a booked offline sale with its fee', () => {
    const [row] = buildRecord([journal([sale('000002', 1_250n, { offline: true, rrn: undefined })])]);
    expect(row).toMatchObject({ salesCount: 1, salesAmount: 1_250n, fees: 8n });
  });

  it('keeps terminals, days and methods apart', () => {
    const t1 = journal([sale('000002', 100n), sale('000003', 100n, { method: 'QR' })]);
    const t2 = { ...journal([sale('000002', 100n, { businessDay: '2026-11-25', batchNo: '000002' })]), terminalId: 'T0000002', settledBatchNos: [] };
    const rows = buildRecord([t1, t2]);
    expect(rows.map((r) => `${r.terminalId}/${r.businessDay}/${r.method}/${r.settledBatches}`)).toEqual([
      'T0000001/2026-11-24/BANK_CARD/1',
      'T0000001/2026-11-24/QR/1',
      'T0000002/2026-11-25/BANK_CARD/0',
    ]);
  });
});
