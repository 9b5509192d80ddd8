import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { SignOffCommand } from './sign-off.command';

@CommandHandler(SignOffCommand)
export class SignOffHandler implements ICommandHandler<SignOffCommand> {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
  ) {}

  execute(c: SignOffCommand) {
    const r = c.request;
    return this.runner.run(c.terminalId, c.origin, async () => {
      return { type: 'SignOff', stan: r.stan, fingerprint: c.origin.fingerprint! };
    });
  }
}
