import { Body, Controller, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@pos/kernel';
import { Meta, parseRequest, type RequestMeta } from '@pos/platform';
import { z } from 'zod';
import { CaptureSaleCommand, captureSaleRequest } from './capture-sale/capture-sale.command';
import { fingerprintOf } from './credentials';
import { RefundSaleCommand, refundSaleRequest } from './refund-sale/refund-sale.command';
import { ReverseTransactionCommand, reverseTransactionRequest } from './reverse-transaction/reverse-transaction.command';
import { SettleBatchCommand, settleBatchRequest } from './settle-batch/settle-batch.command';
import { SignOffCommand, signOffRequest } from './sign-off/sign-off.command';
import { SignOnCommand, signOnRequest } from './sign-on/sign-on.command';
import { TerminalCredentials } from './terminal-credentials';
import { EndBatchUploadCommand, endBatchUploadRequest } from './upload-batch/end-batch-upload.command';
import { UploadBatchCommand, uploadBatchRequest } from './upload-batch/upload-batch.command';
import { VoidSaleCommand, voidSaleRequest } from './void-sale/void-sale.command';

type RequestCommand = new (terminalId: string, request: never, origin: never) => object;

const openApi = (schema: z.ZodType) => ({ schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as object });

/** The terminal-facing API: every request authenticated per terminal, idempotent by batch and trace number. */
@ApiTags('terminal')
@ApiBearerAuth()
@Controller('v1/terminals/:terminalId')
export class TerminalApiController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(TerminalCredentials) private readonly credentials: TerminalCredentials,
  ) {}

  private async send(Cmd: RequestCommand & { route: string }, schema: z.ZodType, terminalId: string, auth: string | undefined, body: unknown, meta: RequestMeta) {
    if (!/^[A-Z0-9]{8}$/.test(terminalId)) throw new DomainError('TERMINAL_UNKNOWN', `terminal ${terminalId} is not registered`, '97', 'unauthenticated');
    await this.credentials.authenticate(terminalId, auth);
    const request = parseRequest(schema, body) as Record<string, unknown> & { stan: string; batchNo?: string; operatorId?: string };
    const fingerprint = fingerprintOf(Cmd.route, request);
    const actor = request.operatorId ? { type: 'operator' as const, id: `${terminalId}/${request.operatorId}` } : { type: 'terminal' as const, id: terminalId };
    return this.commands.execute(new Cmd(terminalId, request as never, { correlationId: meta.correlationId, actor, batchNo: request.batchNo, stan: request.stan, fingerprint } as never) as never);
  }

  @Post('sign-on')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign on an operator; answers the batch number and business day' })
  @ApiBody(openApi(signOnRequest))
  signOn(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.send(SignOnCommand, signOnRequest, id, auth, body, meta);
  }

  @Post('sales')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sale by bank card or QR' })
  @ApiBody(openApi(captureSaleRequest))
  sale(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.send(CaptureSaleCommand, captureSaleRequest, id, auth, body, meta);
  }

  @Post('voids')
  @HttpCode(200)
  @ApiOperation({ summary: 'Void a sale of the open batch' })
  @ApiBody(openApi(voidSaleRequest))
  void(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.send(VoidSaleCommand, voidSaleRequest, id, auth, body, meta);
  }

  @Post('refunds')
  @HttpCode(200)
  @ApiOperation({ summary: 'Refund part or all of a sale' })
  @ApiBody(openApi(refundSaleRequest))
  refund(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.send(RefundSaleCommand, refundSaleRequest, id, auth, body, meta);
  }

  @Post('reversals')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reverse a transaction the terminal could not complete' })
  @ApiBody(openApi(reverseTransactionRequest))
  reverse(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.send(ReverseTransactionCommand, reverseTransactionRequest, id, auth, body, meta);
  }

  @Post('settlement')
  @HttpCode(200)
  @ApiOperation({ summary: "Settle the open batch with the terminal's totals: 00 balanced, 95 unbalanced (upload the batch)" })
  @ApiBody(openApi(settleBatchRequest))
  settle(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.send(SettleBatchCommand, settleBatchRequest, id, auth, body, meta);
  }

  @Post('batch-upload')
  @HttpCode(200)
  @ApiOperation({ summary: 'Upload the batch after an unbalanced settlement (≤ 500 per request)' })
  @ApiBody(openApi(uploadBatchRequest))
  upload(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.send(UploadBatchCommand, uploadBatchRequest, id, auth, body, meta);
  }

  @Post('batch-upload/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End the batch upload: the host closes the batch with every difference recorded' })
  @ApiBody(openApi(endBatchUploadRequest))
  endUpload(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.send(EndBatchUploadCommand, endBatchUploadRequest, id, auth, body, meta);
  }

  @Post('sign-off')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign off; refused while the batch holds unsettled transactions' })
  @ApiBody(openApi(signOffRequest))
  signOff(@Param('terminalId') id: string, @Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    return this.send(SignOffCommand, signOffRequest, id, auth, body, meta);
  }
}
