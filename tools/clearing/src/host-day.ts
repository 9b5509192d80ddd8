/**
 * The host day as GET /v1/reconciliation/host-ledger answers it: a HostDay whose bigints
 * are decimal strings of minor units. Decoded and validated here, so the generator only
 * ever sees well-formed money.
 */
import { batchTotalsSchema, wire } from '@pos/contracts';
import { type HostDay, isCalendarDate, isIsoInstant } from '@pos/reconciliation-domain';
import { z } from 'zod';

const minorUnits = z
  .string()
  .regex(/^(0|[1-9]\d{0,17})$/, 'a decimal string of non-negative minor units')
  .transform((s) => BigInt(s));
const calendarDay = z.string().refine(isCalendarDate, 'a calendar date YYYY-MM-DD');

const hostTransaction = z.object({
  rrn: wire.rrn,
  terminalId: wire.terminalId,
  merchantId: wire.merchantId,
  businessDay: calendarDay,
  batchNo: wire.batchNo,
  stan: wire.stan,
  kind: wire.transactionKind,
  method: wire.paymentMethod,
  amount: minorUnits.refine((a) => a > 0n, 'a positive amount'),
  currency: wire.currencyCode,
  occurredAt: z.string().refine(isIsoInstant, 'an ISO-8601 instant with a zone'),
  maskedPan: wire.maskedPan.optional(),
  originalRrn: wire.rrn.optional(),
  status: z.enum(['COMPLETED', 'REVERSED']),
  expectedFee: minorUnits,
});

const hostBatch = z.object({
  terminalId: wire.terminalId,
  merchantId: wire.merchantId,
  businessDay: calendarDay,
  batchNo: wire.batchNo,
  result: z.enum(['BALANCED', 'UNBALANCED']),
  terminalTotals: z.array(batchTotalsSchema),
  hostTotals: z.array(batchTotalsSchema),
  terminalTotalsAtClose: z.array(batchTotalsSchema),
});

export const hostDaySchema = z.object({
  businessDay: calendarDay,
  transactions: z.array(hostTransaction),
  batches: z.array(hostBatch),
});

// The schema and the domain's type must agree exactly; this fails to compile otherwise.
export const hostDaySchemaMatchesType: wire.Decodes<typeof hostDaySchema, HostDay> = true;

export class HostDayInvalid extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostDayInvalid';
  }
}

/** The endpoint's JSON to a HostDay of `businessDay`, or HostDayInvalid naming the first bad field. */
export const decodeHostDay = (json: unknown, businessDay: string): HostDay => {
  const parsed = hostDaySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HostDayInvalid(`the host ledger is not a host day: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  if (parsed.data.businessDay !== businessDay) throw new HostDayInvalid(`asked for business day ${businessDay}, the host ledger answered ${parsed.data.businessDay}`);
  return parsed.data;
};
