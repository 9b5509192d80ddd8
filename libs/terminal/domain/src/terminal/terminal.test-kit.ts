/**
 * Given / when / then for the pure terminal decider, shared by the
 * `*.unit.spec.ts` files beside it. Test-only: not exported from the library.
 */
import { type BatchTotals, DEFAULT_MERCHANT_TIME_ZONE, type PaymentMethod, type ReversalReason, type TerminalEvent } from '@pos/contracts';
import { DomainError } from '@pos/kernel';
import { expect } from 'vitest';
import type { CurrencyCode } from '@pos/money';
import { parseCommand, type TerminalCommand, type UploadedTransaction, type Written } from './terminal.commands';
import { decide, priorAnswer, settledSalesNeeded, settledSaleUpdates } from './terminal.decider';
import { evolve, initialTerminalState, responseOf, type SettledSale, type TerminalState } from './terminal.state';

export const TID = 'T0000001';
export const MID = 'M00000000000001';
export const OP = '01';
export const OP2 = '02';
/** 2026-11-24 is the 328th day of 2026. */
export const NOW = new Date('2026-11-24T10:00:00.000Z');
export const DAY = '2026-11-24';

export const at = (iso: string): Date => new Date(iso);
/** A request fingerprint (the application hashes the body; here any stable string of 16+ chars will do). */
export const fp = (stan: string, salt = 'body'): string => `fingerprint-${stan}-${salt}`;

// ---- commands -------------------------------------------------------------

type Cmd<T extends TerminalCommand['type']> = Extract<TerminalCommand, { type: T }>;

const command = <C extends TerminalCommand>(written: Written<C>): C => parseCommand(written);

export const register = (over: Partial<Written<Cmd<'RegisterTerminal'>>> = {}): Cmd<'RegisterTerminal'> =>
  command<Cmd<'RegisterTerminal'>>({
    type: 'RegisterTerminal',
    terminalId: TID,
    merchantId: MID,
    merchantName: 'Shop',
    currencies: [
      { currency: 'CNY', maxAmount: 5_000_000n },
      { currency: 'USD', maxAmount: 100_000n },
    ],
    operatorIds: [OP, OP2],
    pricing: {
      planId: 'default',
      mdrBps: { BANK_CARD: 60, QR: 38 },
      refundReturnsFee: false,
      payoutSchedule: 'T1',
      rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' },
    },
    ...over,
  });

export const signOn = (stan: string, over: Partial<Written<Cmd<'SignOn'>>> = {}): Cmd<'SignOn'> =>
  command<Cmd<'SignOn'>>({
    type: 'SignOn', stan, fingerprint: fp(stan), operatorId: OP, passwordValid: true, ...over,
  });

export const sale = (stan: string, amount: bigint, over: Partial<Written<Cmd<'Sale'>>> = {}): Cmd<'Sale'> =>
  command<Cmd<'Sale'>>({
    type: 'Sale', stan, fingerprint: fp(stan), batchNo: '000001', amount, currency: 'CNY', method: 'BANK_CARD', maskedPan: '622202******1234',
    ...over,
  });

export const voidOf = (stan: string, originalRrn: string, over: Partial<Written<Cmd<'Void'>>> = {}): Cmd<'Void'> =>
  command<Cmd<'Void'>>({
    type: 'Void', stan, fingerprint: fp(stan), batchNo: '000001', originalRrn, ...over,
  });

export const refund = (stan: string, originalRrn: string, amount: bigint, over: Partial<Written<Cmd<'Refund'>>> = {}): Cmd<'Refund'> =>
  command<Cmd<'Refund'>>({
    type: 'Refund', stan, fingerprint: fp(stan), batchNo: '000001', originalRrn, amount, ...over,
  });

export const reverse = (stan: string, originalStan: string, over: Partial<Written<Cmd<'Reverse'>>> = {}): Cmd<'Reverse'> =>
  command<Cmd<'Reverse'>>({
    type: 'Reverse', stan, fingerprint: fp(stan), batchNo: '000001', originalStan, reason: '98' as ReversalReason, ...over,
  });

export const settle = (stan: string, totals: readonly BatchTotals[], over: Partial<Written<Cmd<'Settle'>>> = {}): Cmd<'Settle'> =>
  command<Cmd<'Settle'>>({
    type: 'Settle', stan, fingerprint: fp(stan), batchNo: '000001', operatorId: OP, passwordValid: true, totals, ...over,
  });

