import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { hashChainReport, registerTerminalAnswer, terminalStreamId, unlockOperatorAnswer, wire } from '@pos/contracts';
import type { ServiceStore } from '@pos/eventing';
import { ApiContract, BackOffice, type BackOfficeMeta, parseQuery, parseRequest, SERVICE_STORE } from '@pos/platform';
import { TerminalErrors } from '@pos/terminal-domain';
import { z } from 'zod';
import { RegisterTerminal, registerTerminalRequest } from './register-terminal/register-terminal';
import { TerminalCommandRunner } from './terminal-command.runner';

const terminalPath = z.object({ terminalId: wire.terminalId });
const operatorPath = terminalPath.extend({ operatorId: wire.operatorId });

/** The acquirer's back office: registers terminals and unlocks operators (operations), verifies a terminal's chain (any role). */
@ApiTags('back office')
@Controller('v1/admin/terminals')
export class AdminController {
  constructor(
    @Inject(RegisterTerminal) private readonly registration: RegisterTerminal,
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
    @Inject(SERVICE_STORE) private readonly store: ServiceStore,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiContract({
    summary: 'Register a terminal with its merchant, operators and pricing; answers its API key once',
    auth: 'operations',
    body: registerTerminalRequest,
    status: 201,
    answer: registerTerminalAnswer,
    errors: { 400: ['AMOUNT_INVALID', 'CURRENCY_UNKNOWN'], 409: ['TERMINAL_ALREADY_REGISTERED', 'TERMINAL_BUSY'] },
  })
  register(@Body() body: unknown, @BackOffice() meta: BackOfficeMeta) {
    const request = parseRequest(registerTerminalRequest, body);
    return this.registration.execute(request, { correlationId: meta.correlationId, actor: meta.actor });
  }

  @Post(':terminalId/operators/:operatorId/unlock')
  @HttpCode(200)
  @ApiContract({
    summary: 'Unlock an operator locked after repeated wrong passwords',
    auth: 'operations',
    params: operatorPath,
    status: 200,
    answer: unlockOperatorAnswer,
    errors: { 400: ['QUERY_INVALID'], 401: ['OPERATOR_UNKNOWN'], 404: ['TERMINAL_UNKNOWN'], 409: ['TERMINAL_BUSY'] },
  })
  async unlock(@Param() params: unknown, @BackOffice() meta: BackOfficeMeta) {
    const { terminalId, operatorId } = parseQuery(operatorPath, params);
    const answer = await this.runner.run(terminalId, { correlationId: meta.correlationId, actor: meta.actor }, () => ({ type: 'UnlockOperator', operatorId }));
    // No event (the operator was not locked) gets the runner's bare answer.
    return { responseCode: '00', operatorId, unlocked: answer.unlocked === true };
  }

  @Get(':terminalId/verify')
  @ApiContract({
    summary: "Verify the hash chain of a terminal's event stream (any edit, deletion or reordering is reported)",
    auth: 'read',
    params: terminalPath,
    status: 200,
    answer: hashChainReport,
    errors: { 400: ['QUERY_INVALID'], 404: ['TERMINAL_UNKNOWN'] },
  })
  async verify(@Param() params: unknown) {
    const { terminalId } = parseQuery(terminalPath, params);
    const report = await this.store.verifyStream(terminalStreamId(terminalId));
    if (report.ok && report.events === 0) throw TerminalErrors.TERMINAL_UNKNOWN(`terminal ${terminalId} is not registered`);
    return report;
  }
}
