import type { BatchTotals, CardType, CurrencyLimit, PaymentMethod, PricingPlan, ReversalReason, TransactionKind } from '@pos/contracts';
import { BatchNo, MaskedPan, MerchantId, OperatorId, Rrn, Stan, TerminalId, TimeZone } from '@pos/kernel';
import type { z } from 'zod';
import type { CurrencyCode } from '@pos/money';
import type { SettledSale } from './terminal.state';

/** Every terminal request: its trace number and a fingerprint of its body (for idempotency). */
interface Request {
  readonly stan: Stan;
  readonly fingerprint: string;
}
interface InBatch extends Request {
  readonly batchNo: BatchNo;
}
/** Settled sales the command refers to, loaded from the store by the caller (see settledSalesNeeded). */
interface Settled {
  readonly settledSales?: ReadonlyMap<string, SettledSale>;
}

export interface UploadedTransaction {
  readonly stan: Stan;
  readonly kind: TransactionKind;
  readonly method: PaymentMethod;
  readonly amount: bigint;
  readonly currency: CurrencyCode;
  readonly rrn?: Rrn;
  readonly originalRrn?: Rrn;
}

export type TerminalCommand =
  | {
      readonly type: 'RegisterTerminal';
      readonly terminalId: TerminalId;
      readonly merchantId: MerchantId;
      readonly merchantName: string;
      readonly currencies: readonly CurrencyLimit[];
      readonly operatorIds: readonly OperatorId[];
      readonly pricing: Omit<PricingPlan, 'effectiveFrom'> & { readonly effectiveFrom?: string };
      /** The merchant's zone; DEFAULT_MERCHANT_TIME_ZONE when not given. */
      readonly timeZone?: TimeZone;
    }
  | ({ readonly type: 'SignOn'; readonly operatorId: OperatorId; readonly passwordValid: boolean } & Request)
  | ({
      readonly type: 'Sale';
      readonly amount: bigint;
      readonly currency: CurrencyCode;
      readonly method: PaymentMethod;
      readonly maskedPan?: MaskedPan;
      readonly hasQrToken?: boolean;
      /** A bank card's type when the terminal knows it (priced apart by plans that rate DEBIT and CREDIT). */
      readonly cardType?: CardType;
    } & InBatch)
  | ({ readonly type: 'Void'; readonly originalRrn: Rrn } & InBatch & Settled)
  | ({ readonly type: 'Refund'; readonly originalRrn: Rrn; readonly amount: bigint } & InBatch & Settled)
  | ({ readonly type: 'Reverse'; readonly originalStan: Stan; readonly reason: ReversalReason } & InBatch & Settled)
  | ({
      readonly type: 'Settle';
      readonly operatorId: OperatorId;
      readonly passwordValid: boolean;
      readonly totals: readonly BatchTotals[];
    } & InBatch)
  | ({ readonly type: 'UploadBatch'; readonly transactions: readonly UploadedTransaction[] } & InBatch & Settled)
  | ({ readonly type: 'EndBatchUpload' } & InBatch)
  | ({ readonly type: 'SignOff' } & Request)
  | { readonly type: 'UnlockOperator'; readonly operatorId: OperatorId };

/** A value as written outside an edge (a test, a tool): identifiers as plain strings. */
export type Written<T> = T extends string & z.core.$brand<string>
  ? string
  : T extends readonly (infer U)[]
    ? readonly Written<U>[]
    : T extends bigint | ReadonlyMap<unknown, unknown>
      ? T
      : T extends object
        ? { readonly [K in keyof T]: Written<T[K]> }
        : T;

// Each identifier field of a command by its name, with its one parser.
const ID_FIELDS: Readonly<Record<string, z.ZodType<string>>> = {
  stan: Stan, originalStan: Stan, batchNo: BatchNo, rrn: Rrn, originalRrn: Rrn, operatorId: OperatorId,
  terminalId: TerminalId, merchantId: MerchantId, maskedPan: MaskedPan, timeZone: TimeZone,
};
const parsedIds = (value: unknown, field?: string): unknown => {
  if (typeof value === 'string' && field && ID_FIELDS[field]) return ID_FIELDS[field].parse(value);
  if (Array.isArray(value)) return value.map((v) => parsedIds(v, field === 'operatorIds' ? 'operatorId' : undefined));
  if (value && typeof value === 'object' && !(value instanceof Map)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, parsedIds(v, k)]));
  return value;
};

/**
 * A command written with plain strings, its identifiers parsed by their one parser each (a
 * ZodError for one out of format), as the HTTP edge parses a request: for tests and tools that
 * drive the decider or the runner without a request.
 */
// The one cast: parsedIds brands exactly the fields Written<> widened, which a walk cannot show TypeScript.
export const parseCommand = <C extends TerminalCommand>(written: Written<C>): C => parsedIds(written) as C;
