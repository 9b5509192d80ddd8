import type {
  BatchDifference, BatchTotals, PaymentMethod, PricingPlan, TerminalEvent, TransactionKind,
} from '@pos/contracts';
import { addDays } from '@pos/kernel';
import type { CurrencyCode } from '@pos/money';
import { totalsOf } from './batch-totals';

export interface BatchTransaction {
  readonly rrn: string;
  readonly stan: string;
  readonly kind: TransactionKind;
  readonly method: PaymentMethod;
  readonly amount: bigint;
  readonly currency: CurrencyCode;
  readonly originalRrn?: string;
  readonly capture: 'ONLINE' | 'BATCH_UPLOAD';
  readonly voided: boolean;
  readonly reversed: boolean;
  /** For sales: the amount refunded so far. */
  readonly refunded: bigint;
}

/** A sale of a closed batch, kept for refunds within the retention window. */
export interface SettledSale {
  readonly rrn: string;
  readonly method: PaymentMethod;
  readonly amount: bigint;
  readonly currency: CurrencyCode;
  readonly refunded: bigint;
  readonly businessDay: string;
}

/** What a retried request is answered with: the original answer, from the event it produced. */
export interface PriorRequest {
  readonly fingerprint: string;
  readonly response: Readonly<Record<string, unknown>>;
}

export interface PendingSettlement {
  readonly stan: string;
  readonly operatorId: string;
  readonly terminalTotals: readonly BatchTotals[];
  readonly differences: readonly BatchDifference[];
  readonly uploadedStans: readonly string[];
}

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
  readonly transactions: Readonly<Record<string, BatchTransaction>>;
  readonly stanIndex: Readonly<Record<string, string>>;
  readonly unmatchedReversals: readonly string[];
  readonly settlement?: PendingSettlement;
  readonly settledSales: Readonly<Record<string, SettledSale>>;
  readonly requests: Readonly<Record<string, PriorRequest>>;
  readonly previousRequests: Readonly<Record<string, PriorRequest>>;
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
  transactions: {},
  stanIndex: {},
  unmatchedReversals: [],
  settledSales: {},
  requests: {},
  previousRequests: {},
  rrnSeq: 0,
};

export const hostTotals = (s: TerminalState): BatchTotals[] => totalsOf(Object.values(s.transactions));

export const liveTransactions = (s: TerminalState): BatchTransaction[] => Object.values(s.transactions).filter((t) => !t.reversed);

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
    default:
      return undefined;
  }
};

const remember = (s: TerminalState, event: TerminalEvent): TerminalState => {
  const response = responseOf(event);
  const data = event.data as { stan?: string; fingerprint?: string };
  if (!response || !data.stan || !data.fingerprint) return s;
  return { ...s, requests: { ...s.requests, [data.stan]: { fingerprint: data.fingerprint, response } } };
};

const patchTxn = (s: TerminalState, rrn: string, patch: Partial<BatchTransaction>): TerminalState =>
  s.transactions[rrn] ? { ...s, transactions: { ...s.transactions, [rrn]: { ...s.transactions[rrn], ...patch } } } : s;

/** Adds `delta` to the refunded amount of a sale, wherever it lives (open batch or settled). */
const addRefunded = (s: TerminalState, rrn: string, delta: bigint): TerminalState => {
  if (s.transactions[rrn]) return patchTxn(s, rrn, { refunded: s.transactions[rrn].refunded + delta });
  const sale = s.settledSales[rrn];
  return sale ? { ...s, settledSales: { ...s.settledSales, [rrn]: { ...sale, refunded: sale.refunded + delta } } } : s;
};

