import { describe, expect, it } from 'vitest';
import { rrnFor } from './terminal.decider';
import { hostTotals } from './terminal.state';
import {
  answerTo,
  at, completed, DAY, eventOf, fp, given, History, MID, NOW, OP, refund, register, reversedEvent, reverse, sale, settle, signedOn, signedOnEvent, signOff, signOn, TID,
  thenEvents, thenRefused, thenTypes, totals, unmatchedReversal, voidOf, when,
} from './terminal.test-kit';

describe('a sale', () => {
  it('is refused before sign-on (TERMINAL_NOT_SIGNED_ON 22)', () => {
    const h = signedOn();
    const registeredOnly = given(h.events[0]);
    thenRefused(when(registeredOnly, sale('000002', 1_000n)), 'TERMINAL_NOT_SIGNED_ON', '22');
  });

  it('is refused after sign-off', () => {
    const h = signedOn();
    h.run(signOff('000002'));
    thenRefused(h.when(sale('000003', 1_000n)), 'TERMINAL_NOT_SIGNED_ON', '22');
  });

  it.each([0n, -1n])('refuses the amount %s (AMOUNT_INVALID 13)', (amount) => {
    thenRefused(signedOn().when(sale('000002', amount)), 'AMOUNT_INVALID', '13');
  });

  it('refuses one minor unit over the currency limit (AMOUNT_OVER_LIMIT 61) but accepts the limit itself', () => {
    const h = signedOn();
    const o = h.when(sale('000002', 5_000_001n));
    thenRefused(o, 'AMOUNT_OVER_LIMIT', '61');
    expect(o.error?.details).toEqual({ limit: '5000000', currency: 'CNY' });
    thenTypes(h.when(sale('000002', 5_000_000n)), 'TransactionCompleted');
    // The limit is per currency: 100,001 is fine in CNY, too much in USD.
    thenRefused(h.when(sale('000002', 100_001n, { currency: 'USD' })), 'AMOUNT_OVER_LIMIT', '61');
    thenTypes(h.when(sale('000002', 100_001n)), 'TransactionCompleted');
  });

  it('refuses a currency the terminal does not accept (58)', () => {
    thenRefused(signedOn().when(sale('000002', 100n, { currency: 'EUR' })), 'CURRENCY_NOT_ACCEPTED', '58');
  });

  it("refuses a batch number other than the host's (BATCH_NUMBER_MISMATCH 77)", () => {
    const o = signedOn().when(sale('000002', 100n, { batchNo: '000002' }));
    thenRefused(o, 'BATCH_NUMBER_MISMATCH', '77');
    expect(o.error?.details).toEqual({ hostBatchNo: '000001' });
  });

  it('refuses a bank-card sale without a masked PAN, and a QR sale without a payer token', () => {
    const h = signedOn();
    thenRefused(h.when(sale('000002', 100n, { maskedPan: undefined })), 'CARD_DATA_MISSING', '30');
    thenRefused(h.when(sale('000002', 100n, { method: 'QR', maskedPan: undefined })), 'CARD_DATA_MISSING', '30');
    const qr = h.when(sale('000002', 100n, { method: 'QR', maskedPan: undefined, hasQrToken: true }));
    thenEvents(qr, completed('000002', 100n, rrnFor(NOW, 1), { method: 'QR', maskedPan: undefined }));
  });

  it('is completed online with a 12-digit RRN, an auth code and transactionId `<terminalId>-<rrn>`', () => {
    const o = signedOn().when(sale('000002', 12_345n), NOW);
    const { data } = eventOf(o, 'TransactionCompleted');
    expect(data.rrn).toMatch(/^\d{12}$/);
    expect(data.rrn).toBe(rrnFor(NOW, 1));
    expect(data.rrn.startsWith('26328')).toBe(true);
    thenEvents(o, {
      type: 'TransactionCompleted',
      data: {
        terminalId: TID, merchantId: MID, businessDay: DAY, batchNo: '000001', operatorId: OP, stan: '000002', fingerprint: fp('000002'),
        transactionId: `${TID}-${data.rrn}`, rrn: data.rrn, authCode: expect.stringMatching(/^\d{6}$/),
        kind: 'SALE', method: 'BANK_CARD', amount: 12_345n, currency: 'CNY', maskedPan: '622202******1234', capture: 'ONLINE',
      },
    });
    expect('originalRrn' in data).toBe(false);
  });

  it('gets an auth code that depends on the terminal, not only on the RRN sequence, and the same one when decided again', () => {
    const firstSaleOf = (terminalId: string) => {
      const h = new History();
      h.run(register({ terminalId }));
      h.run(signOn('000001'));
      return eventOf(h.when(sale('000002', 100n)), 'TransactionCompleted').data;
    };
    const terminals = Array.from({ length: 20 }, (_, i) => `T${String(i + 1).padStart(7, '0')}`);
    const firsts = terminals.map(firstSaleOf);
    // Every terminal's first sale has the same RRN (…0000001), yet not the same auth code.
    expect(new Set(firsts.map((d) => d.rrn)).size).toBe(1);
    expect(new Set(firsts.map((d) => d.authCode)).size).toBeGreaterThan(15);
    for (const d of firsts) expect(d.authCode).toMatch(/^\d{6}$/);
    expect(firstSaleOf(terminals[3]).authCode).toBe(firsts[3].authCode);
  });

  it('is stamped with the operator currently signed on', () => {
    const h = signedOn();
    h.run(signOn('000002', { operatorId: '02' }));
    expect(eventOf(h.when(sale('000003', 100n)), 'TransactionCompleted').data.operatorId).toBe('02');
  });

  it('gets an RRN no other transaction of the terminal has, across batches', () => {
    const h = signedOn();
    const rrns = [h.rrnOf(sale('000002', 100n)), h.rrnOf(sale('000003', 100n)), h.rrnOf(sale('000004', 100n))];
    h.run(settle('000005', [totals('CNY', 3, 300n)]));
    rrns.push(h.rrnOf(sale('000006', 100n, { batchNo: '000002' })));
    rrns.push(h.rrnOf(voidOf('000007', rrns[3], { batchNo: '000002' })));
    expect(new Set(rrns).size).toBe(5);
  });
});

