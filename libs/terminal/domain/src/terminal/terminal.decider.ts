import {
  type BatchClosed, type BatchDifference, type BatchTotals, type CardType, DEFAULT_MERCHANT_TIME_ZONE, type TerminalEvent, type TransactionCompleted, type UploadedItemOutcome,
} from '@pos/contracts';
import { addDays, businessDayOf, type DomainError, hash32, maxDay, mulberry32 } from '@pos/kernel';
import { currenciesDiffering, totalsEqual } from './batch-totals';
import type { TerminalCommand, UploadedTransaction } from './terminal.commands';
import { TerminalErrors as E } from './terminal.errors';
import { type BatchTransaction, evolve, hostTotals, liveTransactions, type PriorRequest, REFUND_WINDOW_DAYS, type SettledSale, type TerminalState } from './terminal.state';

/** Consecutive wrong passwords that lock an operator until the back office unlocks it. */
export const MAX_PASSWORD_FAILURES = 3;

/** A batch holds at most one transaction per trace number (000001..999999). */
export const MAX_TRANSACTIONS_PER_BATCH = 999_999;

/**
 * The largest amount of one transaction, so the largest per-transaction limit a terminal may
 * have: 12 digits of minor units. The fullest batch then totals less than 10^18, within the
 * MAX_MINOR_DIGITS that settlement totals may have: whatever is accepted can be settled.
 */
export const MAX_TRANSACTION_AMOUNT = 999_999_999_999n;

/**
 * Events to append, and possibly a refusal. A refusal usually comes with no
 * events; a wrong password is the exception: the failure itself is recorded
 * (it counts towards the lock-out) while the request is still refused.
 */
export interface Decision {
  readonly events: TerminalEvent[];
  readonly error?: DomainError;
}

const ok = (...events: TerminalEvent[]): Decision => ({ events });

export const nextBatchNo = (batchNo: string): string => {
  const n = Number(batchNo);
  return String(n >= 999_999 ? 1 : n + 1).padStart(6, '0');
};

/** RRN: YY + day of year + a 7-digit per-terminal sequence (12 digits); unique with the terminal id. */
export const rrnFor = (now: Date, seq: number): string => {
  const start = Date.UTC(now.getUTCFullYear(), 0, 1);
  const doy = Math.floor((now.getTime() - start) / 86_400_000) + 1;
  return `${String(now.getUTCFullYear() % 100).padStart(2, '0')}${String(doy).padStart(3, '0')}${String(seq % 10_000_000).padStart(7, '0')}`;
};

/**
 * The approval code: a function of the terminal and the RRN (RRNs repeat across terminals), so
 * the same transaction decided again gets the same code. Nothing secret: it only tells approvals apart.
 */
const authCodeFor = (terminalId: string, rrn: string): string => String(mulberry32(hash32(`${terminalId}|${rrn}`))() % 1_000_000).padStart(6, '0');

/** What identifies a request a terminal may retry: its batch (none: the open batch) and trace number, and its body. */
export interface RetryKey {
  readonly batchNo?: string;
  readonly stan: string;
  readonly fingerprint: string;
}

/**
 * A request whose (batch, trace number) was already answered, in the open batch or the one closed
 * last: the same body gets the original answer back (the event at the version returned), a
 * different body is refused. Trace numbers are unique within a batch only: many terminals
 * restart them at each batch.
 */
export const priorAnswer = (state: TerminalState, { batchNo = state.batchNo, stan, fingerprint }: RetryKey): PriorRequest | undefined => {
  const prior =
    batchNo === state.batchNo ? state.stans.get(stan)?.request
    : batchNo === state.previousBatchNo ? state.previousRequests.get(stan)
    : undefined;
  if (!prior) return undefined;
  if (prior.fingerprint !== fingerprint)
    throw E.DUPLICATE_TRANSMISSION(`trace number ${stan} was already used in batch ${batchNo} for a different request`, { stan, batchNo });
  return prior;
};

const requireRegistered = (s: TerminalState) => {
  if (!s.registered) throw E.TERMINAL_UNKNOWN('terminal is not registered');
};

