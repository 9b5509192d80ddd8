import { Command } from '@nestjs/cqrs';
import type { RequestOrigin, TerminalAnswer } from '../terminal-command.runner';

/** POST /v1/admin/terminals/{terminalId}/operators/{operatorId}/unlock */
export class UnlockOperatorCommand extends Command<TerminalAnswer> {
  constructor(
    readonly terminalId: string,
    readonly operatorId: string,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
