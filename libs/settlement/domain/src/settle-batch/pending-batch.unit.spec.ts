import { DomainError } from '@pos/kernel';
import { describe, expect, it } from 'vitest';
import { BATCH, FRIDAY, MERCHANT, TERMINAL, batchOf, completed, reversed, sale, voidOf } from '../testing/settlement.fixtures';
import { hostTotalsOf } from './host-totals';
import { evolvePendingBatch, pendingBatchKey } from './pending-batch';

describe('PendingBatch (evolve)', () => {
  it('given no state, when a sale completes, then the batch is identified by its first event and holds the sale', () => {
    const state = evolvePendingBatch(undefined, sale('000000000001', 1_250n));

    expect(state).toEqual({
      terminalId: TERMINAL,
      merchantId: MERCHANT,
      businessDay: FRIDAY,
      batchNo: BATCH,
      transactions: {
        '000000000001': { rrn: '000000000001', kind: 'SALE', method: 'BANK_CARD', amount: 1_250n, currency: 'CNY', reversed: false },
      },
    });
  });

  it('given a sale already applied, when the same event is delivered again, then it is not counted twice', () => {
    const event = sale('000000000001', 10_000n);
    const once = batchOf(event);
    const twice = evolvePendingBatch(once, event);

    expect(Object.keys(twice.transactions)).toHaveLength(1);
    expect(hostTotalsOf(twice)).toEqual([
      { currency: 'CNY', debitCount: 1, debitAmount: 10_000n, creditCount: 0, creditAmount: 0n },
    ]);
    expect(twice).toBe(once);
  });

  it('given a sale, when it is reversed, then it is marked reversed (and a duplicate reversal changes nothing)', () => {
    const s = { rrn: '000000000001', amount: 5_000n };
    const afterReversal = batchOf(completed(s), reversed(s));

    expect(afterReversal.transactions['000000000001']?.reversed).toBe(true);
    expect(evolvePendingBatch(afterReversal, reversed(s))).toBe(afterReversal);
  });

  it('given a reversal seen before its completion, when the completion arrives, then the transaction stays reversed', () => {
    const s = { rrn: '000000000007', amount: 3_000n, method: 'QR' as const };
    const state = batchOf(reversed(s), completed(s));

    expect(state.transactions['000000000007']).toEqual({
      rrn: '000000000007',
      kind: 'SALE',
      method: 'QR',
      amount: 3_000n,
      currency: 'CNY',
      reversed: true,
    });
  });

  it('keeps originalRrn of a void and does not mutate the previous state', () => {
    const before = batchOf(sale('000000000001', 1_000n));
    const after = evolvePendingBatch(before, voidOf('000000000002', '000000000001', 1_000n));

    expect(after.transactions['000000000002']?.originalRrn).toBe('000000000001');
    expect(Object.keys(before.transactions)).toEqual(['000000000001']);
  });

  it('refuses an event of another batch', () => {
    const state = batchOf(sale('000000000001', 1_000n));
    const other = sale('000000000002', 1_000n, { batchNo: '000043' });

    expect(() => evolvePendingBatch(state, other)).toThrowError(
      expect.objectContaining({ code: 'PENDING_BATCH_MISMATCH', responseCode: '96', kind: 'internal' }),
    );
    expect(() => evolvePendingBatch(state, other)).toThrow(DomainError);
  });

  it('keys a batch by terminal, business day and batch number', () => {
    expect(pendingBatchKey('T1', '2024-05-10', '000001')).toBe('T1|2024-05-10|000001');
    expect(pendingBatchKey('T1', '2024-05-11', '000001')).not.toBe(pendingBatchKey('T1', '2024-05-10', '000001'));
  });
});
