import { Command } from '@nestjs/cqrs';
import { z } from 'zod';
import { amountField, currencyField, operatorId, password } from '../request-fields';
import type { RequestOrigin } from '../terminal-command.runner';

export const registerTerminalRequest = z.object({
  terminalId: z.string().regex(/^[A-Z0-9]{8}$/, '8 characters A-Z 0-9'),
  merchantId: z.string().regex(/^[A-Z0-9]{15}$/, '15 characters A-Z 0-9'),
  merchantName: z.string().min(1).max(80),
  currencies: z.array(z.object({ currency: currencyField, maxAmount: amountField })).min(1).max(10),
  operators: z.array(z.object({ operatorId, password })).min(1).max(50),
  pricing: z
    .object({
      planId: z.string().min(1).max(64),
      effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
      mdrBps: z.object({ BANK_CARD: z.number().int().min(0).max(10_000), QR: z.number().int().min(0).max(10_000) }),
      refundReturnsFee: z.boolean(),
      payoutSchedule: z.enum(['D0', 'T1']),
      rounding: z.object({ scope: z.enum(['PER_TRANSACTION', 'PER_BATCH']), mode: z.enum(['HALF_UP', 'HALF_EVEN']) }),
    })
    .optional(),
});
export type RegisterTerminalRequest = z.infer<typeof registerTerminalRequest>;

/** Default pricing: bank card 60 bps, QR 38 bps, fee rounded per transaction half-up, paid T+1, refunds keep their fee. */
export const DEFAULT_PRICING = {
  planId: 'default',
  mdrBps: { BANK_CARD: 60, QR: 38 },
  refundReturnsFee: false,
  payoutSchedule: 'T1',
  rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' },
} as const;

export class RegisterTerminalCommand extends Command<{ terminalId: string; apiKey: string; batchNo: string; businessDay: string }> {
  constructor(
    readonly request: RegisterTerminalRequest,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
