import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { amountOf, currencyOf } from '../request-fields';
import { TerminalCredentials } from '../terminal-credentials';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { SettleBatchCommand } from './settle-batch.command';

@CommandHandler(SettleBatchCommand)
export class SettleBatchHandler implements ICommandHandler<SettleBatchCommand> {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
    @Inject(TerminalCredentials) private readonly credentials: TerminalCredentials,
  ) {}

  execute(c: SettleBatchCommand) {
    const r = c.request;
    return this.runner.run(c.terminalId, c.origin, async () => {
      const passwordValid = await this.credentials.operatorPasswordValid(c.terminalId, r.operatorId, r.password);
      const totals = r.totals.map((t) => ({ currency: currencyOf(t.currency), debitCount: t.debitCount, debitAmount: amountOf(t.debitAmount), creditCount: t.creditCount, creditAmount: amountOf(t.creditAmount) }));
      return { type: 'Settle', stan: r.stan, fingerprint: c.origin.fingerprint!, batchNo: r.batchNo, operatorId: r.operatorId, passwordValid, totals };
    });
  }
}
