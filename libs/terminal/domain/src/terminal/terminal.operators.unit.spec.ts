import { describe, expect, it } from 'vitest';
import { MAX_MINOR_DIGITS, parseMinorUnits } from '@pos/money';
import { MAX_PASSWORD_FAILURES, MAX_TRANSACTION_AMOUNT, MAX_TRANSACTIONS_PER_BATCH } from './terminal.decider';
import {
  answerTo,
  at, authenticationFailed, DAY, fp, given, History, MID, NOW, OP, OP2, register, registered, reverse, sale, settle, signedOffEvent, signedOn, signedOnEvent, signOff, signOn, TID,
  thenEvents, thenRefused, thenRefusedRecording, thenTypes, totals, unlock, unlocked, when,
} from './terminal.test-kit';
import { responseOf } from './terminal.state';

describe('registering a terminal', () => {
  it('opens batch 000001 on the business day of registration, with the pricing plan effective that day', () => {
    const o = when(given(), register(), at('2026-11-24T23:59:59.999Z'));
    thenEvents(o, {
      type: 'TerminalRegistered',
      data: {
        terminalId: TID, merchantId: MID, merchantName: 'Shop', batchNo: '000001', businessDay: '2026-11-24', operatorIds: [OP, OP2],
        currencies: [
          { currency: 'CNY', maxAmount: 5_000_000n },
          { currency: 'USD', maxAmount: 100_000n },
        ],
        pricing: {
          planId: 'default', effectiveFrom: '2026-11-24', mdrBps: { BANK_CARD: 60, QR: 38 }, refundReturnsFee: false, payoutSchedule: 'T1',
          rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' },
        },
        timeZone: 'Asia/Shanghai',
      },
    });
  });

  it("records the merchant's time zone when one is given", () => {
    thenEvents(when(given(), register({ timeZone: 'Europe/Berlin' })), registered({ timeZone: 'Europe/Berlin' }));
  });

  it('keeps an explicit pricing effective date', () => {
    const o = when(given(), register({ pricing: { ...register().pricing, effectiveFrom: '2026-12-01' } }));
    thenEvents(o, registered({ pricing: { ...registered().data.pricing, effectiveFrom: '2026-12-01' } }));
  });

  it.each([
    ['zero', 0n],
    ['one minor unit over the bound', MAX_TRANSACTION_AMOUNT + 1n],
  ])('refuses a per-transaction limit of %s (AMOUNT_INVALID 13), recording nothing', (_name, maxAmount) => {
    const o = when(given(), register({ currencies: [{ currency: 'CNY', maxAmount: 5_000n }, { currency: 'USD', maxAmount }] }));
    thenRefused(o, 'AMOUNT_INVALID', '13');
    expect(o.error?.details).toEqual({ currency: 'USD', max: MAX_TRANSACTION_AMOUNT.toString() });
  });

  it('accepts the largest limit, and a batch of such sales settles balanced', () => {
    const h = new History();
    h.run(register({ currencies: [{ currency: 'JPY', maxAmount: MAX_TRANSACTION_AMOUNT }] }));
    h.run(signOn('000001'));
    for (const stan of ['000002', '000003', '000004']) h.run(sale(stan, MAX_TRANSACTION_AMOUNT, { currency: 'JPY' }));
    thenRefused(h.when(sale('000005', MAX_TRANSACTION_AMOUNT + 1n, { currency: 'JPY' })), 'AMOUNT_OVER_LIMIT', '61');
    thenTypes(h.when(settle('000005', [totals('JPY', 3, 3n * MAX_TRANSACTION_AMOUNT)])), 'SettlementRequested', 'BatchClosed');
  });

  it('bounds amounts so that any batch it accepts has totals settlement accepts', () => {
    // The fullest batch: one transaction per trace number, each of the largest amount.
    const fullest = MAX_TRANSACTION_AMOUNT * BigInt(MAX_TRANSACTIONS_PER_BATCH);
    expect(parseMinorUnits(fullest.toString())).toBe(fullest);
    expect(fullest.toString().length).toBeLessThanOrEqual(MAX_MINOR_DIGITS);
    expect(() => parseMinorUnits(`1${'0'.repeat(MAX_MINOR_DIGITS)}`)).toThrow(/not an integer number of minor units/);
  });

  it('refuses to register the same terminal twice', () => {
    const h = new History();
    h.run(register());
    thenRefused(h.when(register()), 'TERMINAL_ALREADY_REGISTERED', '94');
  });

  it.each([
    ['sign-on', signOn('000001')],
    ['sale', sale('000002', 100n)],
    ['sign-off', signOff('000003')],
    ['unlock', unlock()],
  ])('refuses a %s for an unregistered terminal (97)', (_name, command) => {
    thenRefused(when(given(), command), 'TERMINAL_UNKNOWN', '97');
  });
});

