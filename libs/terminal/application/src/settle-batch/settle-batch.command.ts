import { Command } from '@nestjs/cqrs';
import { z } from 'zod';
import { batchNo, operatorId, password, stan, totalsField } from '../request-fields';
import type { RequestOrigin, TerminalAnswer } from '../terminal-command.runner';

/** POST /v1/terminals/{terminalId}/settlement */
export const settleBatchRequest = z.object({
  stan, batchNo, operatorId, password, totals: totalsField,
});
export type SettleBatchRequest = z.infer<typeof settleBatchRequest>;

export class SettleBatchCommand extends Command<TerminalAnswer> {
  static readonly route = 'settlement';
  constructor(
    readonly terminalId: string,
    readonly request: SettleBatchRequest,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
