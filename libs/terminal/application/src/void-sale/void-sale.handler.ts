import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { VoidSaleCommand } from './void-sale.command';

@CommandHandler(VoidSaleCommand)
export class VoidSaleHandler implements ICommandHandler<VoidSaleCommand> {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
  ) {}

  execute(c: VoidSaleCommand) {
    const r = c.request;
    return this.runner.run(c.terminalId, c.origin, async () => {
      return { type: 'Void', stan: r.stan, fingerprint: c.origin.fingerprint!, batchNo: r.batchNo, originalRrn: r.originalRrn };
    });
  }
}
