import type { BatchTotals, TerminalRegistered } from '@pos/contracts';
import { describe, expect, it } from 'vitest';
import { hostTotals, REFUND_WINDOW_DAYS } from './terminal.state';
import {
  at, authenticationFailed, batchClosed, completed, DAY, endUpload, eventOf, fp, given, History, MID, NOW, OP, refund, register, reverse, sale, settle,
  settlementRequested, signedOn, signOn, TID, thenEvents, thenRefused, thenRefusedRecording, thenTypes, totals, upload, uploaded, voidOf, when,
} from './terminal.test-kit';

/**
 * Batch 000001 holding: sale 10,000 CNY (voided), sale 5,000 CNY (2,000 refunded),
 * sale 700 USD, sale 999 CNY (reversed), and a reversal of a stan the host never saw.
 */
const busyBatch = () => {
  const h = signedOn();
  const voided = h.rrnOf(sale('000002', 10_000n));
  h.run(voidOf('000003', voided));
  const refunded = h.rrnOf(sale('000004', 5_000n));
  h.run(refund('000005', refunded, 2_000n));
  h.run(sale('000006', 700n, { currency: 'USD' }));
  h.run(sale('000007', 999n));
  h.run(reverse('000008', '000007'));
  h.run(reverse('000009', '000010'));
  return h;
};
const busyTotals: BatchTotals[] = [totals('CNY', 2, 15_000n, 2, 12_000n), totals('USD', 1, 700n)];

describe('host totals', () => {
  it('count sales (voided ones included) as debits, voids and refunds as credits, and leave reversed ones out, by currency', () => {
    expect(hostTotals(busyBatch().state)).toEqual(busyTotals);
  });
});

describe('a balanced settlement', () => {
  it('records SettlementRequested(BALANCED) and BatchClosed with the next batch and business day', () => {
    const h = busyBatch();
    const o = h.when(settle('000011', busyTotals), at('2026-11-24T22:00:00Z'));
    const answered = { terminalId: TID, merchantId: MID, businessDay: DAY, stan: '000011', fingerprint: fp('000011'), batchNo: '000001' };
    thenEvents(
      o,
      { type: 'SettlementRequested', data: { ...answered, operatorId: OP, result: 'BALANCED', terminalTotals: busyTotals, hostTotals: busyTotals } },
      {
        type: 'BatchClosed',
        data: { ...answered, result: 'BALANCED', terminalTotals: busyTotals, hostTotals: busyTotals, differences: [], transactionCount: 5, nextBatchNo: '000002', nextBusinessDay: '2026-11-25' },
      },
    );
  });

  it('accepts terminal totals in any order, and zero rows for currencies without transactions', () => {
    const h = busyBatch();
    const o = h.when(settle('000011', [busyTotals[1], totals('EUR', 0, 0n), busyTotals[0]]));
    expect(eventOf(o, 'SettlementRequested').data.result).toBe('BALANCED');
  });

  it('of an empty batch is balanced with no totals at all', () => {
    thenEvents(signedOn().when(settle('000002', [])), settlementRequested('000002', [], []), batchClosed('000002', [], [], 0));
  });

  it('starts the next business day on today when the batch is older than yesterday', () => {
    const o = signedOn().when(settle('000002', []), at('2026-11-29T09:00:00Z'));
    thenEvents(o, settlementRequested('000002', [], []), batchClosed('000002', [], [], 0, { nextBusinessDay: '2026-11-29' }));
  });

  it('opens the next batch: the old batch number is refused, the new one accepted, and the STAN keeps counting', () => {
    const h = busyBatch();
    h.run(settle('000011', busyTotals));
    expect(h.state).toMatchObject({ batchNo: '000002', businessDay: '2026-11-25', phase: 'OPEN', transactions: {}, unmatchedReversals: [] });
    expect(h.state.signedOnOperator).toBe(OP);
    thenRefused(h.when(sale('000012', 100n)), 'BATCH_NUMBER_MISMATCH', '77');
    const o = h.when(sale('000012', 100n, { batchNo: '000002' }));
    expect(eventOf(o, 'TransactionCompleted').data).toMatchObject({ batchNo: '000002', businessDay: '2026-11-25' });
    // The trace number a reversal was recorded for in the closed batch is usable again.
    thenTypes(h.when(sale('000010', 100n, { batchNo: '000002' })), 'TransactionCompleted');
  });

  it('wraps batch 999999 to 000001', () => {
    const registered = new History().run(register())[0] as TerminalRegistered;
    const h = new History([{ ...registered, data: { ...registered.data, batchNo: '999999' } }]);
    h.run(signOn('000001'));
    expect(eventOf(h.when(signOn('000002')), 'TerminalSignedOn').data.batchNo).toBe('999999');
    h.run(sale('000002', 100n, { batchNo: '999999' }));
    const o = h.when(settle('000003', [totals('CNY', 1, 100n)], { batchNo: '999999' }));
    expect(eventOf(o, 'BatchClosed').data).toMatchObject({ batchNo: '999999', nextBatchNo: '000001' });
    expect(given(...h.events, ...o.events).batchNo).toBe('000001');
  });

  it('keeps its slip: a retried settlement (same stan and body) gets it back after the close', () => {
    const h = busyBatch();
    h.run(settle('000011', busyTotals));
    const slip = h.answerTo('000011', fp('000011'), '000001');
    expect(slip).toMatchObject({ responseCode: '00', result: 'BALANCED', batchNo: '000001', nextBatchNo: '000002', nextBusinessDay: '2026-11-25', differences: [] });
    expect(slip?.hostTotals).toEqual([
      { currency: 'CNY', debitCount: 2, debitAmount: '15000', creditCount: 2, creditAmount: '12000' },
      { currency: 'USD', debitCount: 1, debitAmount: '700', creditCount: 0, creditAmount: '0' },
    ]);
    expect(() => h.answerTo('000011', fp('000011', 'other totals'), '000001')).toThrow(expect.objectContaining({ code: 'DUPLICATE_TRANSMISSION' }));
  });
});

