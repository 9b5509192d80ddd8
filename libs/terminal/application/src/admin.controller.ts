import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { hashChainReport, registerTerminalAnswer, terminalListAnswer, terminalListEntry, terminalStreamId, unlockOperatorAnswer, wire } from '@pos/contracts';
import { activeCollection, type ServiceStore, toJsonSafe } from '@pos/eventing';
import { ApiContract, BackOffice, type BackOfficeMeta, parseQuery, parseRequest, SERVICE_STORE } from '@pos/platform';
import { TerminalErrors, type TerminalListRow } from '@pos/terminal-domain';
import { z } from 'zod';
import { RegisterTerminal, registerTerminalRequest } from './register-terminal/register-terminal';
import { TerminalCommandRunner } from './terminal-command.runner';
import { TERMINAL_LIST } from './terminal-list/terminal-list.projector';

const terminalPath = z.object({ terminalId: wire.terminalId });
const operatorPath = terminalPath.extend({ operatorId: wire.operatorId });
const listQuery = z.object({ merchantId: wire.merchantId.optional() });

/** The acquirer's back office: registers terminals and unlocks operators (operations); lists terminals and verifies a terminal's chain (any role). */
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

  @Get()
  @ApiContract({
    summary: 'Every terminal (or a merchant\'s): signed on or off and by whom, its open batch per currency, last activity, locked operators, the merchant\'s time zone',
    description: 'From the terminal-list projection, which follows the terminal events within moments (see GET /v1/ops/projections for its lag).',
    auth: 'read',
    query: listQuery,
    status: 200,
    answer: terminalListAnswer,
    errors: {},
  })
  async list(@Query() query: unknown) {
    const { merchantId } = parseQuery(listQuery, query);
    const rows = await this.store.listDocuments<TerminalListRow>(await activeCollection(this.store, TERMINAL_LIST), '');
    return { terminals: rows.filter(({ doc }) => merchantId === undefined || doc.merchantId === merchantId).map(({ doc }) => toJsonSafe(doc)) };
  }

  @Get(':terminalId')
  @ApiContract({
    summary: 'One terminal as the terminal list shows it',
    auth: 'read',
    params: terminalPath,
    status: 200,
    answer: terminalListEntry,
    errors: { 404: ['TERMINAL_UNKNOWN'] },
  })
  async get(@Param() params: unknown) {
    const { terminalId } = parseQuery(terminalPath, params);
    const row = await this.store.getDocument<TerminalListRow>(await activeCollection(this.store, TERMINAL_LIST), terminalId);
    if (!row) throw TerminalErrors.TERMINAL_UNKNOWN(`terminal ${terminalId} is not registered`, undefined, 'not_found');
    return toJsonSafe(row);
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