const requireSignedOn = (s: TerminalState) => {
  requireRegistered(s);
  if (!s.signedOnOperator) throw E.TERMINAL_NOT_SIGNED_ON('terminal is not signed on; sign on first');
};

const requireBatch = (s: TerminalState, batchNo: string) => {
  if (batchNo !== s.batchNo) throw E.BATCH_NUMBER_MISMATCH(`batch ${batchNo} is not the host's open batch ${s.batchNo}; sign on again`, { hostBatchNo: s.batchNo });
};

const requireOpenBatch = (s: TerminalState, batchNo: string) => {
  requireSignedOn(s);
  requireBatch(s, batchNo);
  if (s.phase === 'UPLOADING') throw E.BATCH_UPLOAD_IN_PROGRESS('the batch is being uploaded after an unbalanced settlement; finish the upload first');
};

const requireStanFree = (s: TerminalState, stan: string) => {
  if (s.stans.has(stan)) throw E.DUPLICATE_TRANSMISSION(`trace number ${stan} was already used in batch ${s.batchNo}`, { stan, batchNo: s.batchNo });
};

/** A financial request whose trace number the terminal already reversed (the host never saw it then): a late arrival is refused. */
const requireNotReversedBeforeArrival = (s: TerminalState, stan: string) => {
  if (s.unmatchedReversals.includes(stan)) throw E.ORIGINAL_ALREADY_REVERSED(`trace number ${stan} was reversed before it arrived`);
};

const scoped = (s: TerminalState) => ({ terminalId: s.terminalId, merchantId: s.merchantId, businessDay: s.businessDay });

const overLimit = (amount: bigint, limit: bigint, currency: string) => `amount ${amount} exceeds the limit ${limit} ${currency}`;

const checkAmount = (s: TerminalState, amount: bigint, currency: string) => {
  if (amount <= 0n) throw E.AMOUNT_INVALID('amount must be a positive number of minor units');
  const limit = s.limits[currency];
  if (limit === undefined) throw E.CURRENCY_NOT_ACCEPTED(`terminal does not accept ${currency}`, { currency });
  if (amount > limit) throw E.AMOUNT_OVER_LIMIT(overLimit(amount, limit, currency), { limit: limit.toString(), currency });
};

const authenticate = (
  s: TerminalState,
  operatorId: string,
  passwordValid: boolean,
  during: 'SIGN_ON' | 'SETTLEMENT',
): Decision | undefined => {
  const op = s.operators[operatorId];
  if (!op) throw E.OPERATOR_UNKNOWN(`operator ${operatorId} is not registered on this terminal`);
  if (op.locked) throw E.OPERATOR_LOCKED(`operator ${operatorId} is locked after ${MAX_PASSWORD_FAILURES} wrong passwords; ask the back office to unlock`);
  if (passwordValid) return undefined;
  const failures = op.failures + 1;
  const lockedOut = failures >= MAX_PASSWORD_FAILURES;
  return {
    events: [{ type: 'OperatorAuthenticationFailed', data: { ...scoped(s), operatorId, during, consecutiveFailures: failures, maxFailures: MAX_PASSWORD_FAILURES, lockedOut } }],
    error: lockedOut
      ? E.OPERATOR_LOCKED(`wrong password; operator ${operatorId} is now locked`)
      : E.OPERATOR_PASSWORD_INVALID(`wrong password for operator ${operatorId} (${failures} of ${MAX_PASSWORD_FAILURES})`),
  };
};

/** A void or refund is priced as its sale's card. */
const cardTypeOf = (original: { readonly cardType?: CardType }) => (original.cardType ? { cardType: original.cardType } : {});

const completed = (
  s: TerminalState,
  now: Date,
  c: { stan: string; fingerprint: string; batchNo: string },
  t: Pick<TransactionCompleted['data'], 'kind' | 'method' | 'amount' | 'currency' | 'maskedPan' | 'originalRrn' | 'cardType' | 'capture'>,
): TransactionCompleted => {
  const seq = s.rrnSeq + 1;
  const rrn = rrnFor(now, seq);
  return {
    type: 'TransactionCompleted',
    data: {
      ...scoped(s), stan: c.stan, fingerprint: c.fingerprint, transactionId: `${s.terminalId}-${rrn}`, rrn, authCode: authCodeFor(s.terminalId, rrn),
      batchNo: s.batchNo, operatorId: s.signedOnOperator ?? '00', ...t,
    },
  };
};