describe('a settlement refused', () => {
  it('for a wrong password records the failure and leaves the batch open and retryable', () => {
    const h = busyBatch();
    const o = h.when(settle('000011', busyTotals, { passwordValid: false }));
    thenRefusedRecording(o, 'OPERATOR_PASSWORD_INVALID', '55', authenticationFailed({ during: 'SETTLEMENT' }));
    o.events.forEach((e) => h.apply(e));
    expect(h.state).toMatchObject({ batchNo: '000001', phase: 'OPEN' });
    expect(hostTotals(h.state)).toEqual(busyTotals);
    expect(h.answerTo('000011', fp('000011'))).toBeUndefined();
    thenTypes(h.when(settle('000012', busyTotals)), 'SettlementRequested', 'BatchClosed');
  });

  it('for a locked operator records nothing', () => {
    const h = signedOn();
    for (const stan of ['000002', '000003', '000004']) h.runRefused(settle(stan, [], { passwordValid: false }));
    thenRefused(h.when(settle('000005', [])), 'OPERATOR_LOCKED', '75');
  });

  it.each<[string, BatchTotals[]]>([
    ['a currency listed twice', [totals('CNY', 1, 100n), totals('CNY', 1, 100n)]],
    ['a negative debit amount', [totals('CNY', 1, -100n)]],
    ['a negative credit amount', [totals('CNY', 1, 100n, 1, -1n)]],
    ['a negative count', [totals('CNY', -1, 100n)]],
    ['a debit count of zero with an amount', [totals('CNY', 0, 100n)]],
    ['a credit count of zero with an amount', [totals('CNY', 1, 100n, 0, 5n)]],
    ['a debit count with an amount of zero', [totals('CNY', 1, 0n)]],
  ])('for malformed totals (%s) with SETTLEMENT_TOTALS_MALFORMED (30) and no event', (_name, malformed) => {
    const h = signedOn();
    h.run(sale('000002', 100n));
    thenRefused(h.when(settle('000003', malformed)), 'SETTLEMENT_TOTALS_MALFORMED', '30');
    // Checked before the password: a malformed request does not count as a wrong password either.
    thenRefused(h.when(settle('000003', malformed, { passwordValid: false })), 'SETTLEMENT_TOTALS_MALFORMED', '30');
  });

  it('for a wrong batch number, before sign-on, or with a used trace number', () => {
    const h = signedOn();
    thenRefused(h.when(settle('000002', [], { batchNo: '000002' })), 'BATCH_NUMBER_MISMATCH', '77');
    thenRefused(h.when(settle('000001', [])), 'DUPLICATE_TRANSMISSION', '94');
    thenRefused(when(given(h.events[0]), settle('000002', [])), 'TERMINAL_NOT_SIGNED_ON', '22');
  });
});

