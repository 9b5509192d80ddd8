import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { ReverseTransactionCommand } from './reverse-transaction.command';

@CommandHandler(ReverseTransactionCommand)
export class ReverseTransactionHandler implements ICommandHandler<ReverseTransactionCommand> {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
  ) {}

  execute(c: ReverseTransactionCommand) {
    const r = c.request;
    return this.runner.run(c.terminalId, c.origin, async () => {
      return { type: 'Reverse', stan: r.stan, fingerprint: c.origin.fingerprint!, batchNo: r.batchNo, originalStan: r.originalStan, reason: r.reason };
    });
  }
}
