import type {
  BatchDifference, BatchTotals, CardType, PaymentMethod, PricingPlan, TerminalEvent, TransactionKind,
} from '@pos/contracts';
import type { CurrencyCode } from '@pos/money';
import { Map as PMap } from 'immutable';
import { totalsOf } from './batch-totals';

export interface BatchTransaction {
  readonly rrn: string;
  readonly stan: string;
  readonly kind: TransactionKind;
  readonly method: PaymentMethod;
  readonly amount: bigint;
  readonly currency: CurrencyCode;
  readonly originalRrn?: string;
  /** A bank card's type, when the sale said it: its void and refunds are priced as it. */
  readonly cardType?: CardType;
  readonly capture: 'ONLINE' | 'BATCH_UPLOAD';
  readonly voided: boolean;
  readonly reversed: boolean;
  /** For sales: the amount refunded so far. */
  readonly refunded: bigint;
}

/**
 * A sale of a closed batch, refundable within the refund window. Kept in the gateway's store
 * (one document per sale, written with the events that change it), not in the terminal's
 * state: a terminal's memory does not grow with its history.
 */
export interface SettledSale {
  readonly rrn: string;
  readonly method: PaymentMethod;
  readonly amount: bigint;
  readonly currency: CurrencyCode;
  readonly refunded: bigint;
  readonly businessDay: string;
  readonly cardType?: CardType;
}

/**
 * A request the host answered: a retry with the same fingerprint gets the answer back, built
 * again from the event at `version` of the terminal's stream (the answer is not kept in memory).
 */
export interface PriorRequest {
  readonly fingerprint: string;
  readonly version: number;
}

/** How a trace number of the open batch was used: the transaction it created, the request it answered, or both. */
export interface StanUse {
  readonly rrn?: string;
  readonly request?: PriorRequest;
}

export interface PendingSettlement {
  readonly stan: string;
  readonly operatorId: string;
  readonly terminalTotals: readonly BatchTotals[];
  readonly differences: readonly BatchDifference[];
  readonly uploadedStans: readonly string[];
}

/**
 * What the host knows of a terminal now. The maps that grow with the open batch are
 * persistent (structural sharing): folding an event costs the same in a batch of ten or of
 * a hundred thousand, and every earlier state stays valid.
 */
export interface TerminalState {
  readonly registered: boolean;
  readonly terminalId: string;
  readonly merchantId: string;
  readonly businessDay: string;
  readonly batchNo: string;
  readonly limits: Readonly<Record<string, bigint>>;
  readonly pricing?: PricingPlan;
  readonly operators: Readonly<Record<string, { readonly failures: number; readonly locked: boolean }>>;
  readonly signedOnOperator: string | null;
  readonly phase: 'OPEN' | 'UPLOADING';
  /** Events folded into this state: the stream version it stands for. */
  readonly version: number;
  /** The open batch, by RRN. */
  readonly transactions: PMap<string, BatchTransaction>;
  /** Every trace number used in the open batch. */
  readonly stans: PMap<string, StanUse>;
  readonly unmatchedReversals: readonly string[];
  readonly settlement?: PendingSettlement;
  /** Requests of the batch closed last, by trace number: still answered on a retry (a settlement slip). */
  readonly previousRequests: PMap<string, PriorRequest>;
  /** The batch closed last ('' before the first close). */
  readonly previousBatchNo: string;
  readonly rrnSeq: number;
}

/** How long settled sales stay refundable. */
export const REFUND_WINDOW_DAYS = 180;

export const initialTerminalState: TerminalState = {
  registered: false,
  terminalId: '',
  merchantId: '',
  businessDay: '',
  batchNo: '',
  limits: {},
  operators: {},
  signedOnOperator: null,
  phase: 'OPEN',
  version: 0,
  transactions: PMap(),
  stans: PMap(),
  unmatchedReversals: [],
  previousRequests: PMap(),
  previousBatchNo: '',
  rrnSeq: 0,
};

export const hostTotals = (s: TerminalState): BatchTotals[] => totalsOf(s.transactions.values());

export const liveTransactions = (s: TerminalState): BatchTransaction[] => [...s.transactions.values()].filter((t) => !t.reversed);

/** Entries of the open batch and its trace numbers: what a terminal's state weighs in memory. */
export const stateSize = (s: TerminalState): number => s.transactions.size + s.stans.size + s.previousRequests.size;

const str = (t: BatchTotals) => ({ ...t, debitAmount: t.debitAmount.toString(), creditAmount: t.creditAmount.toString() });
const strDiff = (d: BatchDifference) => ({
  ...d,
  hostAmount: d.hostAmount?.toString(),
  terminalAmount: d.terminalAmount?.toString(),
});