/** Settled sales a command refers to, as the store holds them (the caller loads them: see settledSalesNeeded). */
export type SettledSales = ReadonlyMap<string, SettledSale>;

/** A settled sale still inside the refund window. */
const refundable = (s: TerminalState, settled: SettledSales | undefined, rrn: string): SettledSale | undefined => {
  const sale = settled?.get(rrn);
  return sale && sale.businessDay >= addDays(s.businessDay, -REFUND_WINDOW_DAYS) ? sale : undefined;
};

/** The original sale a void or refund refers to: in the open batch, or settled within the refund window. */
const findSale = (s: TerminalState, rrn: string, settled: SettledSales | undefined): BatchTransaction | SettledSale | undefined =>
  s.transactions.get(rrn) ?? refundable(s, settled, rrn);

/** The settled sales (by RRN) a command may refer to, for the caller to load before deciding. */
export const settledSalesNeeded = (command: TerminalCommand, s: TerminalState): string[] => {
  const outsideBatch = <R extends string>(rrn: R | undefined): rrn is R => !!rrn && !s.transactions.has(rrn);
  switch (command.type) {
    case 'Void':
    case 'Refund':
      return outsideBatch(command.originalRrn) ? [command.originalRrn] : [];
    case 'Reverse': {
      // Reversing a refund of a settled sale gives the refunded amount back to that sale.
      const rrn = s.stans.get(command.originalStan)?.rrn;
      const t = rrn ? s.transactions.get(rrn) : undefined;
      return t?.kind === 'REFUND' && outsideBatch(t.originalRrn) ? [t.originalRrn] : [];
    }
    case 'UploadBatch':
      return [...new Set(command.transactions.map((t) => t.originalRrn).filter(outsideBatch))];
    default:
      return [];
  }
};

/**
 * The settled-sale documents `events` create or change, folded from `before`: the sales of a
 * closing batch become settled; a refund of a settled sale (or its reversal) moves its
 * refunded amount. `loaded` are the documents the command loaded.
 */
export const settledSaleUpdates = (before: TerminalState, events: readonly TerminalEvent[], loaded: SettledSales = new Map()): SettledSale[] => {
  const sales = new Map(loaded);
  const changed = new Map<string, SettledSale>();
  let s = before;
  for (const e of events) {
    const moved = refundMoved(s, e, sales);
    if (moved) {
      sales.set(moved.rrn, moved);
      changed.set(moved.rrn, moved);
    }
    if (e.type === 'BatchClosed')
      for (const t of s.transactions.values())
        if (t.kind === 'SALE' && !t.voided && !t.reversed)
          changed.set(t.rrn, { rrn: t.rrn, method: t.method, amount: t.amount, currency: t.currency, refunded: t.refunded, businessDay: e.data.businessDay, ...cardTypeOf(t) });
    s = evolve(s, e);
  }
  return [...changed.values()];
};

/** A settled sale with a refund (or a refund's reversal) of `event` applied; undefined when the event touches none. */
const refundMoved = (s: TerminalState, e: TerminalEvent, sales: SettledSales): SettledSale | undefined => {
  if (e.type !== 'TransactionCompleted' && e.type !== 'TransactionReversed') return undefined;
  const d = e.data;
  if (d.kind !== 'REFUND' || !d.originalRrn || s.transactions.has(d.originalRrn)) return undefined;
  const sale = sales.get(d.originalRrn);
  if (!sale) return undefined;
  return { ...sale, refunded: sale.refunded + (e.type === 'TransactionCompleted' ? d.amount : -d.amount) };
};

