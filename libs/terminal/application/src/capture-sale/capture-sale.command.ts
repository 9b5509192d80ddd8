import { Command } from '@nestjs/cqrs';
import { z } from 'zod';
import { amountField, batchNo, currencyField, method, panField, stan } from '../request-fields';
import type { RequestOrigin, TerminalAnswer } from '../terminal-command.runner';

/** POST /v1/terminals/{terminalId}/sales */
export const captureSaleRequest = z.object({
  stan,
  batchNo,
  amount: amountField,
  currency: currencyField,
  method,
  card: z.object({ pan: panField }).optional(),
  qr: z.object({ payerToken: z.string().min(8).max(128) }).optional(),
});
export type CaptureSaleRequest = z.infer<typeof captureSaleRequest>;

export class CaptureSaleCommand extends Command<TerminalAnswer> {
  static readonly route = 'sales';
  constructor(
    readonly terminalId: string,
    readonly request: CaptureSaleRequest,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