/**
 * The host holds sales 000002 (1,000), 000003 (2,000), 000004 (3,000) and a refund 000005 (500 of 000002).
 * The terminal believes in 000002 (1,000), 000003 as 2,500, a sale 000006 (4,000) the host never got,
 * and the refund; it lost 000004.
 */
const unbalancedBatch = () => {
  const h = signedOn();
  const a = h.rrnOf(sale('000002', 1_000n));
  const b = h.rrnOf(sale('000003', 2_000n));
  const c = h.rrnOf(sale('000004', 3_000n));
  const r = h.rrnOf(refund('000005', a, 500n));
  const terminalTotals = [totals('CNY', 3, 7_500n, 1, 500n)];
  return { h, rrns: { a, b, c, r }, terminalTotals };
};

describe('an unbalanced settlement', () => {
  it('records SettlementRequested(UNBALANCED) only, answers 95 and expects a batch upload', () => {
    const { h, terminalTotals } = unbalancedBatch();
    const o = h.when(settle('000007', terminalTotals));
    thenEvents(o, settlementRequested('000007', terminalTotals, [totals('CNY', 3, 6_000n, 1, 500n)], { result: 'UNBALANCED' }));
    o.events.forEach((e) => h.apply(e));
    expect(h.state.phase).toBe('UPLOADING');
    expect(h.state.batchNo).toBe('000001');
    expect(h.answerTo('000007', fp('000007'))).toMatchObject({ responseCode: '95', result: 'UNBALANCED' });
  });

  it('blocks new transactions and a second settlement until the upload ends', () => {
    const { h, rrns, terminalTotals } = unbalancedBatch();
    h.run(settle('000007', terminalTotals));
    thenRefused(h.when(sale('000008', 100n)), 'BATCH_UPLOAD_IN_PROGRESS', '12');
    thenRefused(h.when(voidOf('000008', rrns.b)), 'BATCH_UPLOAD_IN_PROGRESS', '12');
    thenRefused(h.when(refund('000008', rrns.b, 1n)), 'BATCH_UPLOAD_IN_PROGRESS', '12');
    thenRefused(h.when(settle('000008', terminalTotals)), 'BATCH_UPLOAD_IN_PROGRESS', '12');
  });

  it('books an uploaded void or refund only if the host would have accepted it online', () => {
    const { h, rrns, terminalTotals } = unbalancedBatch();
    h.run(settle('000007', terminalTotals));
    const o = h.when(upload('000008', [
      // refund of sale a (1,000) beyond what is left after the 500 already refunded
      uploaded('000020', 501n, { kind: 'REFUND', originalRrn: rrns.a }),
      // a partial void of sale b (2,000)
      uploaded('000021', 1_999n, { kind: 'VOID', originalRrn: rrns.b }),
      // a refund of an unknown sale
      uploaded('000022', 10n, { kind: 'REFUND', originalRrn: '999999999999' }),
      // a void of sale c for its whole amount: bookable
      uploaded('000023', 3_000n, { kind: 'VOID', originalRrn: rrns.c }),
    ]));
    const items = eventOf(o, 'BatchTransactionsUploaded').data.items;
    expect(items.map((i) => [i.stan, i.outcome])).toEqual([['000020', 'MISMATCHED'], ['000021', 'MISMATCHED'], ['000022', 'MISMATCHED'], ['000023', 'BOOKED']]);
    expect(items[0].difference?.note).toMatch(/refund exceeds/);
    expect(items[1].difference?.note).toMatch(/whole sale/);
    expect(items[2].difference?.note).toMatch(/unknown to the host/);
    const voided = eventOf(o, 'TransactionCompleted').data.rrn;
    thenEvents(o, completed('000023', 3_000n, voided, { kind: 'VOID', originalRrn: rrns.c, capture: 'BATCH_UPLOAD', maskedPan: undefined, fingerprint: fp('000008') }), {
      type: 'BatchTransactionsUploaded',
      data: { terminalId: TID, merchantId: MID, businessDay: DAY, stan: '000008', fingerprint: fp('000008'), batchNo: '000001', items },
    });
  });

  it('an upload or end of upload is refused when no upload is expected', () => {
    const { h } = unbalancedBatch();
    thenRefused(h.when(upload('000007', [uploaded('000002', 1_000n)])), 'BATCH_UPLOAD_NOT_EXPECTED', '12');
    thenRefused(h.when(endUpload('000007')), 'BATCH_UPLOAD_NOT_EXPECTED', '12');
  });

  it('batch upload books what the host lacks, matches what agrees and flags what differs', () => {
    const { h, rrns, terminalTotals } = unbalancedBatch();
    h.run(settle('000007', terminalTotals));
    const o = h.when(upload('000008', [
      uploaded('000002', 1_000n, { rrn: rrns.a }),
      uploaded('000003', 2_500n, { rrn: rrns.b }),
      uploaded('000006', 4_000n),
      uploaded('000005', 500n, { kind: 'REFUND', originalRrn: rrns.a, rrn: rrns.r }),
    ]));
    // Booked from the upload: the upload request's fingerprint, no card data.
    const booked = eventOf(o, 'TransactionCompleted').data;
    thenEvents(o, completed('000006', 4_000n, booked.rrn, { capture: 'BATCH_UPLOAD', maskedPan: undefined, fingerprint: fp('000008') }), {
      type: 'BatchTransactionsUploaded',
      data: { terminalId: TID, merchantId: MID, businessDay: DAY, stan: '000008', fingerprint: fp('000008'), batchNo: '000001', items: eventOf(o, 'BatchTransactionsUploaded').data.items },
    });
    expect(booked.rrn).toMatch(/^\d{12}$/);
    expect(Object.values(rrns)).not.toContain(booked.rrn);
    expect(booked.transactionId).toBe(`${TID}-${booked.rrn}`);

    const { items } = eventOf(o, 'BatchTransactionsUploaded').data;
    expect(items).toEqual([
      { stan: '000002', outcome: 'MATCHED', rrn: rrns.a },
      {
        stan: '000003', outcome: 'MISMATCHED', rrn: rrns.b,
        difference: expect.objectContaining({ kind: 'AMOUNT_MISMATCH', stan: '000003', rrn: rrns.b, hostAmount: 2_000n, terminalAmount: 2_500n, currency: 'CNY' }),
      },
      {
        stan: '000006', outcome: 'BOOKED', rrn: booked.rrn,
        difference: expect.objectContaining({ kind: 'MISSING_AT_HOST', stan: '000006', rrn: booked.rrn, terminalAmount: 4_000n, hostAmount: undefined }),
      },
      { stan: '000005', outcome: 'MATCHED', rrn: rrns.r },
    ]);

    o.events.forEach((e) => h.apply(e));
    expect(hostTotals(h.state)).toEqual([totals('CNY', 4, 10_000n, 1, 500n)]);
    expect(h.state.phase).toBe('UPLOADING');
  });

  it('end of upload closes the batch UNBALANCED with every difference, and the next batch opens', () => {
    const { h, rrns, terminalTotals } = unbalancedBatch();
    h.run(settle('000007', terminalTotals));
    const [bookedEvent] = h.run(upload('000008', [
      uploaded('000002', 1_000n),
      uploaded('000003', 2_500n),
      uploaded('000006', 4_000n),
      uploaded('000005', 500n, { kind: 'REFUND', originalRrn: rrns.a }),
    ]));
    const bookedRrn = bookedEvent.type === 'TransactionCompleted' ? bookedEvent.data.rrn : '';

    const o = h.when(endUpload('000009'), at('2026-11-24T23:00:00Z'));
    thenTypes(o, 'BatchClosed');
    const closed = eventOf(o, 'BatchClosed').data;
    expect(closed).toMatchObject({
      result: 'UNBALANCED', batchNo: '000001', stan: '000009', terminalTotals, hostTotals: [totals('CNY', 4, 10_000n, 1, 500n)],
      transactionCount: 5, nextBatchNo: '000002', nextBusinessDay: '2026-11-25',
    });
    expect(closed.differences).toHaveLength(4);
    expect(closed.differences).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'AMOUNT_MISMATCH', stan: '000003', hostAmount: 2_000n, terminalAmount: 2_500n }),
      expect.objectContaining({ kind: 'MISSING_AT_HOST', stan: '000006', rrn: bookedRrn, terminalAmount: 4_000n }),
      expect.objectContaining({ kind: 'MISSING_AT_TERMINAL', stan: '000004', rrn: rrns.c, hostAmount: 3_000n, currency: 'CNY' }),
      expect.objectContaining({ kind: 'TOTALS_MISMATCH', currency: 'CNY', hostAmount: 9_500n, terminalAmount: 7_000n }),
    ]));

    o.events.forEach((e) => h.apply(e));
    expect(h.state).toMatchObject({ batchNo: '000002', businessDay: '2026-11-25', phase: 'OPEN', transactions: {} });
    expect(h.state.settlement).toBeUndefined();
    thenTypes(h.when(sale('000010', 100n, { batchNo: '000002' })), 'TransactionCompleted');
    // The sale booked from the upload is a settled sale like any other: refundable in the next batch.
    thenTypes(h.when(refund('000010', bookedRrn, 4_000n, { batchNo: '000002' })), 'TransactionCompleted');
  });

  it('the answers of the closed batch stay retrievable: the settlement (95), the upload and the end of upload', () => {
    const { h, terminalTotals } = unbalancedBatch();
    h.run(settle('000007', terminalTotals));
    h.run(upload('000008', [uploaded('000006', 4_000n)]));
    h.run(endUpload('000009'));
    expect(h.state.batchNo).toBe('000002');
    expect(h.answerTo('000007', fp('000007'), '000001')).toMatchObject({ responseCode: '95', result: 'UNBALANCED', batchNo: '000001' });
    expect(h.answerTo('000008', fp('000008'), '000001')).toMatchObject({ responseCode: '00', items: [expect.objectContaining({ stan: '000006', outcome: 'BOOKED' })] });
    const slip = h.answerTo('000009', fp('000009'), '000001');
    expect(slip).toMatchObject({ responseCode: '00', result: 'UNBALANCED', batchNo: '000001', nextBatchNo: '000002' });
    expect(slip?.differences).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'MISSING_AT_TERMINAL', stan: '000003', hostAmount: '2000' }),
    ]));
  });

  it('flags an uploaded transaction the host reversed, or one reversed before the host saw it, without booking it', () => {
    const h = signedOn();
    h.run(sale('000002', 1_000n));
    h.run(reverse('000003', '000002'));
    h.run(reverse('000004', '000005'));
    h.run(settle('000006', [totals('CNY', 2, 3_000n)]));
    const o = h.when(upload('000007', [uploaded('000002', 1_000n), uploaded('000005', 2_000n)]));
    thenTypes(o, 'BatchTransactionsUploaded');
    expect(eventOf(o, 'BatchTransactionsUploaded').data.items).toEqual([
      expect.objectContaining({ stan: '000002', outcome: 'MISMATCHED', difference: expect.objectContaining({ kind: 'STATUS_MISMATCH' }) }),
      expect.objectContaining({ stan: '000005', outcome: 'MISMATCHED', difference: expect.objectContaining({ kind: 'STATUS_MISMATCH' }) }),
    ]);
  });

  it('does not book an uploaded transaction it cannot accept, or a refund of an unknown sale', () => {
    const h = signedOn();
    h.run(settle('000002', [totals('CNY', 1, 100n)]));
    const o = h.when(upload('000003', [
      uploaded('000010', 100n, { currency: 'EUR' }),
      uploaded('000011', 0n),
      uploaded('000012', 100n, { kind: 'REFUND', originalRrn: '263289999999' }),
      // one minor unit above the terminal's CNY limit (5,000,000): refused online, so not booked offline either
      uploaded('000013', 5_000_001n),
    ]));
    thenTypes(o, 'BatchTransactionsUploaded');
    const items = eventOf(o, 'BatchTransactionsUploaded').data.items;
    expect(items.map((i) => [i.stan, i.outcome, i.difference?.kind])).toEqual([
      ['000010', 'MISMATCHED', 'MISSING_AT_HOST'],
      ['000011', 'MISMATCHED', 'MISSING_AT_HOST'],
      ['000012', 'MISMATCHED', 'MISSING_AT_HOST'],
      ['000013', 'MISMATCHED', 'MISSING_AT_HOST'],
    ]);
    expect(items[3].difference?.note).toBe('not booked: amount 5000001 exceeds the limit 5000000 CNY');
  });

  it('books an uploaded sale of exactly the terminal limit', () => {
    const h = signedOn();
    h.run(settle('000002', [totals('CNY', 1, 5_000_000n)]));
    thenTypes(h.when(upload('000003', [uploaded('000010', 5_000_000n)])), 'TransactionCompleted', 'BatchTransactionsUploaded');
  });

  it('refuses an upload listing the same trace number twice', () => {
    const h = signedOn();
    h.run(settle('000002', [totals('CNY', 1, 100n)]));
    thenRefused(h.when(upload('000003', [uploaded('000010', 100n), uploaded('000010', 100n)])), 'SETTLEMENT_TOTALS_MALFORMED', '30');
  });

  it('books several missing transactions in one upload with distinct RRNs', () => {
    const h = signedOn();
    h.run(settle('000002', [totals('CNY', 2, 300n)]));
    const o = h.when(upload('000003', [uploaded('000010', 100n), uploaded('000011', 200n)]));
    thenTypes(o, 'TransactionCompleted', 'TransactionCompleted', 'BatchTransactionsUploaded');
    const [x, y] = o.events.map((e) => (e.type === 'TransactionCompleted' ? e.data.rrn : ''));
    expect(x).not.toBe(y);
    o.events.forEach((e) => h.apply(e));
    // Booked totals now agree: the close records only the MISSING_AT_HOST differences.
    const closed = eventOf(h.when(endUpload('000004')), 'BatchClosed').data;
    expect(closed.differences.map((d) => d.kind)).toEqual(['MISSING_AT_HOST', 'MISSING_AT_HOST']);
    expect(closed.hostTotals).toEqual([totals('CNY', 2, 300n)]);
  });
});