const closeBatch = (
  s: TerminalState,
  now: Date,
  c: { stan: string; fingerprint: string },
  result: 'BALANCED' | 'UNBALANCED',
  terminalTotals: readonly BatchTotals[],
  differences: readonly BatchDifference[],
): BatchClosed => {
  const host = hostTotals(s);
  const totalsDiffs: BatchDifference[] = currenciesDiffering(terminalTotals, host).map((currency) => {
    const t = terminalTotals.find((x) => x.currency === currency);
    const h = host.find((x) => x.currency === currency);
    const net = (x?: BatchTotals) => (x ? x.debitAmount - x.creditAmount : 0n);
    return { kind: 'TOTALS_MISMATCH', currency, hostAmount: net(h), terminalAmount: net(t), note: 'net settlement amount (debits - credits) differs' };
  });
  return {
    type: 'BatchClosed',
    data: {
      ...scoped(s), stan: c.stan, fingerprint: c.fingerprint, batchNo: s.batchNo, result, terminalTotals, hostTotals: host,
      differences: [...differences, ...totalsDiffs], transactionCount: liveTransactions(s).length,
      nextBatchNo: nextBatchNo(s.batchNo), nextBusinessDay: maxDay(addDays(s.businessDay, 1), businessDayOf(now)),
    },
  };
};

const validateTotals = (totals: readonly BatchTotals[]) => {
  const seen = new Set<string>();
  for (const t of totals) {
    if (seen.has(t.currency)) throw E.SETTLEMENT_TOTALS_MALFORMED(`totals list ${t.currency} twice`);
    seen.add(t.currency);
    if (t.debitAmount < 0n || t.creditAmount < 0n || t.debitCount < 0 || t.creditCount < 0)
      throw E.SETTLEMENT_TOTALS_MALFORMED('totals must not be negative');
    if ((t.debitCount === 0) !== (t.debitAmount === 0n) || (t.creditCount === 0) !== (t.creditAmount === 0n))
      throw E.SETTLEMENT_TOTALS_MALFORMED(`${t.currency}: a count of zero must come with an amount of zero and the reverse`);
  }
};

/** An uploaded transaction the host never saw is booked only if the host would have accepted it online. */
const whyNotBookable = (s: TerminalState, u: UploadedTransaction, limit: bigint | undefined, original: BatchTransaction | SettledSale | undefined): string | undefined => {
  if (u.amount <= 0n || limit === undefined) return 'amount or currency not acceptable';
  if (u.kind === 'SALE') return u.amount > limit ? overLimit(u.amount, limit, u.currency) : undefined;
  if (!original) return 'original sale unknown to the host';
  if (original.currency !== u.currency) return 'currency differs from the original sale';
  if (u.kind === 'VOID') {
    const t = s.transactions.get(original.rrn);
    if (!t || t.kind !== 'SALE') return 'only a sale of the open batch can be voided';
    if (t.voided || t.reversed) return 'the original sale is already voided or reversed';
    if (t.amount !== u.amount) return 'a void must be for the whole sale';
    return undefined;
  }
  if (u.amount > original.amount - original.refunded) return 'refund exceeds what is left of the original';
  return undefined;
};