export const evolve = (state: TerminalState, event: TerminalEvent): TerminalState => {
  switch (event.type) {
    case 'TerminalRegistered': {
      const d = event.data;
      return {
        ...initialTerminalState,
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
    case 'TerminalSignedOn': {
      const s = { ...state, signedOnOperator: event.data.operatorId, operators: { ...state.operators, [event.data.operatorId]: { failures: 0, locked: false } } };
      return remember(s, event);
    }
    case 'OperatorAuthenticationFailed':
      return {
        ...state,
        operators: { ...state.operators, [event.data.operatorId]: { failures: event.data.consecutiveFailures, locked: event.data.lockedOut } },
      };
    case 'OperatorUnlocked':
      return { ...state, operators: { ...state.operators, [event.data.operatorId]: { failures: 0, locked: false } } };
    case 'TransactionCompleted': {
      const d = event.data;
      let s: TerminalState = {
        ...state,
        rrnSeq: state.rrnSeq + 1,
        transactions: {
          ...state.transactions,
          [d.rrn]: {
            rrn: d.rrn, stan: d.stan, kind: d.kind, method: d.method, amount: d.amount, currency: d.currency,
            originalRrn: d.originalRrn, capture: d.capture, voided: false, reversed: false, refunded: 0n,
          },
        },
        stanIndex: { ...state.stanIndex, [d.stan]: d.rrn },
      };
      if (d.kind === 'VOID' && d.originalRrn) s = patchTxn(s, d.originalRrn, { voided: true });
      if (d.kind === 'REFUND' && d.originalRrn) s = addRefunded(s, d.originalRrn, d.amount);
      return d.capture === 'ONLINE' ? remember(s, event) : s;
    }
    case 'TransactionReversed': {
      const d = event.data;
      let s = patchTxn(state, d.rrn, { reversed: true });
      if (d.kind === 'VOID' && d.originalRrn) s = patchTxn(s, d.originalRrn, { voided: false });
      if (d.kind === 'REFUND' && d.originalRrn) s = addRefunded(s, d.originalRrn, -d.amount);
      return remember(s, event);
    }
    case 'UnmatchedReversalRecorded':
      return remember({ ...state, unmatchedReversals: [...state.unmatchedReversals, event.data.originalStan] }, event);
    case 'SettlementRequested': {
      const d = event.data;
      // The operator's password was right: that ends any run of consecutive failures.
      const op = state.operators[d.operatorId];
      const authenticated: TerminalState = op ? { ...state, operators: { ...state.operators, [d.operatorId]: { ...op, failures: 0 } } } : state;
      const s: TerminalState =
        d.result === 'UNBALANCED'
          ? {
              ...authenticated,
              phase: 'UPLOADING',
              settlement: { stan: d.stan, operatorId: d.operatorId, terminalTotals: d.terminalTotals, differences: [], uploadedStans: [] },
            }
          : authenticated;
      return remember(s, event);
    }
    case 'BatchTransactionsUploaded': {
      const found = event.data.items.flatMap((i) => (i.difference ? [i.difference] : []));
      const stans = event.data.items.map((i) => i.stan);
      const p = state.settlement;
      const s = p ? { ...state, settlement: { ...p, differences: [...p.differences, ...found], uploadedStans: [...p.uploadedStans, ...stans] } } : state;
      return remember(s, event);
    }
    case 'BatchClosed': {
      const d = event.data;
      const answered = remember(state, event);
      const settledSales: Record<string, SettledSale> = {};
      const oldest = addDays(d.nextBusinessDay, -REFUND_WINDOW_DAYS);
      for (const sale of Object.values(state.settledSales)) if (sale.businessDay >= oldest) settledSales[sale.rrn] = sale;
      for (const t of Object.values(state.transactions))
        if (t.kind === 'SALE' && !t.voided && !t.reversed)
          settledSales[t.rrn] = { rrn: t.rrn, method: t.method, amount: t.amount, currency: t.currency, refunded: t.refunded, businessDay: d.businessDay };
      return {
        ...state,
        batchNo: d.nextBatchNo,
        businessDay: d.nextBusinessDay,
        phase: 'OPEN',
        transactions: {},
        stanIndex: {},
        unmatchedReversals: [],
        settlement: undefined,
        settledSales,
        // The closing batch's answers stay replayable (a retried settlement gets its slip back).
        previousRequests: answered.requests,
        requests: {},
      };
    }
    case 'TerminalSignedOff':
      return remember({ ...state, signedOnOperator: null }, event);
  }
};