describe('settled sales', () => {
  it(`stay refundable for ${REFUND_WINDOW_DAYS} days after their business day, not longer`, () => {
    const build = () => {
      const h = signedOn();
      const rrn = h.rrnOf(sale('000002', 1_000n));
      h.run(settle('000003', [totals('CNY', 1, 1_000n)]));
      return { h, rrn };
    };
    const kept = build();
    kept.h.run(settle('000004', [], { batchNo: '000002' }), at('2027-05-23T10:00:00Z')); // 2026-11-24 + 180 days
    expect(kept.h.state.businessDay).toBe('2027-05-23');
    thenTypes(kept.h.when(refund('000005', kept.rrn, 1_000n, { batchNo: '000003' })), 'TransactionCompleted');

    const dropped = build();
    dropped.h.run(settle('000004', [], { batchNo: '000002' }), at('2027-05-24T10:00:00Z'));
    thenRefused(dropped.h.when(refund('000005', dropped.rrn, 1_000n, { batchNo: '000003' })), 'ORIGINAL_NOT_FOUND', '25');
  });

  it('keep their business day across later closes', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n), NOW);
    h.run(settle('000003', [totals('CNY', 1, 1_000n)]));
    h.run(settle('000004', [], { batchNo: '000002' }), at('2026-12-10T10:00:00Z'));
    expect(h.settled.get(rrn)!).toMatchObject({ businessDay: DAY, amount: 1_000n, refunded: 0n });
  });
});