describe('idempotency by batch and trace number', () => {
  it('has no prior answer for a trace number never used', () => {
    expect(signedOn().answerTo('000002', fp('000002'))).toBeUndefined();
  });

  it('answers a retried request (same fingerprint) with the original answer and the same RRN', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    expect(h.answerTo('000002', fp('000002'))).toMatchObject({
      responseCode: '00', rrn, transactionId: `${TID}-${rrn}`, amount: '1000', currency: 'CNY', batchNo: '000001', businessDay: DAY, kind: 'SALE',
    });
  });

  it('refuses the same trace number with a different body (DUPLICATE_TRANSMISSION 94)', () => {
    const h = signedOn();
    h.run(sale('000002', 1_000n));
    let thrown: unknown;
    try {
      h.answerTo('000002', fp('000002', 'amount-2000'));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'DUPLICATE_TRANSMISSION', responseCode: '94', details: { stan: '000002' } });
  });

  it('decide itself refuses a trace number already used by a transaction or another request', () => {
    const h = signedOn();
    h.run(sale('000002', 1_000n));
    thenRefused(h.when(sale('000002', 2_000n, { fingerprint: fp('000002', 'other') })), 'DUPLICATE_TRANSMISSION', '94');
    // 000001 answered the sign-on.
    thenRefused(h.when(sale('000001', 2_000n)), 'DUPLICATE_TRANSMISSION', '94');
  });

  it('still answers a retry of the previous batch after it closed', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    h.run(settle('000003', [totals('CNY', 1, 1_000n)]));
    expect(h.state.batchNo).toBe('000002');
    expect(h.answerTo('000002', fp('000002'), '000001')).toMatchObject({ rrn, batchNo: '000001' });
    expect(() => h.answerTo('000002', fp('000002', 'x'), '000001')).toThrow(/already used in batch 000001/);
  });

  it('keys retries by batch and trace number: a terminal may restart its trace numbers in each batch', () => {
    const h = signedOn();
    const first = h.rrnOf(sale('000002', 1_000n));
    h.run(settle('000003', [totals('CNY', 1, 1_000n)]));
    // Batch 000002 starts again at 000001: the same trace numbers, other requests.
    expect(h.answerTo('000001', fp('000001', 'sign-on again'))).toBeUndefined();
    h.run(signOn('000001', { fingerprint: fp('000001', 'sign-on again') }));
    const again = h.when(sale('000002', 2_000n, { batchNo: '000002', fingerprint: fp('000002', 'batch 2') }));
    const second = eventOf(again, 'TransactionCompleted').data.rrn;
    thenEvents(again, completed('000002', 2_000n, second, { batchNo: '000002', businessDay: '2026-11-25', fingerprint: fp('000002', 'batch 2') }));
    again.events.forEach((e) => h.apply(e));
    expect(second).not.toBe(first);
    // Each retry gets its own batch's answer.
    expect(h.answerTo('000002', fp('000002', 'batch 2'), '000002')).toMatchObject({ rrn: second, batchNo: '000002' });
    expect(h.answerTo('000002', fp('000002'), '000001')).toMatchObject({ rrn: first, batchNo: '000001' });
    // Within one batch a trace number is still used once.
    expect(() => h.answerTo('000002', fp('000002', 'third'), '000002')).toThrow(/already used in batch 000002/);
    thenRefused(h.when(sale('000002', 3_000n, { batchNo: '000002', fingerprint: fp('000002', 'third') })), 'DUPLICATE_TRANSMISSION', '94');
  });

  it('a sign-on or sign-off (no batch number) belongs to the open batch: the same body in a later batch is a new request', () => {
    const h = signedOn();
    h.run(settle('000002', []));
    expect(h.answerTo('000001', fp('000001'))).toBeUndefined();
    thenEvents(h.when(signOn('000001')), signedOnEvent('000001', { batchNo: '000002', businessDay: '2026-11-25' }));
  });

  it('has no answer for a batch other than the open and the previous one', () => {
    const h = signedOn();
    h.run(sale('000002', 1_000n));
    h.run(settle('000003', [totals('CNY', 1, 1_000n)]));
    h.run(settle('000004', [], { batchNo: '000002' }));
    expect(h.state.batchNo).toBe('000003');
    expect(h.answerTo('000004', fp('000004'), '000002')).toMatchObject({ result: 'BALANCED', batchNo: '000002' });
    expect(h.answerTo('000002', fp('000002'), '000001')).toBeUndefined();
  });
});

