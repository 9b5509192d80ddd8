import type { Readable } from 'node:stream';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { BreakResolution } from '@pos/contracts';
import { activeCollection, committedDocuments, type ServiceStore, toJsonSafe } from '@pos/eventing';
import { type Clock, DomainError } from '@pos/kernel';
import { CLOCK, LEDGER_CONFIG, type LedgerConfig, Meta, parseRequest, type RequestMeta, requireAdmin, SERVICE_STORE } from '@pos/platform';
import {
  ageOf, BREAK_ASSIGNEE_MAX, BREAK_NOTE_MAX, BREAK_STATUSES, BREAK_TYPES, type BreakCommand, type BreakState, checkBreakCommand,
  DEFAULT_TOLERANCES, MANUAL_RESOLUTIONS, reconciliationReport,
} from '@pos/reconciliation-domain';
import { z } from 'zod';
import { BREAK_KEYS, BREAKS, type ReconciledSummary, type RunSummary } from '../breaks/breaks.projector';
import { loadHostDay, HOST_LEDGER } from '../host-ledger/host-ledger.projector';
import { filesOfDay } from '../import-clearing-file/clearing-store';
import { importClearingFile } from '../import-clearing-file/import-clearing-file';
import { businessDayParam as day, idParam, oneOfParam } from '../queries';
import { changeBreak, reconcileDay } from '../reconcile-day/reconcile-day';

const ADMIN = { type: 'admin' as const, id: 'back-office' };

const tolerancesRequest = z.object({
  amountMinor: z.string().regex(/^\d{1,12}$/).optional(),
  feeMinor: z.string().regex(/^\d{1,12}$/).optional(),
  timeSeconds: z.number().int().min(0).max(7 * 86_400).optional(),
}).strict();
// The schemas say what the break's rules say (checkBreakCommand): not blank, not too long, a reason people may give.
const notBlank = (max: number) => z.string().max(max).regex(/\S/, 'must not be blank');
const assignRequest = z.object({ assignee: notBlank(BREAK_ASSIGNEE_MAX), note: z.string().max(BREAK_NOTE_MAX).optional() }).strict();
const resolveRequest = z.object({ reason: z.enum(MANUAL_RESOLUTIONS as [BreakResolution, ...BreakResolution[]]), note: notBlank(BREAK_NOTE_MAX) }).strict();

/**
 * The values of a break command's body that the break's rules judge answer the rules' codes
 * (docs/errors.md: BREAK_RESOLUTION_INVALID, BREAK_NOTE_REQUIRED, BREAK_ASSIGNEE_INVALID), for
 * "" as for "  "; the schema then refuses a body of the wrong shape (a field missing, not a
 * string, or unknown) as REQUEST_INVALID.
 */
const judgedByTheBreak = (body: unknown, command: (strings: Readonly<Record<string, string>>) => BreakCommand | undefined): void => {
  const fields = typeof body === 'object' && body !== null ? Object.entries(body) : [];
  const given = command(Object.fromEntries(fields.filter((f): f is [string, string] => typeof f[1] === 'string')));
  if (given) checkBreakCommand(given);
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
  @ApiQuery({ name: 'status', required: false, enum: BREAK_STATUSES })
  @ApiQuery({ name: 'type', required: false, enum: BREAK_TYPES })
  async breaks(@Query('businessDay') businessDay?: string, @Query('status') statusQuery?: string, @Query('type') typeQuery?: string) {
    const status = oneOfParam(statusQuery, BREAK_STATUSES, 'status');
    const type = oneOfParam(typeQuery, BREAK_TYPES, 'type');
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
    judgedByTheBreak(body, (f) => (f.assignee === undefined ? undefined : { type: 'AssignBreak', assignee: f.assignee }));
    const r = parseRequest(assignRequest, body);
    return toJsonSafe(await changeBreak(this.store, idParam('breakId', breakId), { type: 'AssignBreak', assignee: r.assignee, note: r.note }, this.ctx(meta)));
  }

  @Post('breaks/:breakId/resolve')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Resolve a break with a reason and a note; the last open break of a day reconciles it' })
  @ApiBody({ schema: z.toJSONSchema(resolveRequest, { io: 'input' }) as object })
  async resolve(@Headers('authorization') auth: string, @Param('breakId') breakId: string, @Body() body: unknown, @Meta() meta: RequestMeta) {
    requireAdmin(auth, this.config.adminToken);
    judgedByTheBreak(body, (f) => (f.reason === undefined || f.note === undefined ? undefined : { type: 'ResolveBreak', reason: f.reason as BreakResolution, note: f.note }));
    const r = parseRequest(resolveRequest, body);
    return toJsonSafe(await changeBreak(this.store, idParam('breakId', breakId), { type: 'ResolveBreak', reason: r.reason, note: r.note }, this.ctx(meta)));
  }

  @Get('reconciliation-report')
  @ApiOperation({ summary: "A business day's reconciliation per merchant and overall: matched counts and amounts, breaks by type, ageing" })
  @ApiQuery({ name: 'businessDay' })
  @ApiQuery({ name: 'merchantId', required: false })
  async report(@Query('businessDay') businessDay?: string, @Query('merchantId') merchantId?: string) {
    if (merchantId !== undefined) idParam('merchantId', merchantId);
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
