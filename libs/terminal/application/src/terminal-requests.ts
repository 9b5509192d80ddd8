import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { wire } from '@pos/contracts';
import { parseRequest, type RequestMeta } from '@pos/platform';
import type { TerminalId } from '@pos/kernel';
import { type TerminalCommand, TerminalErrors } from '@pos/terminal-domain';
import { z } from 'zod';
import { fingerprintOf, maskPan } from './credentials';
import { amountField, amountOf, batchNo, currencyField, currencyOf, method, operatorId, panField, password, recordedAmountField, rrn, stan, totalsField } from './request-fields';
import { type TerminalAnswer, TerminalCommandRunner } from './terminal-command.runner';
import { TerminalCredentials } from './terminal-credentials';

/** What every terminal request carries: its trace number; its batch and operator where it has them. */
type RequestBody = { readonly stan: string; readonly batchNo?: string; readonly operatorId?: string };

/** What a request's command is built with besides its body. */
export interface RequestContext {
  readonly terminalId: string;
  /** The request's fingerprint (route and body without secrets): a retry with the same one gets the same answer. */
  readonly fingerprint: string;
  readonly passwordValid: (operatorId: string, password: string) => Promise<boolean>;
}

/** A terminal request: its route (part of its fingerprint), its body, and the command it asks of the terminal. */
export interface TerminalRequest<S extends z.ZodType<RequestBody>> {
  readonly route: string;
  readonly schema: S;
  readonly command: (request: z.output<S>, context: RequestContext) => TerminalCommand | Promise<TerminalCommand>;
}

const terminalRequest = <S extends z.ZodType<RequestBody>>(route: string, schema: S, command: TerminalRequest<S>['command']): TerminalRequest<S> => ({ route, schema, command });

export const signOnRequest = z.object({ stan, operatorId, password });
export const captureSaleRequest = z.object({
  stan,
  batchNo,
  amount: amountField,
  currency: currencyField,
  method,
  card: z.object({ pan: panField }).optional(),
  /** A bank card's type, if the terminal knows it (from the card's BIN or chip): absent, the sale is priced as CREDIT. */
  cardType: z.enum(['DEBIT', 'CREDIT']).optional(),
  qr: z.object({ payerToken: z.string().min(8).max(128) }).optional(),
});
export const voidSaleRequest = z.object({ stan, batchNo, originalRrn: rrn });
export const refundSaleRequest = z.object({ stan, batchNo, originalRrn: rrn, amount: amountField });
export const reverseTransactionRequest = z
  .object({ stan, batchNo, originalStan: stan, reason: z.enum(['98', '96', 'A0']) })
  .refine((r) => r.originalStan !== r.stan, { path: ['originalStan'], message: 'a reversal cannot reverse itself' });
export const settleBatchRequest = z.object({ stan, batchNo, operatorId, password, totals: totalsField });
export const uploadBatchRequest = z.object({
  stan,
  batchNo,
  transactions: z
    .array(z.object({ stan, kind: z.enum(['SALE', 'VOID', 'REFUND']), method, amount: recordedAmountField, currency: currencyField, rrn: rrn.optional(), originalRrn: rrn.optional() }))
    .min(1)
    .max(500),
});
export const endBatchUploadRequest = z.object({ stan, batchNo });
export const signOffRequest = z.object({ stan });