describe('signing on', () => {
  it('answers with the batch number 000001 and the business day', () => {
    const h = new History();
    h.run(register());
    const o = h.when(signOn('000001'));
    thenEvents(o, {
      type: 'TerminalSignedOn',
      data: { terminalId: TID, merchantId: MID, operatorId: OP, batchNo: '000001', businessDay: DAY, stan: '000001', fingerprint: fp('000001') },
    });
    const after = given(...h.events, ...o.events);
    expect(after.signedOnOperator).toBe(OP);
    expect(answerTo([...h.events, ...o.events], '000001', fp('000001'))).toEqual({ responseCode: '00', batchNo: '000001', businessDay: DAY });
  });

  it('refuses an operator the terminal does not know (55), recording nothing', () => {
    const h = new History();
    h.run(register());
    thenRefused(h.when(signOn('000001', { operatorId: '99' })), 'OPERATOR_UNKNOWN', '55');
  });

  it('records a wrong password AND refuses it with OPERATOR_PASSWORD_INVALID (55)', () => {
    const h = new History();
    h.run(register());
    const o = h.when(signOn('000001', { passwordValid: false }));
    thenRefusedRecording(o, 'OPERATOR_PASSWORD_INVALID', '55', {
      type: 'OperatorAuthenticationFailed',
      data: { terminalId: TID, merchantId: MID, businessDay: DAY, operatorId: OP, during: 'SIGN_ON', consecutiveFailures: 1, maxFailures: 3, lockedOut: false },
    });
    const after = given(...h.events, ...o.events);
    expect(after.signedOnOperator).toBeNull();
    expect(after.operators[OP]).toEqual({ failures: 1, locked: false });
  });

  it('counts consecutive failures and locks the operator on the third (OPERATOR_LOCKED 75)', () => {
    expect(MAX_PASSWORD_FAILURES).toBe(3);
    const h = new History();
    h.run(register());
    h.runRefused(signOn('000001', { passwordValid: false }));
    const second = h.when(signOn('000002', { passwordValid: false }));
    thenRefusedRecording(second, 'OPERATOR_PASSWORD_INVALID', '55', authenticationFailed({ consecutiveFailures: 2 }));
    second.events.forEach((e) => h.apply(e));

    const third = h.when(signOn('000003', { passwordValid: false }));
    thenRefusedRecording(third, 'OPERATOR_LOCKED', '75', authenticationFailed({ consecutiveFailures: 3, lockedOut: true }));
    third.events.forEach((e) => h.apply(e));
    expect(h.state.operators[OP]).toEqual({ failures: 3, locked: true });
  });

  it('refuses a locked operator, even with the right password, and records nothing more', () => {
    const h = new History();
    h.run(register());
    for (const stan of ['000001', '000002', '000003']) h.runRefused(signOn(stan, { passwordValid: false }));
    thenRefused(h.when(signOn('000004')), 'OPERATOR_LOCKED', '75');
    thenRefused(h.when(signOn('000005', { passwordValid: false })), 'OPERATOR_LOCKED', '75');
  });

  it('lets another operator of the same terminal sign on while one is locked', () => {
    const h = new History();
    h.run(register());
    for (const stan of ['000001', '000002', '000003']) h.runRefused(signOn(stan, { passwordValid: false }));
    thenEvents(h.when(signOn('000004', { operatorId: OP2 })), signedOnEvent('000004', { operatorId: OP2 }));
  });

  it('unlocking resets the operator: it may sign on, and its next wrong password counts from one', () => {
    const h = new History();
    h.run(register());
    for (const stan of ['000001', '000002', '000003']) h.runRefused(signOn(stan, { passwordValid: false }));
    const o = h.when(unlock(OP));
    thenEvents(o, { type: 'OperatorUnlocked', data: { terminalId: TID, merchantId: MID, businessDay: DAY, operatorId: OP } });
    o.events.forEach((e) => h.apply(e));
    expect(h.state.operators[OP]).toEqual({ failures: 0, locked: false });

    thenRefusedRecording(h.when(signOn('000004', { passwordValid: false })), 'OPERATOR_PASSWORD_INVALID', '55', authenticationFailed());
    thenEvents(h.when(signOn('000005')), signedOnEvent('000005'));
  });

  it('unlocking an operator who is not locked changes nothing: no event, however often', () => {
    const h = new History();
    h.run(register());
    thenEvents(h.when(unlock(OP)));
    // Two wrong passwords do not lock; they count on until a right password, not until an unlock.
    h.runRefused(signOn('000001', { passwordValid: false }));
    h.runRefused(signOn('000002', { passwordValid: false }));
    thenEvents(h.when(unlock(OP)));
    h.runRefused(signOn('000003', { passwordValid: false }));
    expect(h.run(unlock(OP))).toEqual([unlocked(OP)]);
    expect(h.state.operators[OP]).toEqual({ failures: 0, locked: false });
    thenEvents(h.when(unlock(OP)));
  });

  it('answers an unlock with whether it unlocked the operator', () => {
    expect(responseOf({ type: 'OperatorUnlocked', data: { terminalId: TID, merchantId: MID, businessDay: DAY, operatorId: OP } })).toEqual({ responseCode: '00', operatorId: OP, unlocked: true });
  });

  it('refuses to unlock an operator the terminal does not know', () => {
    const h = new History();
    h.run(register());
    thenRefused(h.when(unlock('77')), 'OPERATOR_UNKNOWN', '55');
  });

  it('a successful sign-on resets the failure count', () => {
    const h = new History();
    h.run(register());
    h.runRefused(signOn('000001', { passwordValid: false }));
    h.runRefused(signOn('000002', { passwordValid: false }));
    h.run(signOn('000003'));
    expect(h.state.operators[OP].failures).toBe(0);
    thenRefusedRecording(h.when(signOn('000004', { passwordValid: false })), 'OPERATOR_PASSWORD_INVALID', '55', authenticationFailed());
  });

  it('a right password at settlement also ends the run of consecutive failures', () => {
    const h = signedOn();
    h.runRefused(settle('000002', [], { passwordValid: false }));
    h.runRefused(settle('000003', [], { passwordValid: false }));
    h.run(settle('000004', []));
    expect(h.state.operators[OP].failures).toBe(0);
    const o = h.when(settle('000005', [], { batchNo: '000002', passwordValid: false }));
    thenRefusedRecording(o, 'OPERATOR_PASSWORD_INVALID', '55', authenticationFailed({ during: 'SETTLEMENT', businessDay: '2026-11-25' }));
  });

  it('refuses a sign-on whose trace number was already used in the batch', () => {
    const h = signedOn();
    thenRefused(h.when(signOn('000001', { fingerprint: fp('000001', 'other') })), 'DUPLICATE_TRANSMISSION', '94');
  });
});

