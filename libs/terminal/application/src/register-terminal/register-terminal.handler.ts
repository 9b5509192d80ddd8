import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@pos/kernel';
import { LEDGER_CONFIG, type LedgerConfig, sha256 } from '@pos/platform';
import { hashPassword, newApiKey } from '../credentials';
import { amountOf, currencyOf } from '../request-fields';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { CREDENTIALS } from '../terminal-credentials';
import { DEFAULT_PRICING, RegisterTerminalCommand } from './register-terminal.command';

@CommandHandler(RegisterTerminalCommand)
export class RegisterTerminalHandler implements ICommandHandler<RegisterTerminalCommand> {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ request: r, origin }: RegisterTerminalCommand) {
    const ids = r.operators.map((o) => o.operatorId);
    if (new Set(ids).size !== ids.length) throw new DomainError('REQUEST_INVALID', 'operator ids must be unique', '30', 'validation');
    const currencies = r.currencies.map((c) => ({ currency: currencyOf(c.currency), maxAmount: amountOf(c.maxAmount) }));
    if (new Set(currencies.map((c) => c.currency)).size !== currencies.length)
      throw new DomainError('REQUEST_INVALID', 'currencies must be unique', '30', 'validation');
    const apiKey = newApiKey();
    const hashes = await Promise.all(r.operators.map(async (o) => [o.operatorId, await hashPassword(o.password, this.config.scryptCost)] as const));
    await this.runner.run(
      r.terminalId,
      origin,
      () => ({ type: 'RegisterTerminal', terminalId: r.terminalId, merchantId: r.merchantId, merchantName: r.merchantName, currencies, operatorIds: ids, pricing: r.pricing ?? DEFAULT_PRICING }),
      // Credentials are the gateway's secrets: kept beside the stream, never in an event.
      async (tx) => {
        await tx.documents.put(CREDENTIALS.terminals, r.terminalId, { apiKeyHash: sha256(apiKey) });
        for (const [id, hash] of hashes) await tx.documents.put(CREDENTIALS.operators, `${r.terminalId}|${id}`, { hash });
      },
    );
    const { state } = await this.runner.load(r.terminalId);
    return { terminalId: r.terminalId, apiKey, batchNo: state.batchNo, businessDay: state.businessDay };
  }
}
