import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { UnlockOperatorCommand } from './unlock-operator.command';

@CommandHandler(UnlockOperatorCommand)
export class UnlockOperatorHandler implements ICommandHandler<UnlockOperatorCommand> {
  constructor(@Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner) {}

  execute(c: UnlockOperatorCommand) {
    return this.runner.run(c.terminalId, c.origin, () => ({ type: 'UnlockOperator', operatorId: c.operatorId }));
  }
}
