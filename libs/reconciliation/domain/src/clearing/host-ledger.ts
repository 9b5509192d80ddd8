import type { PricingPlan, TransactionCompleted } from '@pos/contracts';
import { feeAtBps } from '@pos/money';
import type { HostTransaction } from './clearing.types';

/** The plan in force on a business day: the latest whose effectiveFrom is not after it. */
export const planOn = (plans: readonly PricingPlan[], businessDay: string): PricingPlan | undefined =>
  [...plans].filter((p) => p.effectiveFrom <= businessDay).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0];

/**
 * The fee the acquirer should charge on one transaction under the merchant's plan, rounded per
 * transaction with the plan's mode (a clearing file charges per line): a sale and a void carry
 * the fee of their amount, a refund only when the plan returns fees on refunds.
 */
export const expectedFeeOf = (t: Pick<HostTransaction, 'kind' | 'method' | 'amount'>, plan: PricingPlan | undefined): bigint => {
  if (!plan) return 0n;
  if (t.kind === 'REFUND' && !plan.refundReturnsFee) return 0n;
  return feeAtBps(t.amount, plan.mdrBps[t.method], plan.rounding.mode);
};

/** A completed transaction as the host side of the reconciliation holds it. */
export const hostTransactionOf = (d: TransactionCompleted['data'], occurredAt: string, plan: PricingPlan | undefined): HostTransaction => ({
  rrn: d.rrn,
  terminalId: d.terminalId,
  merchantId: d.merchantId,
  businessDay: d.businessDay,
  batchNo: d.batchNo,
  stan: d.stan,
  kind: d.kind,
  method: d.method,
  amount: d.amount,
  currency: d.currency,
  occurredAt,
  ...(d.maskedPan ? { maskedPan: d.maskedPan } : {}),
  ...(d.originalRrn ? { originalRrn: d.originalRrn } : {}),
  status: 'COMPLETED',
  expectedFee: expectedFeeOf(d, plan),
});
