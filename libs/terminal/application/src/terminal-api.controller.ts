import { Body, Controller, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import {
  batchUploadAnswer, endBatchUploadAnswer, reversalAnswer, settlementAnswer, signOffAnswer, signOnAnswer, transactionAnswer, wire,
} from '@pos/contracts';
import { ApiContract, Meta, type RequestMeta } from '@pos/platform';
import { z } from 'zod';
import {
  captureSaleRequest, endBatchUploadRequest, refundSaleRequest, reverseTransactionRequest, settleBatchRequest, signOffRequest, signOnRequest, TERMINAL_REQUESTS,
  TerminalRequestCommand, uploadBatchRequest, voidSaleRequest,
} from './terminal-requests';

const path = z.object({ terminalId: wire.terminalId });
/** Refusals every terminal request can get: its credentials, its trace number, its terminal changing under it. */
const authenticated = ['TERMINAL_UNKNOWN', 'TERMINAL_UNAUTHENTICATED'];
const signedOn = ['TERMINAL_NOT_SIGNED_ON', 'BATCH_NUMBER_MISMATCH', 'DUPLICATE_TRANSMISSION', 'TERMINAL_BUSY'];
const inOpenBatch = [...signedOn, 'BATCH_UPLOAD_IN_PROGRESS', 'ORIGINAL_ALREADY_REVERSED'];
const operator = { 401: [...authenticated, 'OPERATOR_UNKNOWN', 'OPERATOR_PASSWORD_INVALID'], 403: ['OPERATOR_LOCKED'] };

const operation = (
  summary: string,
  body: z.ZodType,
  answer: z.ZodType,
  errors: { 400?: string[]; 401?: string[]; 403?: string[]; 404?: string[]; 409: string[] },
) => ApiContract({ summary, auth: 'terminal', params: path, body, status: 200, answer, errors: { 401: authenticated, ...errors } });

/** The terminal-facing API: every request authenticated per terminal, idempotent by batch and trace number. */
@ApiTags('terminal')
@Controller('v1/terminals/:terminalId')
export class TerminalApiController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  private handle(op: TerminalRequestCommand['op'], terminalId: string, authorization: string | undefined, body: unknown, meta: RequestMeta) {
    return this.commands.execute(new TerminalRequestCommand(op, terminalId, authorization, body, meta));
  }

  @Post('sign-on')
  @HttpCode(200)
  @operation('Sign on an operator; answers the batch number and business day', signOnRequest, signOnAnswer, { ...operator, 409: ['DUPLICATE_TRANSMISSION', 'TERMINAL_BUSY'] })
  signOn(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.handle(TERMINAL_REQUESTS.signOn, id, auth, body, meta);
  }

  @Post('sales')
  @HttpCode(200)
  @operation('Sale by bank card or QR', captureSaleRequest, transactionAnswer, { 400: ['AMOUNT_INVALID', 'AMOUNT_OVER_LIMIT', 'CURRENCY_UNKNOWN', 'CARD_NUMBER_INVALID', 'CARD_DATA_MISSING'], 403: ['CURRENCY_NOT_ACCEPTED'], 409: inOpenBatch })
  sale(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.handle(TERMINAL_REQUESTS.sale, id, auth, body, meta);
  }

  @Post('voids')
  @HttpCode(200)
  @operation('Void a sale of the open batch', voidSaleRequest, transactionAnswer, { 404: ['ORIGINAL_NOT_FOUND'], 409: [...inOpenBatch, 'VOID_OUTSIDE_OPEN_BATCH', 'VOID_NOT_A_SALE', 'ORIGINAL_REVERSED', 'ORIGINAL_ALREADY_VOIDED', 'ORIGINAL_HAS_REFUNDS'] })
  void(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.handle(TERMINAL_REQUESTS.void, id, auth, body, meta);
  }

  @Post('refunds')
  @HttpCode(200)
  @operation('Refund part or all of a sale', refundSaleRequest, transactionAnswer, { 400: ['AMOUNT_INVALID', 'REFUND_EXCEEDS_ORIGINAL'], 404: ['ORIGINAL_NOT_FOUND'], 409: [...inOpenBatch, 'REFUND_NOT_A_SALE', 'ORIGINAL_REVERSED', 'ORIGINAL_ALREADY_VOIDED'] })
  refund(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.handle(TERMINAL_REQUESTS.refund, id, auth, body, meta);
  }

  @Post('reversals')
  @HttpCode(200)
  @operation('Reverse a transaction the terminal could not complete', reverseTransactionRequest, reversalAnswer, { 409: [...inOpenBatch, 'REVERSAL_NOT_ALLOWED'] })
  reverse(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.handle(TERMINAL_REQUESTS.reverse, id, auth, body, meta);
  }

  @Post('settlement')
  @HttpCode(200)
  @operation("Settle the open batch with the terminal's totals: 00 balanced, 95 unbalanced (upload the batch)", settleBatchRequest, settlementAnswer, { ...operator, 400: ['SETTLEMENT_TOTALS_MALFORMED', 'AMOUNT_INVALID', 'CURRENCY_UNKNOWN'], 409: [...signedOn, 'BATCH_UPLOAD_IN_PROGRESS'] })
  settle(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.handle(TERMINAL_REQUESTS.settle, id, auth, body, meta);
  }

  @Post('batch-upload')
  @HttpCode(200)
  @operation('Upload the batch after an unbalanced settlement (≤ 500 per request)', uploadBatchRequest, batchUploadAnswer, { 400: ['SETTLEMENT_TOTALS_MALFORMED', 'AMOUNT_INVALID', 'CURRENCY_UNKNOWN'], 409: [...signedOn, 'BATCH_UPLOAD_NOT_EXPECTED'] })
  upload(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.handle(TERMINAL_REQUESTS.upload, id, auth, body, meta);
  }

  @Post('batch-upload/end')
  @HttpCode(200)
  @operation('End the batch upload: the host closes the batch with every difference recorded', endBatchUploadRequest, endBatchUploadAnswer, { 409: [...signedOn, 'BATCH_UPLOAD_NOT_EXPECTED'] })
  endUpload(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.handle(TERMINAL_REQUESTS.endUpload, id, auth, body, meta);
  }

  @Post('sign-off')
  @HttpCode(200)
  @operation('Sign off; refused while the batch holds unsettled transactions', signOffRequest, signOffAnswer, { 409: ['TERMINAL_NOT_SIGNED_ON', 'DUPLICATE_TRANSMISSION', 'TERMINAL_BUSY', 'SIGN_OFF_UNSETTLED_BATCH'] })
  signOff(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.handle(TERMINAL_REQUESTS.signOff, id, auth, body, meta);
  }
}
