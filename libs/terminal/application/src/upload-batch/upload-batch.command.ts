import { Command } from '@nestjs/cqrs';
import { z } from 'zod';
import { batchNo, currencyField, method, recordedAmountField, rrn, stan } from '../request-fields';
import type { RequestOrigin, TerminalAnswer } from '../terminal-command.runner';

/** POST /v1/terminals/{terminalId}/batch-upload */
export const uploadBatchRequest = z.object({
  stan,
  batchNo,
  transactions: z
    .array(z.object({ stan, kind: z.enum(['SALE', 'VOID', 'REFUND']), method, amount: recordedAmountField, currency: currencyField, rrn: rrn.optional(), originalRrn: rrn.optional() }))
    .min(1)
    .max(500),
});
export type UploadBatchRequest = z.infer<typeof uploadBatchRequest>;

export class UploadBatchCommand extends Command<TerminalAnswer> {
  static readonly route = 'batch-upload';
  constructor(
    readonly terminalId: string,
    readonly request: UploadBatchRequest,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
