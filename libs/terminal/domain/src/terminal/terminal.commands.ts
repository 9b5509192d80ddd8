import type { BatchTotals, CurrencyLimit, PaymentMethod, PricingPlan, ReversalReason, TransactionKind } from '@pos/contracts';
import type { CurrencyCode } from '@pos/money';
import type { SettledSale } from './terminal.state';

/** Every terminal request: its trace number and a fingerprint of its body (for idempotency). */
interface Request {
  readonly stan: string;
  readonly fingerprint: string;
}
interface InBatch extends Request {
  readonly batchNo: string;
}
/** Settled sales the command refers to, loaded from the store by the caller (see settledSalesNeeded). */
interface Settled {
  readonly settledSales?: ReadonlyMap<string, SettledSale>;
}

export interface UploadedTransaction {
  readonly stan: string;
  readonly kind: TransactionKind;
  readonly method: PaymentMethod;
  readonly amount: bigint;
  readonly currency: CurrencyCode;
  readonly rrn?: string;
  readonly originalRrn?: string;
}

export type TerminalCommand =
  | {
      readonly type: 'RegisterTerminal';
      readonly terminalId: string;
      readonly merchantId: string;
      readonly merchantName: string;
      readonly currencies: readonly CurrencyLimit[];
      readonly operatorIds: readonly string[];
      readonly pricing: Omit<PricingPlan, 'effectiveFrom'> & { readonly effectiveFrom?: string };
    }
  | ({ readonly type: 'SignOn'; readonly operatorId: string; readonly passwordValid: boolean } & Request)
  | ({
      readonly type: 'Sale';
      readonly amount: bigint;
      readonly currency: CurrencyCode;
      readonly method: PaymentMethod;
      readonly maskedPan?: string;
      readonly hasQrToken?: boolean;
    } & InBatch)
  | ({ readonly type: 'Void'; readonly originalRrn: string } & InBatch & Settled)
  | ({ readonly type: 'Refund'; readonly originalRrn: string; readonly amount: bigint } & InBatch & Settled)
  | ({ readonly type: 'Reverse'; readonly originalStan: string; readonly reason: ReversalReason } & InBatch & Settled)
  | ({
      readonly type: 'Settle';
      readonly operatorId: string;
      readonly passwordValid: boolean;
      readonly totals: readonly BatchTotals[];
    } & InBatch)
  | ({ readonly type: 'UploadBatch'; readonly transactions: readonly UploadedTransaction[] } & InBatch & Settled)
  | ({ readonly type: 'EndBatchUpload' } & InBatch)
  | ({ readonly type: 'SignOff' } & Request)
  | { readonly type: 'UnlockOperator'; readonly operatorId: string };