export const upload = (stan: string, transactions: readonly Written<UploadedTransaction>[], over: Partial<Written<Cmd<'UploadBatch'>>> = {}): Cmd<'UploadBatch'> =>
  command<Cmd<'UploadBatch'>>({
    type: 'UploadBatch', stan, fingerprint: fp(stan), batchNo: '000001', transactions, ...over,
  });

export const endUpload = (stan: string, over: Partial<Written<Cmd<'EndBatchUpload'>>> = {}): Cmd<'EndBatchUpload'> =>
  command<Cmd<'EndBatchUpload'>>({
    type: 'EndBatchUpload', stan, fingerprint: fp(stan), batchNo: '000001', ...over,
  });

export const signOff = (stan: string, over: Partial<Written<Cmd<'SignOff'>>> = {}): Cmd<'SignOff'> =>
  command<Cmd<'SignOff'>>({
    type: 'SignOff', stan, fingerprint: fp(stan), ...over,
  });

export const unlock = (operatorId = OP): Cmd<'UnlockOperator'> => command<Cmd<'UnlockOperator'>>({ type: 'UnlockOperator', operatorId });

export const totals = (
  currency: CurrencyCode,
  debitCount: number,
  debitAmount: bigint,
  creditCount = 0,
  creditAmount = 0n,
): BatchTotals => ({ currency, debitCount, debitAmount, creditCount, creditAmount });

export const uploaded = (
  stan: string,
  amount: bigint,
  over: Partial<Written<UploadedTransaction>> = {},
): Written<UploadedTransaction> => ({ stan, kind: 'SALE', method: 'BANK_CARD' as PaymentMethod, amount, currency: 'CNY', ...over });

// ---- given / when / then --------------------------------------------------

/** given(...events): the state those events leave behind. */
export const given = (...events: readonly TerminalEvent[]): TerminalState => events.reduce(evolve, initialTerminalState);

/**
 * What a retried request is answered with after `events`, as the gateway builds it: the event that
 * answered it, again. `batchNo` is the request's (none for sign-on and sign-off: the open batch).
 */
export const answerTo = (events: readonly TerminalEvent[], stan: string, fingerprint: string, batchNo?: string): Record<string, unknown> | undefined => {
  const prior = priorAnswer(given(...events), { batchNo, stan, fingerprint });
  return prior && responseOf(events[prior.version - 1]);
};

export interface Outcome {
  readonly events: readonly TerminalEvent[];
  /** The refusal: thrown by decide, or returned beside the events (wrong password). */
  readonly error?: DomainError;
}

/** when(state, command, now): what decide answers, refusals caught. */
export const when = (state: TerminalState, command: TerminalCommand, now: Date = NOW): Outcome => {
  try {
    return decide(command, state, now);
  } catch (e) {
    if (e instanceof DomainError) return { events: [], error: e };
    throw e;
  }
};

/** The event of a type in an outcome (fails the test if it is not there). */
export const eventOf = <T extends TerminalEvent['type']>(o: Outcome, type: T): Extract<TerminalEvent, { type: T }> => {
  const e = o.events.find((x) => x.type === type);
  if (!e) throw new Error(`expected a ${type} event, got [${o.events.map((x) => x.type).join(', ')}]${o.error ? ` and ${o.error.code}` : ''}`);
  return e as Extract<TerminalEvent, { type: T }>;
};

/** then: refused with this code (and ISO response code), and nothing to append. */
export const thenRefused = (o: Outcome, code: string, responseCode?: string): void => {
  expect(o.error?.code, o.error ? o.error.message : 'expected a refusal, got none').toBe(code);
  if (responseCode !== undefined) expect(o.error?.responseCode).toBe(responseCode);
  expect(o.events).toEqual([]);
};

/** then: accepted with exactly these events, whole (type and every field of data), in this order. */
export const thenEvents = (o: Outcome, ...events: readonly TerminalEvent[]): void => {
  expect(o.error, o.error ? `${o.error.code}: ${o.error.message}` : undefined).toBeUndefined();
  expect(o.events).toEqual(events);
};

