import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { terminalStreamId } from '@pos/contracts';
import type { ServiceStore } from '@pos/eventing';
import { DomainError } from '@pos/kernel';
import { LEDGER_CONFIG, type LedgerConfig, Meta, parseRequest, type RequestMeta, requireAdmin, SERVICE_STORE } from '@pos/platform';
import { z } from 'zod';
import { RegisterTerminalCommand, registerTerminalRequest } from './register-terminal/register-terminal.command';
import { UnlockOperatorCommand } from './unlock-operator/unlock-operator.command';

const ADMIN = { type: 'admin' as const, id: 'back-office' };

/** The acquirer's back office: registers terminals and unlocks operators. */
@ApiTags('back office')
@ApiBearerAuth()
@Controller('v1/admin/terminals')
export class AdminController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(SERVICE_STORE) private readonly store: ServiceStore,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a terminal with its merchant, operators and pricing; answers its API key once' })
  @ApiBody({ schema: z.toJSONSchema(registerTerminalRequest, { io: 'input', unrepresentable: 'any' }) as object })
  register(@Headers('authorization') auth: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    requireAdmin(auth, this.config.adminToken);
    const request = parseRequest(registerTerminalRequest, body);
    return this.commands.execute(new RegisterTerminalCommand(request, { correlationId: meta.correlationId, actor: ADMIN }));
  }

  @Post(':terminalId/operators/:operatorId/unlock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unlock an operator locked after repeated wrong passwords' })
  unlock(@Headers('authorization') auth: string, @Param('terminalId') terminalId: string, @Param('operatorId') operatorId: string, @Meta() meta: RequestMeta) {
    requireAdmin(auth, this.config.adminToken);
    return this.commands.execute(new UnlockOperatorCommand(terminalId, operatorId, { correlationId: meta.correlationId, actor: ADMIN }));
  }

  @Get(':terminalId/verify')
  @ApiOperation({ summary: "Verify the hash chain of a terminal's event stream (any edit, deletion or reordering is reported)" })
  async verify(@Headers('authorization') auth: string, @Param('terminalId') terminalId: string) {
    requireAdmin(auth, this.config.adminToken);
    const report = await this.store.verifyStream(terminalStreamId(terminalId));
    if (report.ok && report.events === 0) throw new DomainError('TERMINAL_UNKNOWN', `terminal ${terminalId} is not registered`, '97', 'not_found');
    return report;
  }
}
