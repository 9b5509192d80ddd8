import { Command } from '@nestjs/cqrs';
import { z } from 'zod';
import { batchNo, stan } from '../request-fields';
import type { RequestOrigin, TerminalAnswer } from '../terminal-command.runner';

/** POST /v1/terminals/{terminalId}/batch-upload/end */
export const endBatchUploadRequest = z.object({
  stan, batchNo,
});
export type EndBatchUploadRequest = z.infer<typeof endBatchUploadRequest>;

export class EndBatchUploadCommand extends Command<TerminalAnswer> {
  static readonly route = 'batch-upload/end';
  constructor(
    readonly terminalId: string,
    readonly request: EndBatchUploadRequest,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
