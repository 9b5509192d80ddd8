/** Test builders for the settlement domain's unit specs (not part of the public API). */
import type {
  BatchClosed,
  BatchTotals,
  CardType,
  PaymentMethod,
  PricingPlan,
  TransactionCompleted,
  TransactionKind,
  TransactionReversed,
} from '@pos/contracts';
import type { CurrencyCode } from '@pos/money';
import { hostTotalsOf } from '../settle-batch/host-totals';
import { pendingBatchFrom, type PendingBatch, type PendingBatchEvent } from '../settle-batch/pending-batch';

export const TERMINAL = 'T0000001';
export const MERCHANT = 'M000000000000001';
/** A Friday. */
export const FRIDAY = '2024-05-10';
export const BATCH = '000042';

export interface TxnSpec {
  readonly rrn: string;
  readonly kind?: TransactionKind;
  readonly method?: PaymentMethod;
  readonly amount: bigint;
  readonly currency?: CurrencyCode;
  readonly originalRrn?: string;
  readonly businessDay?: string;
  readonly batchNo?: string;
  readonly cardType?: CardType;
  /** When the host recorded it (metadata.occurredAt): what the D0 window is judged on. */
  readonly at?: string;
  readonly capture?: 'ONLINE' | 'BATCH_UPLOAD';
}

/** An event as the settlement service receives it: with the instant it was recorded at, when the test cares. */
export type Timed<E> = E & { readonly metadata?: { readonly occurredAt: string } };

export const completed = (t: TxnSpec): Timed<TransactionCompleted> => ({
  ...(t.at !== undefined ? { metadata: { occurredAt: t.at } } : {}),
  type: 'TransactionCompleted',
  data: {
    terminalId: TERMINAL,
    merchantId: MERCHANT,
    businessDay: t.businessDay ?? FRIDAY,
    stan: t.rrn.slice(-6),
    fingerprint: `fp-${t.rrn}`,
    transactionId: `${TERMINAL}-${t.rrn}`,
    kind: t.kind ?? 'SALE',
    method: t.method ?? 'BANK_CARD',
    amount: t.amount,
    currency: t.currency ?? 'CNY',
    rrn: t.rrn,
    authCode: '123456',
    batchNo: t.batchNo ?? BATCH,
    operatorId: '01',
    ...(t.originalRrn !== undefined ? { originalRrn: t.originalRrn } : {}),
    ...(t.cardType !== undefined ? { cardType: t.cardType } : {}),
    capture: t.capture ?? 'ONLINE',
  },
});

export const reversed = (t: TxnSpec): TransactionReversed => ({
  type: 'TransactionReversed',
  data: {
    terminalId: TERMINAL,
    merchantId: MERCHANT,
    businessDay: t.businessDay ?? FRIDAY,
    stan: `9${t.rrn.slice(-5)}`,
    fingerprint: `fp-rev-${t.rrn}`,
    transactionId: `${TERMINAL}-${t.rrn}`,
    rrn: t.rrn,
    kind: t.kind ?? 'SALE',
    method: t.method ?? 'BANK_CARD',
    amount: t.amount,
    currency: t.currency ?? 'CNY',
    originalStan: t.rrn.slice(-6),
    ...(t.originalRrn !== undefined ? { originalRrn: t.originalRrn } : {}),
    reason: '98',
    batchNo: t.batchNo ?? BATCH,
  },
});

export const sale = (rrn: string, amount: bigint, extra: Partial<TxnSpec> = {}): Timed<TransactionCompleted> =>
  completed({ rrn, amount, kind: 'SALE', ...extra });
export const voidOf = (rrn: string, originalRrn: string, amount: bigint, extra: Partial<TxnSpec> = {}): TransactionCompleted =>
  completed({ rrn, amount, kind: 'VOID', originalRrn, ...extra });
export const refundOf = (rrn: string, originalRrn: string, amount: bigint, extra: Partial<TxnSpec> = {}): TransactionCompleted =>
  completed({ rrn, amount, kind: 'REFUND', originalRrn, ...extra });

/** Given these events, the pending batch (never undefined: at least one event expected). */
export const batchOf = (...events: Timed<PendingBatchEvent>[]): PendingBatch => {
  const batch = pendingBatchFrom(events);
  if (!batch) throw new Error('batchOf needs at least one event');
  return batch;
};

export const plan = (overrides: Partial<PricingPlan> = {}): PricingPlan => ({
  planId: 'PLAN-STD',
  effectiveFrom: '2024-01-01',
  mdrBps: { BANK_CARD: 60, QR: 38 },
  refundReturnsFee: false,
  payoutSchedule: 'T1',
  rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' },
  ...overrides,
});

export const closedFor = (
  batch: PendingBatch,
  overrides: Partial<BatchClosed['data']> & { hostTotals?: readonly BatchTotals[] } = {},
): BatchClosed['data'] => ({
  terminalId: batch.terminalId,
  merchantId: batch.merchantId,
  businessDay: batch.businessDay,
  stan: '000999',
  fingerprint: 'fp-settle',
  batchNo: batch.batchNo,
  result: 'BALANCED',
  terminalTotals: hostTotalsOf(batch),
  hostTotals: hostTotalsOf(batch),
  differences: [],
  transactionCount: Object.values(batch.transactions).filter((t) => !t.reversed).length,
  nextBatchNo: '000043',
  nextBusinessDay: '2024-05-11',
  ...overrides,
});
