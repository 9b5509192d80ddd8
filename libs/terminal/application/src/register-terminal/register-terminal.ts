import { Inject, Injectable } from '@nestjs/common';
import { wire } from '@pos/contracts';
import { EdgeErrors, LEDGER_CONFIG, type LedgerConfig, sha256 } from '@pos/platform';
import { hashPassword, newApiKey } from '../credentials';
import { amountField, amountOf, currencyField, currencyOf, operatorId, password } from '../request-fields';
import { type RequestOrigin, TerminalCommandRunner } from '../terminal-command.runner';
import { CREDENTIALS } from '../terminal-credentials';
import { TerminalKeyVault } from '../iso8583/terminal-key-vault';
import { z } from 'zod';

export const registerTerminalRequest = z.object({
  terminalId: wire.terminalId,
  merchantId: wire.merchantId,
  merchantName: z.string().min(1).max(80),
  currencies: z.array(z.object({ currency: currencyField, maxAmount: amountField })).min(1).max(10),
  operators: z.array(z.object({ operatorId, password })).min(1).max(50),
  pricing: z
    .object({
      planId: z.string().min(1).max(64),
      effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
      mdrBps: z.object({ BANK_CARD: z.number().int().min(0).max(10_000), QR: z.number().int().min(0).max(10_000) }),
      refundReturnsFee: z.boolean(),
      payoutSchedule: z.enum(['D0', 'T1']),
      rounding: z.object({ scope: z.enum(['PER_TRANSACTION', 'PER_BATCH']), mode: z.enum(['HALF_UP', 'HALF_EVEN']) }),
    })
    .optional(),
  timeZone: wire.timeZone.optional().describe("the merchant's IANA time zone, for showing its times (default Asia/Shanghai); business days stay UTC dates"),
});
export type RegisterTerminalRequest = z.infer<typeof registerTerminalRequest>;

/** Default pricing: bank card 60 bps, QR 38 bps, fee rounded per transaction half-up, paid T+1, refunds keep their fee. */
export const DEFAULT_PRICING = {
  planId: 'default',
  mdrBps: { BANK_CARD: 60, QR: 38 },
  refundReturnsFee: false,
  payoutSchedule: 'T1',
  rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' },
} as const;

/** Registers a terminal: what is particular to it is its secrets, an API key, a sealed ISO 8583 master key and operator password hashes, kept beside the stream. */
@Injectable()
export class RegisterTerminal {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(TerminalKeyVault) private readonly masterKeys: TerminalKeyVault,
  ) {}

  async execute(r: RegisterTerminalRequest, origin: RequestOrigin): Promise<{ terminalId: string; apiKey: string; masterKey: string; batchNo: string; businessDay: string }> {
    const ids = r.operators.map((o) => o.operatorId);
    if (new Set(ids).size !== ids.length) throw EdgeErrors.REQUEST_INVALID('operator ids must be unique');
    const currencies = r.currencies.map((c) => ({ currency: currencyOf(c.currency), maxAmount: amountOf(c.maxAmount) }));
    if (new Set(currencies.map((c) => c.currency)).size !== currencies.length)
      throw EdgeErrors.REQUEST_INVALID('currencies must be unique');
    const apiKey = newApiKey();
    const masterKey = this.masterKeys.issue(r.terminalId);
    const hashes = await Promise.all(r.operators.map(async (o) => [o.operatorId, await hashPassword(o.password, this.config.scryptCost)] as const));
    await this.runner.run(
      r.terminalId,
      origin,
      () => ({ type: 'RegisterTerminal', terminalId: r.terminalId, merchantId: r.merchantId, merchantName: r.merchantName, currencies, operatorIds: ids, pricing: r.pricing ?? DEFAULT_PRICING, timeZone: r.timeZone }),
      // Credentials are the gateway's secrets: kept beside the stream, never in an event.
      async (tx) => {
        await tx.documents.put(CREDENTIALS.terminals, r.terminalId, { apiKeyHash: sha256(apiKey), masterKey: masterKey.sealed });
        for (const [id, hash] of hashes) await tx.documents.put(CREDENTIALS.operators, `${r.terminalId}|${id}`, { hash });
      },
    );
    const { state } = await this.runner.load(r.terminalId);
    return { terminalId: r.terminalId, apiKey, masterKey: masterKey.hex, batchNo: state.batchNo, businessDay: state.businessDay };
  }
}
