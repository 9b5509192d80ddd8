import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { maskPan } from '../credentials';
import { amountOf, currencyOf } from '../request-fields';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { CaptureSaleCommand } from './capture-sale.command';

@CommandHandler(CaptureSaleCommand)
export class CaptureSaleHandler implements ICommandHandler<CaptureSaleCommand> {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
  ) {}

  execute(c: CaptureSaleCommand) {
    const r = c.request;
    return this.runner.run(c.terminalId, c.origin, async () => {
      return {
        type: 'Sale', stan: r.stan, fingerprint: c.origin.fingerprint!, batchNo: r.batchNo, amount: amountOf(r.amount), currency: currencyOf(r.currency),
        method: r.method, maskedPan: r.method === 'BANK_CARD' && r.card ? maskPan(r.card.pan) : undefined, hasQrToken: r.method === 'QR' && !!r.qr,
      };
    });
  }
}
