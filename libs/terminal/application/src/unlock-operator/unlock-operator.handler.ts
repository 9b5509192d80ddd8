import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { UnlockOperatorCommand } from './unlock-operator.command';

@CommandHandler(UnlockOperatorCommand)
export class UnlockOperatorHandler implements ICommandHandler<UnlockOperatorCommand> {
  constructor(@Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner) {}

  async execute(c: UnlockOperatorCommand) {
    const answer = await this.runner.run(c.terminalId, c.origin, () => ({ type: 'UnlockOperator', operatorId: c.operatorId }));
    // No event (the operator was not locked) gets the runner's bare answer.
    return { responseCode: '00', operatorId: c.operatorId, unlocked: answer.unlocked === true };
  }
}
