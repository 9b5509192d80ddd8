import type { CardType, PaymentMethod, TransactionCompleted, TransactionKind, TransactionReversed } from '@pos/contracts';
import type { CurrencyCode } from '@pos/money';
import { SettlementErrors } from '../settlement.errors';

/**
 * What the settlement service has seen of one terminal batch, built from the terminal's
 * TransactionCompleted and TransactionReversed events. Plain data (JSON-friendly except
 * the bigint amounts), so it can be stored as-is and rebuilt by replay.
 */
export interface PendingTransaction {
  readonly rrn: string;
  readonly kind: TransactionKind;
  readonly method: PaymentMethod;
  /** Minor units, always positive as captured. */
  readonly amount: bigint;
  readonly currency: CurrencyCode;
  /** For VOID and REFUND: the RRN of the sale it applies to. */
  readonly originalRrn?: string;
  /** Bank cards: as the sale said (absent: priced as CREDIT). */
  readonly cardType?: CardType;
  /** When the host completed it online (ISO instant): what the D0 window is judged on. Absent for batch-upload captures and older documents: never D0. */
  readonly at?: string;
  readonly reversed: boolean;
}

export interface PendingBatch {
  readonly terminalId: string;
  readonly merchantId: string;
  readonly businessDay: string;
  readonly batchNo: string;
  /** Keyed by RRN: applying the same event twice never counts it twice. */
  readonly transactions: Readonly<Record<string, PendingTransaction>>;
}

export type PendingBatchEvent = TransactionCompleted | TransactionReversed;

/** `${terminalId}|${businessDay}|${batchNo}`: unique even after the batch number wraps. */
export const pendingBatchKey = (terminalId: string, businessDay: string, batchNo: string): string =>
  [terminalId, businessDay, batchNo].join('|');

export const pendingBatchKeyOf = (batch: Pick<PendingBatch, 'terminalId' | 'businessDay' | 'batchNo'>): string =>
  pendingBatchKey(batch.terminalId, batch.businessDay, batch.batchNo);

/** A batch closed without any transaction the settlement service saw. */
export const emptyPendingBatch = (id: {
  readonly terminalId: string;
  readonly merchantId: string;
  readonly businessDay: string;
  readonly batchNo: string;
}): PendingBatch => ({
  terminalId: id.terminalId,
  merchantId: id.merchantId,
  businessDay: id.businessDay,
  batchNo: id.batchNo,
  transactions: {},
});

const transactionOf = (event: PendingBatchEvent, reversed: boolean, at: string | undefined): PendingTransaction => {
  const { data } = event;
  const online = event.type === 'TransactionCompleted' && event.data.capture === 'ONLINE';
  return {
    rrn: data.rrn,
    kind: data.kind,
    method: data.method,
    amount: data.amount,
    currency: data.currency,
    ...(data.originalRrn !== undefined ? { originalRrn: data.originalRrn } : {}),
    ...(event.type === 'TransactionCompleted' && event.data.cardType !== undefined ? { cardType: event.data.cardType } : {}),
    ...(online && at !== undefined ? { at } : {}),
    reversed,
  };
};

const existing = (batch: PendingBatch, rrn: string): PendingTransaction | undefined =>
  Object.prototype.hasOwnProperty.call(batch.transactions, rrn) ? batch.transactions[rrn] : undefined;

const withTransaction = (batch: PendingBatch, txn: PendingTransaction): PendingBatch => ({
  ...batch,
  transactions: { ...batch.transactions, [txn.rrn]: txn },
});

/**
 * Pure evolve. Idempotent and order-tolerant per RRN:
 *  - TransactionCompleted records the transaction once; a redelivery (same RRN) changes nothing.
 *  - TransactionReversed marks the transaction with that RRN reversed; if the reversal is seen
 *    before the completion, the transaction is recorded from the reversal, already reversed,
 *    and the late completion does not revive it.
 * An event of another batch (terminal, business day, batch number) is a routing bug upstream.
 */
export const evolvePendingBatch = (state: PendingBatch | undefined, event: PendingBatchEvent, at?: string): PendingBatch => {
  const { data } = event;
  const batch = state ?? emptyPendingBatch(data);
  const expectedKey = pendingBatchKeyOf(batch);
  const eventKey = pendingBatchKey(data.terminalId, data.businessDay, data.batchNo);
  if (eventKey !== expectedKey) {
    throw SettlementErrors.PENDING_BATCH_MISMATCH(`${event.type} ${data.rrn} belongs to batch ${eventKey}, not ${expectedKey}`, { expected: expectedKey, actual: eventKey, rrn: data.rrn });
  }

  const seen = existing(batch, data.rrn);
  const next = evolvePendingTransaction(seen, event, at);
  return next === seen ? batch : withTransaction(batch, next);
};

/**
 * One transaction of a pending batch, on its own: the settlement service stores each
 * separately, so taking in a transaction costs the same in a batch of ten or of ten thousand.
 * Same rules as evolvePendingBatch; returns `seen` itself when nothing changes.
 */
export const evolvePendingTransaction = (seen: PendingTransaction | undefined, event: PendingBatchEvent, at?: string): PendingTransaction => {
  switch (event.type) {
    case 'TransactionCompleted':
      return seen ?? transactionOf(event, false, at);
    case 'TransactionReversed':
      if (seen?.reversed) return seen;
      return seen ? { ...seen, reversed: true } : transactionOf(event, true, at);
  }
};

/** `${pendingBatchKey}|${rrn}`: a batch's transactions list by the batch key and the separator. */
export const pendingTransactionKey = (data: Pick<PendingBatchEvent['data'], 'terminalId' | 'businessDay' | 'batchNo' | 'rrn'>): string =>
  `${pendingBatchKey(data.terminalId, data.businessDay, data.batchNo)}|${data.rrn}`;

/** A batch from its stored transactions (and a whole-batch document written by an older version, if any). */
export const pendingBatchOf = (
  id: { readonly terminalId: string; readonly merchantId: string; readonly businessDay: string; readonly batchNo: string },
  transactions: readonly PendingTransaction[],
  legacy?: PendingBatch,
): PendingBatch | undefined => {
  if (transactions.length === 0 && !legacy) return undefined;
  const base = legacy ?? emptyPendingBatch(id);
  return { ...base, transactions: { ...base.transactions, ...Object.fromEntries(transactions.map((t) => [t.rrn, t])) } };
};

/** Rebuild a batch from its events (replay), each with the instant it was recorded at when known. */
export const pendingBatchFrom = (events: readonly (PendingBatchEvent & { readonly metadata?: { readonly occurredAt: string } })[]): PendingBatch | undefined =>
  events.reduce<PendingBatch | undefined>((batch, e) => evolvePendingBatch(batch, e, e.metadata?.occurredAt), undefined);

/** Transactions that count: reversed ones are excluded everywhere. */
export const liveTransactions = (batch: PendingBatch): PendingTransaction[] =>
  Object.values(batch.transactions).filter((t) => !t.reversed);
