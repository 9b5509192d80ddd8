import { Command } from '@nestjs/cqrs';
import { z } from 'zod';
import { stan } from '../request-fields';
import type { RequestOrigin, TerminalAnswer } from '../terminal-command.runner';

/** POST /v1/terminals/{terminalId}/sign-off */
export const signOffRequest = z.object({
  stan,
});
export type SignOffRequest = z.infer<typeof signOffRequest>;

export class SignOffCommand extends Command<TerminalAnswer> {
  static readonly route = 'sign-off';
  constructor(
    readonly terminalId: string,
    readonly request: SignOffRequest,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}