const uploadOne = (s: TerminalState, now: Date, u: UploadedTransaction, c: { stan: string; fingerprint: string; batchNo: string }, settled: SettledSales) => {
  const hostRrn = s.stans.get(u.stan)?.rrn;
  const diff = (kind: BatchDifference['kind'], note: string, hostAmount?: bigint, rrn?: string): BatchDifference => ({
    kind, currency: u.currency, stan: u.stan, rrn, hostAmount, terminalAmount: u.amount, note,
  });
  if (hostRrn) {
    const t = s.transactions.get(hostRrn)!;
    if (t.reversed) return { item: { stan: u.stan, outcome: 'MISMATCHED', rrn: t.rrn, difference: diff('STATUS_MISMATCH', 'reversed at host, completed at terminal', t.amount, t.rrn) } as UploadedItemOutcome };
    if (t.kind !== u.kind || t.amount !== u.amount || t.currency !== u.currency)
      return { item: { stan: u.stan, outcome: 'MISMATCHED', rrn: t.rrn, difference: diff('AMOUNT_MISMATCH', `host holds ${t.kind} ${t.amount} ${t.currency}`, t.amount, t.rrn) } as UploadedItemOutcome };
    return { item: { stan: u.stan, outcome: 'MATCHED', rrn: t.rrn } as UploadedItemOutcome };
  }
  if (s.unmatchedReversals.includes(u.stan))
    return { item: { stan: u.stan, outcome: 'MISMATCHED', difference: diff('STATUS_MISMATCH', 'terminal reversed it before the host saw it') } as UploadedItemOutcome };
  const limit = s.limits[u.currency];
  const original = u.originalRrn ? findSale(s, u.originalRrn, settled) : undefined;
  const unbookable = whyNotBookable(s, u, limit, original);
  if (unbookable) return { item: { stan: u.stan, outcome: 'MISMATCHED', difference: diff('MISSING_AT_HOST', `not booked: ${unbookable}`) } as UploadedItemOutcome };
  const event = completed(s, now, { stan: u.stan, fingerprint: c.fingerprint, batchNo: c.batchNo }, {
    kind: u.kind, method: u.method, amount: u.amount, currency: u.currency, originalRrn: u.originalRrn, capture: 'BATCH_UPLOAD',
  });
  return {
    event,
    item: { stan: u.stan, outcome: 'BOOKED', rrn: event.data.rrn, difference: diff('MISSING_AT_HOST', 'booked from the batch upload', undefined, event.data.rrn) } as UploadedItemOutcome,
  };
};