describe('a void', () => {
  it('of a sale of the open batch is a credit for the whole sale amount', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_500n, { currency: 'USD' }));
    const o = h.when(voidOf('000003', rrn));
    thenEvents(o, completed('000003', 1_500n, rrnFor(NOW, 2), { kind: 'VOID', currency: 'USD', originalRrn: rrn, maskedPan: undefined }));
    expect(rrnFor(NOW, 2)).not.toBe(rrn);
    expect(given(...h.events, ...o.events).transactions.get(rrn)!.voided).toBe(true);
  });

  it('of an unknown RRN is refused (ORIGINAL_NOT_FOUND 25)', () => {
    thenRefused(signedOn().when(voidOf('000002', '263280000099')), 'ORIGINAL_NOT_FOUND', '25');
  });

  it('of a sale already voided is refused', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    h.run(voidOf('000003', rrn));
    thenRefused(h.when(voidOf('000004', rrn)), 'ORIGINAL_ALREADY_VOIDED', '12');
  });

  it('of a sale of a closed batch is refused: refund it instead', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    h.run(settle('000003', [totals('CNY', 1, 1_000n)]));
    thenRefused(h.when(voidOf('000004', rrn, { batchNo: '000002' })), 'VOID_OUTSIDE_OPEN_BATCH', '12');
  });

  it('of a refund or of another void is refused (VOID_NOT_A_SALE)', () => {
    const h = signedOn();
    const a = h.rrnOf(sale('000002', 1_000n));
    const refundRrn = h.rrnOf(refund('000003', a, 100n));
    const b = h.rrnOf(sale('000004', 1_000n));
    const voidRrn = h.rrnOf(voidOf('000005', b));
    thenRefused(h.when(voidOf('000006', refundRrn)), 'VOID_NOT_A_SALE', '12');
    thenRefused(h.when(voidOf('000006', voidRrn)), 'VOID_NOT_A_SALE', '12');
  });

  it('of a reversed sale, or of a sale with refunds, is refused', () => {
    const h = signedOn();
    const reversed = h.rrnOf(sale('000002', 1_000n));
    h.run(reverse('000003', '000002'));
    const refunded = h.rrnOf(sale('000004', 1_000n));
    h.run(refund('000005', refunded, 1n));
    thenRefused(h.when(voidOf('000006', reversed)), 'ORIGINAL_REVERSED', '12');
    thenRefused(h.when(voidOf('000006', refunded)), 'ORIGINAL_HAS_REFUNDS', '12');
  });

  it('is refused with a wrong batch number; whichever operator is signed on may void', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    thenRefused(h.when(voidOf('000003', rrn, { batchNo: '000009' })), 'BATCH_NUMBER_MISMATCH', '77');
    h.run(signOn('000003', { operatorId: '02' }));
    thenTypes(h.when(voidOf('000004', rrn)), 'TransactionCompleted');
  });

  it('arriving after the terminal reversed it (host never saw it) is refused', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    h.run(reverse('000004', '000003')); // the void 000003 timed out: the terminal reversed it
    thenRefused(h.when(voidOf('000003', rrn)), 'ORIGINAL_ALREADY_REVERSED', '12');
    expect(h.state.transactions.get(rrn)!.voided).toBe(false);
  });
});

