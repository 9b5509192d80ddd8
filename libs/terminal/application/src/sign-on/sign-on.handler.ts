import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TerminalCredentials } from '../terminal-credentials';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { SignOnCommand } from './sign-on.command';

@CommandHandler(SignOnCommand)
export class SignOnHandler implements ICommandHandler<SignOnCommand> {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
    @Inject(TerminalCredentials) private readonly credentials: TerminalCredentials,
  ) {}

  execute(c: SignOnCommand) {
    const r = c.request;
    return this.runner.run(c.terminalId, c.origin, async () => {
      const passwordValid = await this.credentials.operatorPasswordValid(c.terminalId, r.operatorId, r.password);
      return { type: 'SignOn', stan: r.stan, fingerprint: c.origin.fingerprint!, operatorId: r.operatorId, passwordValid };
    });
  }
}