/** The answer a terminal got for the request that produced `event` (JSON-safe). */
export const responseOf = (event: TerminalEvent): Record<string, unknown> | undefined => {
  switch (event.type) {
    case 'TerminalSignedOn':
      return { responseCode: '00', batchNo: event.data.batchNo, businessDay: event.data.businessDay };
    case 'TransactionCompleted': {
      const d = event.data;
      return {
        responseCode: '00', rrn: d.rrn, authCode: d.authCode, transactionId: d.transactionId, kind: d.kind, amount: d.amount.toString(),
        currency: d.currency, batchNo: d.batchNo, businessDay: d.businessDay,
      };
    }
    case 'TransactionReversed':
      return { responseCode: '00', reversed: true, rrn: event.data.rrn };
    case 'UnmatchedReversalRecorded':
      return { responseCode: '00', reversed: false };
    case 'SettlementRequested': {
      const d = event.data;
      return {
        responseCode: d.result === 'BALANCED' ? '00' : '95', result: d.result, batchNo: d.batchNo, businessDay: d.businessDay,
        hostTotals: d.hostTotals.map(str), terminalTotals: d.terminalTotals.map(str),
      };
    }
    case 'BatchTransactionsUploaded':
      return { responseCode: '00', items: event.data.items.map((i) => ({ stan: i.stan, outcome: i.outcome, rrn: i.rrn })) };
    case 'BatchClosed': {
      const d = event.data;
      return {
        responseCode: '00', result: d.result, batchNo: d.batchNo, businessDay: d.businessDay, hostTotals: d.hostTotals.map(str),
        terminalTotals: d.terminalTotals.map(str), differences: d.differences.map(strDiff), nextBatchNo: d.nextBatchNo, nextBusinessDay: d.nextBusinessDay,
      };
    }
    case 'TerminalSignedOff':
      return { responseCode: '00', batchNo: event.data.batchNo };
    case 'OperatorUnlocked':
      return { responseCode: '00', operatorId: event.data.operatorId, unlocked: true };
    default:
      return undefined;
  }
};

/** Records the request `event` answered (it is the state's latest event), when it carries an answer. */
const remember = (s: TerminalState, event: TerminalEvent): TerminalState => {
  const data = event.data as { stan?: string; fingerprint?: string };
  if (!data.stan || !data.fingerprint || !responseOf(event)) return s;
  const request: PriorRequest = { fingerprint: data.fingerprint, version: s.version };
  return { ...s, stans: s.stans.update(data.stan, (u) => ({ ...u, request })) };
};

const patchTxn = (s: TerminalState, rrn: string, patch: Partial<BatchTransaction>): TerminalState => {
  const t = s.transactions.get(rrn);
  return t ? { ...s, transactions: s.transactions.set(rrn, { ...t, ...patch }) } : s;
};

/** Adds `delta` to the refunded amount of a sale of the open batch (settled sales live in the store). */
const addRefunded = (s: TerminalState, rrn: string, delta: bigint): TerminalState => {
  const t = s.transactions.get(rrn);
  return t ? patchTxn(s, rrn, { refunded: t.refunded + delta }) : s;
};