describe('a refund', () => {
  it('may refund a sale in parts up to its amount; one more minor unit is refused', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 10_000n));
    const first = h.when(refund('000003', rrn, 4_000n));
    thenEvents(first, completed('000003', 4_000n, rrnFor(NOW, 2), { kind: 'REFUND', originalRrn: rrn, maskedPan: undefined }));
    first.events.forEach((e) => h.apply(e));

    const tooMuch = h.when(refund('000004', rrn, 6_001n));
    thenRefused(tooMuch, 'REFUND_EXCEEDS_ORIGINAL', '13');
    expect(tooMuch.error?.details).toEqual({ refundable: '6000' });

    h.run(refund('000004', rrn, 6_000n));
    expect(h.state.transactions.get(rrn)!.refunded).toBe(10_000n);
    const oneMore = h.when(refund('000005', rrn, 1n));
    thenRefused(oneMore, 'REFUND_EXCEEDS_ORIGINAL', '13');
    expect(oneMore.error?.details).toEqual({ refundable: '0' });
  });

  it('of a sale of a closed batch works, and the refunded tally carries across closes', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 10_000n));
    h.run(refund('000003', rrn, 3_000n));
    h.run(settle('000004', [totals('CNY', 1, 10_000n, 1, 3_000n)]));
    expect(h.settled.get(rrn)!).toMatchObject({ amount: 10_000n, refunded: 3_000n, businessDay: DAY });

    thenRefused(h.when(refund('000005', rrn, 7_001n, { batchNo: '000002' })), 'REFUND_EXCEEDS_ORIGINAL', '13');
    const o = h.when(refund('000005', rrn, 5_000n, { batchNo: '000002' }));
    thenEvents(o, completed('000005', 5_000n, rrnFor(NOW, 3), { kind: 'REFUND', originalRrn: rrn, batchNo: '000002', businessDay: '2026-11-25', maskedPan: undefined }));
    o.events.forEach((e) => h.apply(e));
    expect(h.settled.get(rrn)!.refunded).toBe(8_000n);

    // Another close: the tally is kept, so only 2,000 remain refundable.
    h.run(settle('000006', [totals('CNY', 0, 0n, 1, 5_000n)], { batchNo: '000002' }));
    expect(h.state.batchNo).toBe('000003');
    const over = h.when(refund('000007', rrn, 2_001n, { batchNo: '000003' }));
    thenRefused(over, 'REFUND_EXCEEDS_ORIGINAL', '13');
    expect(over.error?.details).toEqual({ refundable: '2000' });
    thenTypes(h.when(refund('000007', rrn, 2_000n, { batchNo: '000003' })), 'TransactionCompleted');
  });

  it('of an unknown RRN is refused (25)', () => {
    thenRefused(signedOn().when(refund('000002', '263280000042', 1n)), 'ORIGINAL_NOT_FOUND', '25');
  });

  it('of a voided sale, of a reversed sale, or of a refund is refused', () => {
    const h = signedOn();
    const voided = h.rrnOf(sale('000002', 1_000n));
    h.run(voidOf('000003', voided));
    const reversed = h.rrnOf(sale('000004', 1_000n));
    h.run(reverse('000005', '000004'));
    const good = h.rrnOf(sale('000006', 1_000n));
    const refundRrn = h.rrnOf(refund('000007', good, 100n));
    thenRefused(h.when(refund('000008', voided, 1n)), 'ORIGINAL_ALREADY_VOIDED', '12');
    thenRefused(h.when(refund('000008', reversed, 1n)), 'ORIGINAL_REVERSED', '12');
    thenRefused(h.when(refund('000008', refundRrn, 1n)), 'REFUND_NOT_A_SALE', '12');
  });

  it('a voided or reversed sale is not refundable after the batch closed either', () => {
    const h = signedOn();
    const voided = h.rrnOf(sale('000002', 1_000n));
    h.run(voidOf('000003', voided));
    const reversed = h.rrnOf(sale('000004', 1_000n));
    h.run(reverse('000005', '000004'));
    h.run(settle('000006', [totals('CNY', 1, 1_000n, 1, 1_000n)]));
    thenRefused(h.when(refund('000007', voided, 1n, { batchNo: '000002' })), 'ORIGINAL_NOT_FOUND', '25');
    thenRefused(h.when(refund('000007', reversed, 1n, { batchNo: '000002' })), 'ORIGINAL_NOT_FOUND', '25');
  });

  it.each([0n, -5n])('of %s is refused (AMOUNT_INVALID)', (amount) => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    thenRefused(h.when(refund('000003', rrn, amount)), 'AMOUNT_INVALID', '13');
  });

  it('that is reversed gives its amount back to the refundable balance', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    h.run(refund('000003', rrn, 1_000n));
    thenRefused(h.when(refund('000004', rrn, 1n)), 'REFUND_EXCEEDS_ORIGINAL');
    h.run(reverse('000004', '000003'));
    expect(h.state.transactions.get(rrn)!.refunded).toBe(0n);
    thenTypes(h.when(refund('000005', rrn, 1_000n)), 'TransactionCompleted');
  });

  it('of a settled sale that is reversed gives its amount back too', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    h.run(settle('000003', [totals('CNY', 1, 1_000n)]));
    h.run(refund('000004', rrn, 600n, { batchNo: '000002' }));
    expect(h.settled.get(rrn)!.refunded).toBe(600n);
    h.run(reverse('000005', '000004', { batchNo: '000002' }));
    expect(h.settled.get(rrn)!.refunded).toBe(0n);
  });

  it('arriving after the terminal reversed it (host never saw it) is refused', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    h.run(reverse('000004', '000003'));
    thenRefused(h.when(refund('000003', rrn, 500n)), 'ORIGINAL_ALREADY_REVERSED', '12');
    expect(h.state.transactions.get(rrn)!.refunded).toBe(0n);
  });
});

