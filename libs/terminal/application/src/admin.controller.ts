import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { hashChainReport, registerTerminalAnswer, terminalStreamId, unlockOperatorAnswer, wire } from '@pos/contracts';
import type { ServiceStore } from '@pos/eventing';
import { ApiContract, LEDGER_CONFIG, type LedgerConfig, Meta, parseQuery, parseRequest, type RequestMeta, requireAdmin, SERVICE_STORE } from '@pos/platform';
import { TerminalErrors } from '@pos/terminal-domain';
import { z } from 'zod';
import { RegisterTerminal, registerTerminalRequest } from './register-terminal/register-terminal';
import { TerminalCommandRunner } from './terminal-command.runner';

const ADMIN = { type: 'admin' as const, id: 'back-office' };
const terminalPath = z.object({ terminalId: wire.terminalId });
const operatorPath = terminalPath.extend({ operatorId: wire.operatorId });

/** The acquirer's back office: registers terminals and unlocks operators. */
@ApiTags('back office')
@Controller('v1/admin/terminals')
export class AdminController {
  constructor(
    @Inject(RegisterTerminal) private readonly registration: RegisterTerminal,
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(SERVICE_STORE) private readonly store: ServiceStore,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiContract({
    summary: 'Register a terminal with its merchant, operators and pricing; answers its API key once',
    auth: 'backOffice',
    body: registerTerminalRequest,
    status: 201,
    answer: registerTerminalAnswer,
    errors: { 400: ['AMOUNT_INVALID', 'CURRENCY_UNKNOWN'], 401: ['ADMIN_UNAUTHENTICATED'], 409: ['TERMINAL_ALREADY_REGISTERED', 'TERMINAL_BUSY'] },
  })
  register(@Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    requireAdmin(auth, this.config.adminToken);
    const request = parseRequest(registerTerminalRequest, body);
    return this.registration.execute(request, { correlationId: meta.correlationId, actor: ADMIN });
  }

  @Post(':terminalId/operators/:operatorId/unlock')
  @HttpCode(200)
  @ApiContract({
    summary: 'Unlock an operator locked after repeated wrong passwords',
    auth: 'backOffice',
    params: operatorPath,
    status: 200,
    answer: unlockOperatorAnswer,
    errors: { 400: ['QUERY_INVALID'], 401: ['ADMIN_UNAUTHENTICATED', 'OPERATOR_UNKNOWN'], 404: ['TERMINAL_UNKNOWN'], 409: ['TERMINAL_BUSY'] },
  })
  async unlock(@Headers('authorization') auth: string, @Param() params: unknown, @Meta() meta: RequestMeta) {
    requireAdmin(auth, this.config.adminToken);
    const { terminalId, operatorId } = parseQuery(operatorPath, params);
    const answer = await this.runner.run(terminalId, { correlationId: meta.correlationId, actor: ADMIN }, () => ({ type: 'UnlockOperator', operatorId }));
    // No event (the operator was not locked) gets the runner's bare answer.
    return { responseCode: '00', operatorId, unlocked: answer.unlocked === true };
  }

  @Get(':terminalId/verify')
  @ApiContract({
    summary: "Verify the hash chain of a terminal's event stream (any edit, deletion or reordering is reported)",
    auth: 'backOffice',
    params: terminalPath,
    status: 200,
    answer: hashChainReport,
    errors: { 400: ['QUERY_INVALID'], 401: ['ADMIN_UNAUTHENTICATED'], 404: ['TERMINAL_UNKNOWN'] },
  })
  async verify(@Headers('authorization') auth: string, @Param() params: unknown) {
    requireAdmin(auth, this.config.adminToken);
    const { terminalId } = parseQuery(terminalPath, params);
    const report = await this.store.verifyStream(terminalStreamId(terminalId));
    if (report.ok && report.events === 0) throw TerminalErrors.TERMINAL_UNKNOWN(`terminal ${terminalId} is not registered`);
    return report;
  }
}
