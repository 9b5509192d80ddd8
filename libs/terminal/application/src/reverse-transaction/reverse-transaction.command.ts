import { Command } from '@nestjs/cqrs';
import { z } from 'zod';
import { batchNo, stan } from '../request-fields';
import type { RequestOrigin, TerminalAnswer } from '../terminal-command.runner';

/** POST /v1/terminals/{terminalId}/reversals */
export const reverseTransactionRequest = z
  .object({ stan, batchNo, originalStan: stan, reason: z.enum(['98', '96', 'A0']) })
  .refine((r) => r.originalStan !== r.stan, { path: ['originalStan'], message: 'a reversal cannot reverse itself' });
export type ReverseTransactionRequest = z.infer<typeof reverseTransactionRequest>;

export class ReverseTransactionCommand extends Command<TerminalAnswer> {
  static readonly route = 'reversals';
  constructor(
    readonly terminalId: string,
    readonly request: ReverseTransactionRequest,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
