import { Command } from '@nestjs/cqrs';
import { z } from 'zod';
import { operatorId, password, stan } from '../request-fields';
import type { RequestOrigin, TerminalAnswer } from '../terminal-command.runner';

/** POST /v1/terminals/{terminalId}/sign-on */
export const signOnRequest = z.object({
  stan, operatorId, password,
});
export type SignOnRequest = z.infer<typeof signOnRequest>;

export class SignOnCommand extends Command<TerminalAnswer> {
  static readonly route = 'sign-on';
  constructor(
    readonly terminalId: string,
    readonly request: SignOnRequest,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