export const evolve = (state: TerminalState, event: TerminalEvent): TerminalState => {
  const s: TerminalState = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'TerminalRegistered': {
      const d = event.data;
      return {
        ...initialTerminalState,
        version: s.version,
        registered: true,
        terminalId: d.terminalId,
        merchantId: d.merchantId,
        businessDay: d.businessDay,
        batchNo: d.batchNo,
        limits: Object.fromEntries(d.currencies.map((c) => [c.currency, c.maxAmount])),
        pricing: d.pricing,
        operators: Object.fromEntries(d.operatorIds.map((id) => [id, { failures: 0, locked: false }])),
      };
    }
    case 'TerminalSignedOn':
      return remember({ ...s, signedOnOperator: event.data.operatorId, operators: { ...s.operators, [event.data.operatorId]: { failures: 0, locked: false } } }, event);
    case 'OperatorAuthenticationFailed':
      return {
        ...s,
        operators: { ...s.operators, [event.data.operatorId]: { failures: event.data.consecutiveFailures, locked: event.data.lockedOut } },
      };
    case 'OperatorUnlocked':
      return { ...s, operators: { ...s.operators, [event.data.operatorId]: { failures: 0, locked: false } } };
    case 'TransactionCompleted': {
      const d = event.data;
      let next: TerminalState = {
        ...s,
        rrnSeq: s.rrnSeq + 1,
        transactions: s.transactions.set(d.rrn, {
          rrn: d.rrn, stan: d.stan, kind: d.kind, method: d.method, amount: d.amount, currency: d.currency,
          originalRrn: d.originalRrn, ...(d.cardType ? { cardType: d.cardType } : {}), capture: d.capture, voided: false, reversed: false, refunded: 0n,
        }),
        stans: s.stans.update(d.stan, (u) => ({ ...u, rrn: d.rrn })),
      };
      if (d.kind === 'VOID' && d.originalRrn) next = patchTxn(next, d.originalRrn, { voided: true });
      if (d.kind === 'REFUND' && d.originalRrn) next = addRefunded(next, d.originalRrn, d.amount);
      return d.capture === 'ONLINE' ? remember(next, event) : next;
    }
    case 'TransactionReversed': {
      const d = event.data;
      let next = patchTxn(s, d.rrn, { reversed: true });
      if (d.kind === 'VOID' && d.originalRrn) next = patchTxn(next, d.originalRrn, { voided: false });
      if (d.kind === 'REFUND' && d.originalRrn) next = addRefunded(next, d.originalRrn, -d.amount);
      return remember(next, event);
    }
    case 'UnmatchedReversalRecorded':
      return remember({ ...s, unmatchedReversals: [...s.unmatchedReversals, event.data.originalStan] }, event);
    case 'SettlementRequested': {
      const d = event.data;
      // The operator's password was right: that ends any run of consecutive failures.
      const op = s.operators[d.operatorId];
      const authenticated: TerminalState = op ? { ...s, operators: { ...s.operators, [d.operatorId]: { ...op, failures: 0 } } } : s;
      const next: TerminalState =
        d.result === 'UNBALANCED'
          ? {
              ...authenticated,
              phase: 'UPLOADING',
              settlement: { stan: d.stan, operatorId: d.operatorId, terminalTotals: d.terminalTotals, differences: [], uploadedStans: [] },
            }
          : authenticated;
      return remember(next, event);
    }
    case 'BatchTransactionsUploaded': {
      const found = event.data.items.flatMap((i) => (i.difference ? [i.difference] : []));
      const stans = event.data.items.map((i) => i.stan);
      const p = s.settlement;
      const next = p ? { ...s, settlement: { ...p, differences: [...p.differences, ...found], uploadedStans: [...p.uploadedStans, ...stans] } } : s;
      return remember(next, event);
    }
    case 'BatchClosed': {
      const d = event.data;
      const answered = remember(s, event);
      const previousRequests = PMap<string, PriorRequest>().withMutations((m) => {
        for (const [stan, use] of answered.stans) if (use.request) m.set(stan, use.request);
      });
      return {
        ...s,
        batchNo: d.nextBatchNo,
        businessDay: d.nextBusinessDay,
        phase: 'OPEN',
        transactions: PMap(),
        stans: PMap(),
        unmatchedReversals: [],
        settlement: undefined,
        // The closing batch's answers stay replayable (a retried settlement gets its slip back).
        previousRequests,
        previousBatchNo: d.batchNo,
      };
    }
    case 'TerminalSignedOff':
      return remember({ ...s, signedOnOperator: null }, event);
  }
};

/** The format of a stored snapshot; a snapshot of another format is ignored (the stream is read from its start). 2: previousBatchNo. */
export const SNAPSHOT_FORMAT = 2;

export interface TerminalSnapshot {
  readonly format: number;
  readonly version: number;
  readonly state: Omit<TerminalState, 'transactions' | 'stans' | 'previousRequests'> & {
    readonly transactions: readonly BatchTransaction[];
    readonly stans: ReadonlyArray<readonly [string, StanUse]>;
    readonly previousRequests: ReadonlyArray<readonly [string, PriorRequest]>;
  };
}

/** A state as plain data (bigints stay bigints), for the store: loading a terminal starts here, not at its first event. */
export const snapshotOf = (s: TerminalState): TerminalSnapshot => ({
  format: SNAPSHOT_FORMAT,
  version: s.version,
  state: { ...s, transactions: [...s.transactions.values()], stans: [...s.stans.entries()], previousRequests: [...s.previousRequests.entries()] },
});

export const stateFromSnapshot = (snapshot: TerminalSnapshot): TerminalState | undefined => {
  if (snapshot.format !== SNAPSHOT_FORMAT) return undefined;
  const { state } = snapshot;
  return {
    ...state,
    version: snapshot.version,
    transactions: PMap(state.transactions.map((t) => [t.rrn, t] as const)),
    stans: PMap(state.stans),
    previousRequests: PMap(state.previousRequests),
  };
};