/** Every terminal request, by what the controller calls it; each maps its body to its command and nothing else. */
export const TERMINAL_REQUESTS = {
  signOn: terminalRequest('sign-on', signOnRequest, async (r, c) => ({
    type: 'SignOn', stan: r.stan, fingerprint: c.fingerprint, operatorId: r.operatorId, passwordValid: await c.passwordValid(r.operatorId, r.password),
  })),
  sale: terminalRequest('sales', captureSaleRequest, (r, c) => ({
    type: 'Sale', stan: r.stan, fingerprint: c.fingerprint, batchNo: r.batchNo, amount: amountOf(r.amount), currency: currencyOf(r.currency), method: r.method,
    // The card number goes no further than here: the command holds its first six and last four.
    maskedPan: r.method === 'BANK_CARD' && r.card ? maskPan(r.card.pan) : undefined, hasQrToken: r.method === 'QR' && !!r.qr,
    ...(r.method === 'BANK_CARD' && r.cardType ? { cardType: r.cardType } : {}),
  })),
  void: terminalRequest('voids', voidSaleRequest, (r, c) => ({ type: 'Void', stan: r.stan, fingerprint: c.fingerprint, batchNo: r.batchNo, originalRrn: r.originalRrn })),
  refund: terminalRequest('refunds', refundSaleRequest, (r, c) => ({
    type: 'Refund', stan: r.stan, fingerprint: c.fingerprint, batchNo: r.batchNo, originalRrn: r.originalRrn, amount: amountOf(r.amount),
  })),
  reverse: terminalRequest('reversals', reverseTransactionRequest, (r, c) => ({
    type: 'Reverse', stan: r.stan, fingerprint: c.fingerprint, batchNo: r.batchNo, originalStan: r.originalStan, reason: r.reason,
  })),
  settle: terminalRequest('settlement', settleBatchRequest, async (r, c) => ({
    type: 'Settle', stan: r.stan, fingerprint: c.fingerprint, batchNo: r.batchNo, operatorId: r.operatorId, passwordValid: await c.passwordValid(r.operatorId, r.password),
    totals: r.totals.map((t) => ({ currency: currencyOf(t.currency), debitCount: t.debitCount, debitAmount: amountOf(t.debitAmount), creditCount: t.creditCount, creditAmount: amountOf(t.creditAmount) })),
  })),
  upload: terminalRequest('batch-upload', uploadBatchRequest, (r, c) => ({
    type: 'UploadBatch', stan: r.stan, fingerprint: c.fingerprint, batchNo: r.batchNo,
    transactions: r.transactions.map((t) => ({ ...t, amount: amountOf(t.amount), currency: currencyOf(t.currency) })),
  })),
  endUpload: terminalRequest('batch-upload/end', endBatchUploadRequest, (r, c) => ({ type: 'EndBatchUpload', stan: r.stan, fingerprint: c.fingerprint, batchNo: r.batchNo })),
  signOff: terminalRequest('sign-off', signOffRequest, (r, c) => ({ type: 'SignOff', stan: r.stan, fingerprint: c.fingerprint })),
} as const;

/** One command for every terminal request: which request, for which terminal, with what it came with. */
export class TerminalRequestCommand extends Command<TerminalAnswer> {
  constructor(
    readonly op: TerminalRequest<z.ZodType<RequestBody>>,
    readonly terminalId: string,
    readonly authorization: string | undefined,
    readonly body: unknown,
    readonly meta: RequestMeta,
  ) {
    super();
  }
}

/**
 * The one handler of terminal requests: authenticate the terminal, parse the body, then
 * load → decide → append through the runner, with the request's fingerprint for retries.
 */
@CommandHandler(TerminalRequestCommand)
export class TerminalRequestHandler implements ICommandHandler<TerminalRequestCommand, TerminalAnswer> {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
    @Inject(TerminalCredentials) private readonly credentials: TerminalCredentials,
  ) {}

  async execute({ op, terminalId: raw, authorization, body, meta }: TerminalRequestCommand): Promise<TerminalAnswer> {
    // An id out of format names no terminal: refused as unknown, before its key is looked for.
    const parsed = wire.terminalId.safeParse(raw);
    if (!parsed.success) throw TerminalErrors.TERMINAL_UNKNOWN(`terminal ${raw} is not registered`, undefined, 'unauthenticated');
    const terminalId = parsed.data;
    await this.credentials.authenticate(terminalId, authorization);
    return this.runAuthenticated(op, terminalId, body, meta.correlationId);
  }

  /**
   * A request of a terminal already authenticated (by its API key here, by its MAC on the
   * ISO 8583 front): parse, fingerprint, run. Both fronts share it, so validation, retries and
   * response codes are the same on both.
   */
  async runAuthenticated(op: TerminalRequest<z.ZodType<RequestBody>>, terminalId: TerminalId, body: unknown, correlationId: string): Promise<TerminalAnswer> {
    const request = parseRequest(op.schema, body);
    const fingerprint = fingerprintOf(op.route, request);
    const actor = request.operatorId ? { type: 'operator' as const, id: `${terminalId}/${request.operatorId}` } : { type: 'terminal' as const, id: terminalId };
    const context: RequestContext = {
      terminalId, fingerprint, passwordValid: (operator, pass) => this.credentials.operatorPasswordValid(terminalId, operator, pass),
    };
    return this.runner.run(terminalId, { correlationId, actor, batchNo: request.batchNo, stan: request.stan, fingerprint }, () => op.command(request, context));
  }
}