describe('signing off', () => {
  it('is refused while the batch holds unsettled transactions', () => {
    const h = signedOn();
    h.run(sale('000002', 1_000n));
    const o = h.when(signOff('000003'));
    thenRefused(o, 'SIGN_OFF_UNSETTLED_BATCH', '12');
    expect(o.error?.details).toEqual({ unsettled: 1 });
  });

  it('is allowed once the batch is settled, and the terminal is then signed off', () => {
    const h = signedOn();
    h.run(sale('000002', 1_000n));
    h.run(settle('000003', [totals('CNY', 1, 1_000n)]));
    const o = h.when(signOff('000004'));
    thenEvents(o, signedOffEvent('000004', { batchNo: '000002', businessDay: '2026-11-25' }));
    const after = given(...h.events, ...o.events);
    expect(after.signedOnOperator).toBeNull();
    expect(answerTo([...h.events, ...o.events], '000004', fp('000004'))).toEqual({ responseCode: '00', batchNo: '000002' });
    thenRefused(when(after, sale('000005', 100n, { batchNo: '000002' })), 'TERMINAL_NOT_SIGNED_ON', '22');
  });

  it('is allowed with an empty batch, or when every transaction of the batch was reversed', () => {
    thenEvents(signedOn().when(signOff('000002')), signedOffEvent('000002'));
    const h = signedOn();
    h.run(sale('000002', 1_000n));
    h.run(reverse('000003', '000002'));
    thenEvents(h.when(signOff('000004')), signedOffEvent('000004'));
  });

  it('is refused during a batch upload even when the host holds no transaction', () => {
    const h = signedOn();
    // The terminal claims a sale the host never saw: unbalanced, upload expected.
    h.run(settle('000002', [totals('CNY', 1, 500n)]));
    expect(h.state.phase).toBe('UPLOADING');
    thenRefused(h.when(signOff('000003')), 'SIGN_OFF_UNSETTLED_BATCH', '12');
  });

  it('is refused for a terminal that is not signed on', () => {
    const h = signedOn();
    h.run(signOff('000002'));
    thenRefused(h.when(signOff('000003')), 'TERMINAL_NOT_SIGNED_ON', '22');
  });

  it('a terminal signed off may sign on again (another operator) and keeps its batch', () => {
    const h = signedOn();
    h.run(signOff('000002'));
    thenEvents(h.when(signOn('000003', { operatorId: OP2 }), NOW), signedOnEvent('000003', { operatorId: OP2 }));
  });
});
