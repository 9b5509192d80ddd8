import { Command } from '@nestjs/cqrs';
import { z } from 'zod';
import { batchNo, rrn, stan } from '../request-fields';
import type { RequestOrigin, TerminalAnswer } from '../terminal-command.runner';

/** POST /v1/terminals/{terminalId}/voids */
export const voidSaleRequest = z.object({
  stan, batchNo, originalRrn: rrn,
});
export type VoidSaleRequest = z.infer<typeof voidSaleRequest>;

export class VoidSaleCommand extends Command<TerminalAnswer> {
  static readonly route = 'voids';
  constructor(
    readonly terminalId: string,
    readonly request: VoidSaleRequest,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
