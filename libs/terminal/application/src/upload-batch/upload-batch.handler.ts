import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { amountOf, currencyOf } from '../request-fields';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { UploadBatchCommand } from './upload-batch.command';

@CommandHandler(UploadBatchCommand)
export class UploadBatchHandler implements ICommandHandler<UploadBatchCommand> {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
  ) {}

  execute(c: UploadBatchCommand) {
    const r = c.request;
    return this.runner.run(c.terminalId, c.origin, async () => {
      const transactions = r.transactions.map((t) => ({ ...t, amount: amountOf(t.amount), currency: currencyOf(t.currency) }));
      return { type: 'UploadBatch', stan: r.stan, fingerprint: c.origin.fingerprint!, batchNo: r.batchNo, transactions };
    });
  }
}