/** then: refused with this code and ISO response code, and yet these events recorded (a wrong password). */
export const thenRefusedRecording = (o: Outcome, code: string, responseCode: string, ...events: readonly TerminalEvent[]): void => {
  expect(o.error?.code, o.error ? o.error.message : 'expected a refusal, got none').toBe(code);
  expect(o.error?.responseCode).toBe(responseCode);
  expect(o.events).toEqual(events);
};

// ---- expected events --------------------------------------------------------
// Whole events as the decider records them for the terminal of `register()`, batch 000001,
// business day DAY, operator OP; `over` changes or adds data fields.

type Ev<T extends TerminalEvent['type']> = Extract<TerminalEvent, { type: T }>;
const scope = { terminalId: TID, merchantId: MID, businessDay: DAY };
const event = <T extends TerminalEvent['type']>(type: T, data: object, over: object): Ev<T> => ({ type, data: { ...data, ...over } }) as Ev<T>;
/** An auth code: six digits derived from terminal and RRN (its derivation has tests of its own). */
const AUTH_CODE: string = expect.stringMatching(/^\d{6}$/);

export const registered = (over: Partial<Ev<'TerminalRegistered'>['data']> = {}): Ev<'TerminalRegistered'> => {
  const { type: _, pricing, ...command } = register();
  return event('TerminalRegistered', { ...command, businessDay: DAY, batchNo: '000001', pricing: { ...pricing, effectiveFrom: DAY }, timeZone: DEFAULT_MERCHANT_TIME_ZONE }, over);
};
export const signedOnEvent = (stan: string, over: Partial<Ev<'TerminalSignedOn'>['data']> = {}): Ev<'TerminalSignedOn'> =>
  event('TerminalSignedOn', { ...scope, stan, fingerprint: fp(stan), operatorId: OP, batchNo: '000001' }, over);
export const signedOffEvent = (stan: string, over: Partial<Ev<'TerminalSignedOff'>['data']> = {}): Ev<'TerminalSignedOff'> =>
  event('TerminalSignedOff', { ...scope, stan, fingerprint: fp(stan), operatorId: OP, batchNo: '000001' }, over);
export const authenticationFailed = (over: Partial<Ev<'OperatorAuthenticationFailed'>['data']> = {}): Ev<'OperatorAuthenticationFailed'> =>
  event('OperatorAuthenticationFailed', { ...scope, operatorId: OP, during: 'SIGN_ON', consecutiveFailures: 1, maxFailures: 3, lockedOut: false }, over);
export const unlocked = (operatorId = OP, over: Partial<Ev<'OperatorUnlocked'>['data']> = {}): Ev<'OperatorUnlocked'> =>
  event('OperatorUnlocked', { ...scope, operatorId }, over);
/** A bank-card sale of `amount` CNY answered online with `rrn`; VOID/REFUND/QR etc. through `over`. */
export const completed = (stan: string, amount: bigint, rrn: string, over: Partial<Ev<'TransactionCompleted'>['data']> = {}): Ev<'TransactionCompleted'> =>
  event('TransactionCompleted', {
    ...scope, stan, fingerprint: fp(stan), transactionId: `${TID}-${rrn}`, kind: 'SALE', method: 'BANK_CARD', amount, currency: 'CNY', rrn, authCode: AUTH_CODE,
    batchNo: '000001', operatorId: OP, maskedPan: '622202******1234', capture: 'ONLINE',
  }, over);
export const reversedEvent = (stan: string, originalStan: string, rrn: string, amount: bigint, over: Partial<Ev<'TransactionReversed'>['data']> = {}): Ev<'TransactionReversed'> =>
  event('TransactionReversed', {
    ...scope, stan, fingerprint: fp(stan), transactionId: `${TID}-${rrn}`, rrn, kind: 'SALE', method: 'BANK_CARD', amount, currency: 'CNY', originalStan, reason: '98', batchNo: '000001',
  }, over);
export const unmatchedReversal = (stan: string, originalStan: string, over: Partial<Ev<'UnmatchedReversalRecorded'>['data']> = {}): Ev<'UnmatchedReversalRecorded'> =>
  event('UnmatchedReversalRecorded', { ...scope, stan, fingerprint: fp(stan), originalStan, reason: '98', batchNo: '000001' }, over);
