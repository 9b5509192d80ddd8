import { Command } from '@nestjs/cqrs';
import { z } from 'zod';
import { amountField, batchNo, rrn, stan } from '../request-fields';
import type { RequestOrigin, TerminalAnswer } from '../terminal-command.runner';

/** POST /v1/terminals/{terminalId}/refunds */
export const refundSaleRequest = z.object({
  stan, batchNo, originalRrn: rrn, amount: amountField,
});
export type RefundSaleRequest = z.infer<typeof refundSaleRequest>;

export class RefundSaleCommand extends Command<TerminalAnswer> {
  static readonly route = 'refunds';
  constructor(
    readonly terminalId: string,
    readonly request: RefundSaleRequest,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