describe('a reversal', () => {
  it('of a sale records TransactionReversed and takes the sale out of the host totals', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    h.run(sale('000003', 250n));
    const o = h.when(reverse('000004', '000002', { reason: '96' }));
    thenEvents(o, {
      type: 'TransactionReversed',
      data: {
        terminalId: TID, merchantId: MID, businessDay: DAY, stan: '000004', fingerprint: fp('000004'), originalStan: '000002', rrn, transactionId: `${TID}-${rrn}`,
        kind: 'SALE', method: 'BANK_CARD', amount: 1_000n, currency: 'CNY', reason: '96', batchNo: '000001',
      },
    });
    const after = given(...h.events, ...o.events);
    expect(hostTotals(after)).toEqual([totals('CNY', 1, 250n)]);
    expect(answerTo([...h.events, ...o.events], '000004', fp('000004'))).toEqual({ responseCode: '00', reversed: true, rrn });
  });

  it('of a trace number the host never saw is remembered, and the late original is refused', () => {
    const h = signedOn();
    const o = h.when(reverse('000003', '000002', { reason: 'A0' }));
    thenEvents(o, unmatchedReversal('000003', '000002', { reason: 'A0' }));
    o.events.forEach((e) => h.apply(e));
    expect(h.answerTo('000003', fp('000003'))).toEqual({ responseCode: '00', reversed: false });
    thenRefused(h.when(sale('000002', 1_000n)), 'ORIGINAL_ALREADY_REVERSED', '12');
    thenTypes(h.when(sale('000004', 1_000n)), 'TransactionCompleted');
  });

  it('of a transaction already reversed is refused', () => {
    const h = signedOn();
    h.run(sale('000002', 1_000n));
    h.run(reverse('000003', '000002'));
    thenRefused(h.when(reverse('000004', '000002')), 'ORIGINAL_ALREADY_REVERSED', '12');
  });

  it('of a void un-voids the sale, which counts as a plain sale again', () => {
    const h = signedOn();
    const rrn = h.rrnOf(sale('000002', 1_000n));
    const voidRrn = h.rrnOf(voidOf('000003', rrn));
    expect(hostTotals(h.state)).toEqual([totals('CNY', 1, 1_000n, 1, 1_000n)]);
    const o = h.when(reverse('000004', '000003'));
    thenEvents(o, reversedEvent('000004', '000003', voidRrn, 1_000n, { kind: 'VOID', originalRrn: rrn }));
    o.events.forEach((e) => h.apply(e));
    expect(h.state.transactions.get(rrn)!.voided).toBe(false);
    expect(hostTotals(h.state)).toEqual([totals('CNY', 1, 1_000n)]);
    // ... so it can be voided again.
    thenTypes(h.when(voidOf('000005', rrn)), 'TransactionCompleted');
  });

  it('of a sale that was voided or refunded since is refused: reverse those first', () => {
    const h = signedOn();
    const a = h.rrnOf(sale('000002', 1_000n));
    h.run(voidOf('000003', a));
    const b = h.rrnOf(sale('000004', 1_000n));
    h.run(refund('000005', b, 10n));
    thenRefused(h.when(reverse('000006', '000002')), 'REVERSAL_NOT_ALLOWED', '12');
    thenRefused(h.when(reverse('000006', '000004')), 'REVERSAL_NOT_ALLOWED', '12');
  });

  it('is refused with a wrong batch number, a used trace number, or during a batch upload', () => {
    const h = signedOn();
    h.run(sale('000002', 1_000n));
    thenRefused(h.when(reverse('000003', '000002', { batchNo: '000002' })), 'BATCH_NUMBER_MISMATCH', '77');
    thenRefused(h.when(reverse('000002', '000002')), 'DUPLICATE_TRANSMISSION', '94');
    h.run(settle('000003', [totals('CNY', 2, 2_000n)]));
    thenRefused(h.when(reverse('000004', '000002')), 'BATCH_UPLOAD_IN_PROGRESS', '12');
  });

  it('on a later day still uses the current business day of the batch', () => {
    const h = signedOn();
    h.run(sale('000002', 1_000n));
    const o = h.when(reverse('000003', '000002'), at('2026-11-26T08:00:00Z'));
    expect(eventOf(o, 'TransactionReversed').data.businessDay).toBe(DAY);
  });
});