/** decide(command, state) -> events. Pure: time comes in as `now`, password checks as booleans. */
export const decide = (command: TerminalCommand, s: TerminalState, now: Date): Decision => {
  switch (command.type) {
    case 'RegisterTerminal': {
      if (s.registered) throw E.TERMINAL_ALREADY_REGISTERED(`terminal ${command.terminalId} is already registered`);
      for (const { currency, maxAmount } of command.currencies)
        if (maxAmount <= 0n || maxAmount > MAX_TRANSACTION_AMOUNT)
          throw E.AMOUNT_INVALID(`maxAmount ${maxAmount} ${currency} is not 1 to ${MAX_TRANSACTION_AMOUNT} minor units`, { currency, max: MAX_TRANSACTION_AMOUNT.toString() });
      const businessDay = businessDayOf(now);
      return ok({
        type: 'TerminalRegistered',
        data: {
          terminalId: command.terminalId, merchantId: command.merchantId, merchantName: command.merchantName, businessDay,
          currencies: command.currencies, operatorIds: command.operatorIds, batchNo: '000001',
          pricing: { ...command.pricing, effectiveFrom: command.pricing.effectiveFrom ?? businessDay },
          timeZone: command.timeZone ?? DEFAULT_MERCHANT_TIME_ZONE,
        },
      });
    }
    case 'SignOn': {
      requireRegistered(s);
      requireStanFree(s, command.stan);
      const refused = authenticate(s, command.operatorId, command.passwordValid, 'SIGN_ON');
      if (refused) return refused;
      return ok({ type: 'TerminalSignedOn', data: { ...scoped(s), stan: command.stan, fingerprint: command.fingerprint, operatorId: command.operatorId, batchNo: s.batchNo } });
    }
    case 'Sale': {
      requireOpenBatch(s, command.batchNo);
      requireStanFree(s, command.stan);
      requireNotReversedBeforeArrival(s, command.stan);
      checkAmount(s, command.amount, command.currency);
      if (command.method === 'BANK_CARD' && !command.maskedPan) throw E.CARD_DATA_MISSING('a bank-card sale needs card data');
      if (command.method === 'QR' && !command.hasQrToken) throw E.CARD_DATA_MISSING('a QR sale needs the payer token');
      const cardType = command.method === 'BANK_CARD' && command.cardType ? { cardType: command.cardType } : {};
      return ok(completed(s, now, command, { kind: 'SALE', method: command.method, amount: command.amount, currency: command.currency, maskedPan: command.maskedPan, ...cardType, capture: 'ONLINE' }));
    }
    case 'Void': {
      requireOpenBatch(s, command.batchNo);
      requireStanFree(s, command.stan);
      requireNotReversedBeforeArrival(s, command.stan);
      const original = s.transactions.get(command.originalRrn);
      if (!original) {
        if (command.settledSales?.has(command.originalRrn)) throw E.VOID_OUTSIDE_OPEN_BATCH('only a transaction of the open batch can be voided; refund it instead');
        throw E.ORIGINAL_NOT_FOUND(`no transaction with RRN ${command.originalRrn}`);
      }
      if (original.kind !== 'SALE') throw E.VOID_NOT_A_SALE('only a sale can be voided');
      if (original.reversed) throw E.ORIGINAL_REVERSED('the original sale was reversed');
      if (original.voided) throw E.ORIGINAL_ALREADY_VOIDED('the original sale is already voided');
      if (original.refunded > 0n) throw E.ORIGINAL_HAS_REFUNDS('the original sale has refunds; it cannot be voided');
      return ok(completed(s, now, command, { kind: 'VOID', method: original.method, amount: original.amount, currency: original.currency, originalRrn: original.rrn, ...cardTypeOf(original), capture: 'ONLINE' }));
    }
    case 'Refund': {
      requireOpenBatch(s, command.batchNo);
      requireStanFree(s, command.stan);
      requireNotReversedBeforeArrival(s, command.stan);
      const original = findSale(s, command.originalRrn, command.settledSales);
      if (!original) throw E.ORIGINAL_NOT_FOUND(`no refundable sale with RRN ${command.originalRrn}`);
      if ('kind' in original) {
        const t = original as BatchTransaction;
        if (t.kind !== 'SALE') throw E.REFUND_NOT_A_SALE('only a sale can be refunded');
        if (t.reversed) throw E.ORIGINAL_REVERSED('the original sale was reversed');
        if (t.voided) throw E.ORIGINAL_ALREADY_VOIDED('the original sale is voided');
      }
      if (command.amount <= 0n) throw E.AMOUNT_INVALID('amount must be a positive number of minor units');
      const left = original.amount - original.refunded;
      if (command.amount > left)
        throw E.REFUND_EXCEEDS_ORIGINAL(`refund ${command.amount} exceeds what is left of the original (${left})`, { refundable: left.toString() });
      return ok(completed(s, now, command, { kind: 'REFUND', method: original.method, amount: command.amount, currency: original.currency, originalRrn: original.rrn, ...cardTypeOf(original), capture: 'ONLINE' }));
    }
    case 'Reverse': {
      requireSignedOn(s);
      requireBatch(s, command.batchNo);
      if (s.phase === 'UPLOADING') throw E.BATCH_UPLOAD_IN_PROGRESS('the batch is being uploaded; reversals are no longer accepted');
      requireStanFree(s, command.stan);
      const rrn = s.stans.get(command.originalStan)?.rrn;
      const base = { ...scoped(s), stan: command.stan, fingerprint: command.fingerprint, batchNo: s.batchNo, originalStan: command.originalStan, reason: command.reason };
      if (!rrn) return ok({ type: 'UnmatchedReversalRecorded', data: base });
      const t = s.transactions.get(rrn)!;
      if (t.reversed) throw E.ORIGINAL_ALREADY_REVERSED(`the transaction with trace number ${command.originalStan} is already reversed`);
      if (t.kind === 'SALE' && (t.voided || t.refunded > 0n)) throw E.REVERSAL_NOT_ALLOWED('the sale was voided or refunded since; reverse those first');
      return ok({
        type: 'TransactionReversed',
        data: { ...base, transactionId: `${s.terminalId}-${t.rrn}`, rrn: t.rrn, kind: t.kind, method: t.method, amount: t.amount, currency: t.currency, originalRrn: t.originalRrn },
      });
    }
    case 'Settle': {
      requireSignedOn(s);
      requireBatch(s, command.batchNo);
      if (s.phase === 'UPLOADING') throw E.BATCH_UPLOAD_IN_PROGRESS('settlement already answered unbalanced; upload the batch');
      requireStanFree(s, command.stan);
      validateTotals(command.totals);
      const refused = authenticate(s, command.operatorId, command.passwordValid, 'SETTLEMENT');
      if (refused) return refused;
      const host = hostTotals(s);
      const balanced = totalsEqual(command.totals, host);
      const requested: TerminalEvent = {
        type: 'SettlementRequested',
        data: {
          ...scoped(s), stan: command.stan, fingerprint: command.fingerprint, operatorId: command.operatorId, batchNo: s.batchNo,
          terminalTotals: command.totals, hostTotals: host, result: balanced ? 'BALANCED' : 'UNBALANCED',
        },
      };
      return balanced ? ok(requested, closeBatch(s, now, command, 'BALANCED', command.totals, [])) : ok(requested);
    }
    case 'UploadBatch': {
      requireSignedOn(s);
      requireBatch(s, command.batchNo);
      if (s.phase !== 'UPLOADING') throw E.BATCH_UPLOAD_NOT_EXPECTED('no batch upload is expected: settle first');
      requireStanFree(s, command.stan);
      const stans = new Set<string>();
      let state = s;
      // Refunds booked from the upload move their settled sale, for the next item to see.
      const settled = new Map(command.settledSales ?? []);
      const items: UploadedItemOutcome[] = [];
      const booked: TerminalEvent[] = [];
      for (const u of command.transactions) {
        if (stans.has(u.stan)) throw E.SETTLEMENT_TOTALS_MALFORMED(`trace number ${u.stan} appears twice in the upload`);
        stans.add(u.stan);
        const { item, event } = uploadOne(state, now, u, command, settled);
        items.push(item);
        if (event) {
          booked.push(event);
          const moved = refundMoved(state, event, settled);
          if (moved) settled.set(moved.rrn, moved);
          state = evolve(state, event);
        }
      }
      return ok(...booked, {
        type: 'BatchTransactionsUploaded',
        data: { ...scoped(s), stan: command.stan, fingerprint: command.fingerprint, batchNo: s.batchNo, items },
      });
    }
    case 'EndBatchUpload': {
      requireSignedOn(s);
      requireBatch(s, command.batchNo);
      if (s.phase !== 'UPLOADING' || !s.settlement) throw E.BATCH_UPLOAD_NOT_EXPECTED('no batch upload is in progress');
      requireStanFree(s, command.stan);
      // Host transactions the terminal never uploaded are recorded as missing at the terminal.
      const uploaded = new Set(s.settlement.uploadedStans);
      const missingAtTerminal: BatchDifference[] = liveTransactions(s)
        .filter((t) => !uploaded.has(t.stan))
        .map((t) => ({ kind: 'MISSING_AT_TERMINAL', currency: t.currency, stan: t.stan, rrn: t.rrn, hostAmount: t.amount, note: `${t.kind} held by the host, not uploaded by the terminal` }));
      return ok(closeBatch(s, now, command, 'UNBALANCED', s.settlement.terminalTotals, [...s.settlement.differences, ...missingAtTerminal]));
    }
    case 'SignOff': {
      requireSignedOn(s);
      requireStanFree(s, command.stan);
      const live = s.transactions.count((t) => !t.reversed);
      if (live > 0 || s.phase === 'UPLOADING')
        throw E.SIGN_OFF_UNSETTLED_BATCH(`batch ${s.batchNo} holds ${live} unsettled transaction(s); settle before signing off`, { unsettled: live });
      return ok({ type: 'TerminalSignedOff', data: { ...scoped(s), stan: command.stan, fingerprint: command.fingerprint, operatorId: s.signedOnOperator ?? '00', batchNo: s.batchNo } });
    }
    case 'UnlockOperator': {
      requireRegistered(s);
      const op = s.operators[command.operatorId];
      if (!op) throw E.OPERATOR_UNKNOWN(`operator ${command.operatorId} is not registered on this terminal`);
      // Idempotent: an operator who is not locked stays as it is, and the trail records no unlock that did nothing.
      if (!op.locked) return ok();
      return ok({ type: 'OperatorUnlocked', data: { ...scoped(s), operatorId: command.operatorId } });
    }
  }
};

