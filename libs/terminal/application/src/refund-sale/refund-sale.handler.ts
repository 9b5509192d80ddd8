import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { amountOf } from '../request-fields';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { RefundSaleCommand } from './refund-sale.command';

@CommandHandler(RefundSaleCommand)
export class RefundSaleHandler implements ICommandHandler<RefundSaleCommand> {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
  ) {}

  execute(c: RefundSaleCommand) {
    const r = c.request;
    return this.runner.run(c.terminalId, c.origin, async () => {
      return { type: 'Refund', stan: r.stan, fingerprint: c.origin.fingerprint!, batchNo: r.batchNo, originalRrn: r.originalRrn, amount: amountOf(r.amount) };
    });
  }
}
