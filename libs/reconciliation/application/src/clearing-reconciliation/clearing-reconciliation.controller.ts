import type { Readable } from 'node:stream';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { activeCollection, committedDocuments, type ServiceStore, toJsonSafe } from '@pos/eventing';
import { type Clock, DomainError } from '@pos/kernel';
import { CLOCK, LEDGER_CONFIG, type LedgerConfig, Meta, parseRequest, type RequestMeta, requireAdmin, SERVICE_STORE } from '@pos/platform';
import { ageOf, type BreakState, DEFAULT_TOLERANCES, MANUAL_RESOLUTIONS, reconciliationReport } from '@pos/reconciliation-domain';
import { z } from 'zod';
import { BREAK_KEYS, BREAKS, type ReconciledSummary, type RunSummary } from '../breaks/breaks.projector';
import { loadHostDay, HOST_LEDGER } from '../host-ledger/host-ledger.projector';
import { filesOfDay } from '../import-clearing-file/clearing-store';
import { importClearingFile } from '../import-clearing-file/import-clearing-file';
import { changeBreak, reconcileDay } from '../reconcile-day/reconcile-day';

const ADMIN = { type: 'admin' as const, id: 'back-office' };
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const day = (value: string | undefined, name = 'businessDay'): string => {
  if (!value || !DAY.test(value)) throw new DomainError('QUERY_INVALID', `${name} is missing or malformed (YYYY-MM-DD)`, '30', 'validation');
  return value;
};

const tolerancesRequest = z.object({
  amountMinor: z.string().regex(/^\d{1,12}$/).optional(),
  feeMinor: z.string().regex(/^\d{1,12}$/).optional(),
  timeSeconds: z.number().int().min(0).max(7 * 86_400).optional(),
}).strict();
const assignRequest = z.object({ assignee: z.string().min(1).max(128), note: z.string().max(2000).optional() }).strict();
const resolveRequest = z.object({ reason: z.enum(MANUAL_RESOLUTIONS as [string, ...string[]]), note: z.string().min(1).max(2000) }).strict();
const breakIdOk = (id: string) => {
  if (!/^[0-9a-f]{24}$/.test(id)) throw new DomainError('QUERY_INVALID', 'breakId is malformed', '30', 'validation');
  return id;
};

/** Loads what the day's report is built from, out of the breaks projection. */
export const reportInputs = async (store: ServiceStore, businessDay: string) => {
  const collection = await activeCollection(store, BREAKS);
  const breaks = (await store.listDocuments<BreakState>(collection, BREAK_KEYS.breaksOf(businessDay))).map((r) => r.doc);
  const run = await store.getDocument<RunSummary>(collection, BREAK_KEYS.run(businessDay));
  const reconciled = await store.getDocument<ReconciledSummary>(collection, BREAK_KEYS.reconciled(businessDay));
  return { breaks, matched: run?.matched ?? [], fileIds: run?.fileIds ?? [], lastRunAt: run?.at, reconciledAt: reconciled?.at };
};

/**
 * Three-way reconciliation against acquirer clearing files: import (streamed, validated,
 * idempotent), matching runs, breaks with their lifecycle, and the day's report.
 */