/** SettlementRequested with these terminal and host totals (BALANCED unless `over` says otherwise). */
export const settlementRequested = (stan: string, terminalTotals: readonly BatchTotals[], hostTotals: readonly BatchTotals[], over: Partial<Ev<'SettlementRequested'>['data']> = {}): Ev<'SettlementRequested'> =>
  event('SettlementRequested', { ...scope, stan, fingerprint: fp(stan), operatorId: OP, batchNo: '000001', terminalTotals, hostTotals, result: 'BALANCED' }, over);
/** BatchClosed balanced, opening batch 000002 on the next day; the rest through `over`. */
export const batchClosed = (stan: string, terminalTotals: readonly BatchTotals[], hostTotals: readonly BatchTotals[], transactionCount: number, over: Partial<Ev<'BatchClosed'>['data']> = {}): Ev<'BatchClosed'> =>
  event('BatchClosed', {
    ...scope, stan, fingerprint: fp(stan), batchNo: '000001', result: 'BALANCED', terminalTotals, hostTotals, differences: [], transactionCount, nextBatchNo: '000002', nextBusinessDay: '2026-11-25',
  }, over);

/** then: accepted with exactly these event types, in this order. */
export const thenTypes = (o: Outcome, ...types: TerminalEvent['type'][]): void => {
  expect(o.error, o.error ? `${o.error.code}: ${o.error.message}` : undefined).toBeUndefined();
  expect(o.events.map((e) => e.type)).toEqual(types);
};

/**
 * A terminal's history built by running commands through decide/evolve,
 * so later commands can refer to the RRNs the host handed out.
 */
export class History {
  readonly events: TerminalEvent[] = [];
  state: TerminalState = initialTerminalState;
  /** The settled-sale documents the gateway keeps in its store beside the stream. */
  readonly settled = new Map<string, SettledSale>();

  constructor(events: readonly TerminalEvent[] = []) {
    for (const e of events) this.apply(e);
  }

  apply(e: TerminalEvent): void {
    for (const sale of settledSaleUpdates(this.state, [e], this.settled)) this.settled.set(sale.rrn, sale);
    this.events.push(e);
    this.state = evolve(this.state, e);
  }

  /** The command as the gateway hands it to decide: with the settled sales it refers to, loaded from the store. */
  loaded(command: TerminalCommand): TerminalCommand {
    const sales = settledSalesNeeded(command, this.state).flatMap((rrn) => (this.settled.has(rrn) ? [[rrn, this.settled.get(rrn)!] as const] : []));
    return sales.length > 0 ? ({ ...command, settledSales: new Map(sales) } as TerminalCommand) : command;
  }

  /** Runs a command that must succeed; returns its events. */
  run(command: TerminalCommand, now: Date = NOW): TerminalEvent[] {
    const d = decide(this.loaded(command), this.state, now);
    if (d.error) throw new Error(`setup command ${command.type} refused: ${d.error.code} ${d.error.message}`);
    for (const e of d.events) this.apply(e);
    return d.events;
  }

  /** Runs a command that is refused with events (a wrong password): records them. */
  runRefused(command: TerminalCommand, now: Date = NOW): DomainError {
    const d = decide(this.loaded(command), this.state, now);
    if (!d.error) throw new Error(`setup command ${command.type} was expected to be refused`);
    for (const e of d.events) this.apply(e);
    return d.error;
  }

  /** A successful online transaction's RRN. */
  rrnOf(command: TerminalCommand, now: Date = NOW): string {
    const [e] = this.run(command, now);
    if (e.type !== 'TransactionCompleted') throw new Error(`expected TransactionCompleted, got ${e.type}`);
    return e.data.rrn;
  }

  when(command: TerminalCommand, now: Date = NOW): Outcome {
    return when(this.state, this.loaded(command), now);
  }

  /** The answer a retry of `stan` gets (see answerTo). */
  answerTo(stan: string, fingerprint: string, batchNo?: string): Record<string, unknown> | undefined {
    return answerTo(this.events, stan, fingerprint, batchNo);
  }
}

/** Registered (batch 000001, 2026-11-24) and signed on by operator 01 with stan 000001. */
export const signedOn = (): History => {
  const h = new History();
  h.run(register());
  h.run(signOn('000001'));
  return h;
};