describe('a card type', () => {
  const cardTypeOf = (events: readonly { type: string; data: unknown }[]) => events.map((e) => (e.data as { cardType?: string }).cardType);

  it('given a debit-card sale, then the sale, its void and its refunds (in this batch or after it closed) carry DEBIT', () => {
    const h = signedOn();
    const voided = h.rrnOf(sale('000002', 1_000n, { cardType: 'DEBIT' }));
    expect(cardTypeOf(h.run(voidOf('000003', voided)))).toEqual(['DEBIT']);
    const kept = h.rrnOf(sale('000004', 10_000n, { cardType: 'DEBIT' }));
    expect(cardTypeOf(h.run(refund('000005', kept, 1_000n)))).toEqual(['DEBIT']);
    h.run(settle('000006', [totals('CNY', 2, 11_000n, 2, 2_000n)]));
    expect(h.settled.get(kept)).toMatchObject({ cardType: 'DEBIT' });
    expect(cardTypeOf(h.run(refund('000007', kept, 1_000n, { batchNo: '000002' })))).toEqual(['DEBIT']);
  });

  it('given a sale without one, or a QR sale that claims one, then none is recorded (priced as CREDIT, or as QR)', () => {
    const h = signedOn();
    expect(cardTypeOf(h.run(sale('000002', 1_000n)))).toEqual([undefined]);
    expect(cardTypeOf(h.run(sale('000003', 1_000n, { method: 'QR', maskedPan: undefined, hasQrToken: true, cardType: 'CREDIT' })))).toEqual([undefined]);
  });
});