@ApiTags('reconciliation')
@Controller('v1/reconciliation')
export class ClearingReconciliationController {
  constructor(
    @Inject(SERVICE_STORE) private readonly store: ServiceStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private ctx(meta: RequestMeta) {
    return { actor: ADMIN, now: () => this.clock.now(), correlationId: meta.correlationId };
  }

  @Post('clearing-files')
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiConsumes('text/csv')
  @ApiOperation({ summary: "Import an acquirer clearing file (CSV body, streamed): accepted whole or refused with every line's reason; the same file twice changes nothing" })
  async importFile(@Headers('authorization') auth: string, @Req() req: Readable & { headers: Record<string, string | undefined> }, @Meta() meta: RequestMeta) {
    requireAdmin(auth, this.config.adminToken);
    if (!/^text\/(csv|plain)\b/.test(req.headers['content-type'] ?? ''))
      throw new DomainError('REQUEST_INVALID', 'send the clearing file as the body with content-type text/csv', '30', 'validation');
    return toJsonSafe(await importClearingFile(this.store, req, this.ctx(meta)));
  }

  @Get('clearing-files')
  @ApiOperation({ summary: 'The clearing files imported for a business day' })
  @ApiQuery({ name: 'businessDay' })
  async files(@Query('businessDay') businessDay?: string) {
    return { files: await filesOfDay(this.store, day(businessDay)) };
  }

  @Post('days/:businessDay/reconcile')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Match the terminals, the host and the clearing files of a business day; records new breaks, clears those no longer found, and DayReconciled when nothing is open' })
  @ApiBody({ schema: z.toJSONSchema(tolerancesRequest, { io: 'input' }) as object, required: false })
  async reconcile(@Headers('authorization') auth: string, @Param('businessDay') businessDay: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    requireAdmin(auth, this.config.adminToken);
    const t = parseRequest(tolerancesRequest, body ?? {});
    const tolerances = {
      amountMinor: t.amountMinor !== undefined ? BigInt(t.amountMinor) : DEFAULT_TOLERANCES.amountMinor,
      feeMinor: t.feeMinor !== undefined ? BigInt(t.feeMinor) : DEFAULT_TOLERANCES.feeMinor,
      timeSeconds: t.timeSeconds ?? DEFAULT_TOLERANCES.timeSeconds,
    };
    return toJsonSafe(await reconcileDay(this.store, day(businessDay, 'businessDay'), tolerances, this.ctx(meta)));
  }

  @Get('breaks')
  @ApiOperation({ summary: 'Breaks of a business day, optionally by status and type, with their history' })
  @ApiQuery({ name: 'businessDay' })
  @ApiQuery({ name: 'status', required: false, enum: ['OPEN', 'ASSIGNED', 'RESOLVED'] })
  @ApiQuery({ name: 'type', required: false })
  async breaks(@Query('businessDay') businessDay?: string, @Query('status') status?: string, @Query('type') type?: string) {
    const { breaks } = await reportInputs(this.store, day(businessDay));
    const now = this.clock.now();
    return toJsonSafe({ breaks: breaks.filter((b) => (!status || b.status === status) && (!type || b.type === type)).map((b) => ({ ...b, age: ageOf(b, now) })) });
  }

  @Post('breaks/:breakId/assign')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Assign a break to someone' })
  @ApiBody({ schema: z.toJSONSchema(assignRequest, { io: 'input' }) as object })
  async assign(@Headers('authorization') auth: string, @Param('breakId') breakId: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    requireAdmin(auth, this.config.adminToken);
    const r = parseRequest(assignRequest, body);
    return toJsonSafe(await changeBreak(this.store, breakIdOk(breakId), { type: 'AssignBreak', assignee: r.assignee, note: r.note }, this.ctx(meta)));
  }

  @Post('breaks/:breakId/resolve')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Resolve a break with a reason and a note; the last open break of a day reconciles it' })
  @ApiBody({ schema: z.toJSONSchema(resolveRequest, { io: 'input' }) as object })
  async resolve(@Headers('authorization') auth: string, @Param('breakId') breakId: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    requireAdmin(auth, this.config.adminToken);
    const r = parseRequest(resolveRequest, body);
    return toJsonSafe(await changeBreak(this.store, breakIdOk(breakId), { type: 'ResolveBreak', reason: r.reason as (typeof MANUAL_RESOLUTIONS)[number], note: r.note }, this.ctx(meta)));
  }

  @Get('reconciliation-report')
  @ApiOperation({ summary: "A business day's reconciliation per merchant and overall: matched counts and amounts, breaks by type, ageing" })
  @ApiQuery({ name: 'businessDay' })
  @ApiQuery({ name: 'merchantId', required: false })
  async report(@Query('businessDay') businessDay?: string, @Query('merchantId') merchantId?: string) {
    if (merchantId !== undefined && !/^[A-Z0-9]{15}$/.test(merchantId)) throw new DomainError('QUERY_INVALID', 'merchantId is malformed', '30', 'validation');
    const d = day(businessDay);
    return toJsonSafe(reconciliationReport({ businessDay: d, merchantId }, await reportInputs(this.store, d), this.clock.now()));
  }

  @Get('host-ledger')
  @ApiOperation({ summary: "The host side of a business day: every transaction (with its expected fee) and closed batch; what a clearing file is matched against" })
  @ApiQuery({ name: 'businessDay' })
  async hostLedger(@Query('businessDay') businessDay?: string) {
    return toJsonSafe(await loadHostDay(committedDocuments(this.store), await activeCollection(this.store, HOST_LEDGER), day(businessDay)));
  }
}
