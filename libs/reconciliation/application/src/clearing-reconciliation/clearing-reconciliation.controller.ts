import type { Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type BreakResolution, breaksAnswer, breakStateSchema, calendarDay, clearingFilesAnswer, clearingImportAnswer, hostLedgerAnswer, reconcileDayAnswer, reconciliationReportAnswer,
  reconciliationSchemas, wire,
} from '@pos/contracts';
import { activeCollection, committedDocuments, type ServiceStore, toJsonSafe } from '@pos/eventing';
import type { Clock } from '@pos/kernel';
import { ApiContract, BackOffice, type BackOfficeMeta, CLOCK, EdgeErrors, parseQuery, parseRequest, SERVICE_STORE } from '@pos/platform';
import {
  ageOf, BREAK_ASSIGNEE_MAX, BREAK_NOTE_MAX, type BreakCommand, type BreakState, checkBreakCommand, DEFAULT_TOLERANCES, MANUAL_RESOLUTIONS, reconciliationReport,
} from '@pos/reconciliation-domain';
import { z } from 'zod';
import { BREAK_KEYS, BREAKS, type ReconciledSummary, type RunSummary } from '../breaks/breaks.projector';
import { loadHostDay, HOST_LEDGER } from '../host-ledger/host-ledger.projector';
import { filesOfDay } from '../import-clearing-file/clearing-store';
import { importClearingFile } from '../import-clearing-file/import-clearing-file';
import { changeBreak, reconcileDay } from '../reconcile-day/reconcile-day';

const dayQuery = z.object({ businessDay: calendarDay });
const dayPath = dayQuery;
const dayOfMerchantQuery = dayQuery.extend({ merchantId: wire.merchantId.optional() });
const breaksQuery = dayQuery.extend({
  status: breakStateSchema.shape.status.optional(),
  type: reconciliationSchemas.ReconciliationBreakDetected.shape.type.optional(),
});
const breakPath = z.object({ breakId: reconciliationSchemas.ReconciliationBreakDetected.shape.breakId });
const queryInvalid = { 400: ['QUERY_INVALID'] };

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
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private ctx(meta: BackOfficeMeta) {
    return { actor: meta.actor, now: () => this.clock.now(), correlationId: meta.correlationId };
  }

  @Post('clearing-files')
  @HttpCode(201)
  @ApiContract({
    summary: "Import an acquirer clearing file (CSV body, streamed): accepted whole or refused with every line's reason; the same file twice changes nothing",
    auth: 'finance',
    csvBody: 'the clearing file (README: clearing file format)',
    status: 201,
    answer: clearingImportAnswer,
    errors: { 400: ['REQUEST_INVALID', 'CLEARING_FILE_REJECTED'] },
  })
  async importFile(@Req() req: Readable & { headers: Record<string, string | undefined> }, @BackOffice() meta: BackOfficeMeta) {
    if (!/^text\/(csv|plain)\b/.test(req.headers['content-type'] ?? ''))
      throw EdgeErrors.REQUEST_INVALID('send the clearing file as the body with content-type text/csv');
    return toJsonSafe(await importClearingFile(this.store, req, this.ctx(meta)));
  }

  @Get('clearing-files')
  @ApiContract({ auth: 'read', summary: 'The clearing files imported for a business day', query: dayQuery, status: 200, answer: clearingFilesAnswer, errors: queryInvalid })
  async files(@Query() query: unknown) {
    return { files: await filesOfDay(this.store, parseQuery(dayQuery, query).businessDay) };
  }

  @Post('days/:businessDay/reconcile')
  @ApiContract({
    summary: 'Match the terminals, the host and the clearing files of a business day; records new breaks, clears those no longer found, and DayReconciled when nothing is open',
    auth: 'finance',
    params: dayPath,
    body: tolerancesRequest,
    bodyOptional: true,
    status: 201,
    answer: reconcileDayAnswer,
    errors: { 400: ['QUERY_INVALID'], 404: ['DAY_UNKNOWN'], 409: ['STREAM_VERSION_CONFLICT'] },
  })
  async reconcile(@Param() params: unknown, @Body() body: unknown, @BackOffice() meta: BackOfficeMeta) {
    const t = parseRequest(tolerancesRequest, body ?? {});
    const tolerances = {
      amountMinor: t.amountMinor !== undefined ? BigInt(t.amountMinor) : DEFAULT_TOLERANCES.amountMinor,
      feeMinor: t.feeMinor !== undefined ? BigInt(t.feeMinor) : DEFAULT_TOLERANCES.feeMinor,
      timeSeconds: t.timeSeconds ?? DEFAULT_TOLERANCES.timeSeconds,
    };
    return toJsonSafe(await reconcileDay(this.store, parseQuery(dayPath, params).businessDay, tolerances, this.ctx(meta)));
  }

  @Get('breaks')
  @ApiContract({ auth: 'read', summary: 'Breaks of a business day, optionally by status and type, with their history', query: breaksQuery, status: 200, answer: breaksAnswer, errors: queryInvalid })
  async breaks(@Query() query: unknown) {
    const { businessDay, status, type } = parseQuery(breaksQuery, query);
    const { breaks } = await reportInputs(this.store, businessDay);
    const now = this.clock.now();
    return toJsonSafe({ breaks: breaks.filter((b) => (!status || b.status === status) && (!type || b.type === type)).map((b) => ({ ...b, age: ageOf(b, now) })) });
  }

  @Post('breaks/:breakId/assign')
  @ApiContract({
    summary: 'Assign a break to someone',
    auth: 'finance',
    params: breakPath,
    body: assignRequest,
    status: 201,
    answer: breakStateSchema,
    errors: { 400: ['QUERY_INVALID', 'BREAK_ASSIGNEE_INVALID'], 404: ['BREAK_UNKNOWN'], 409: ['BREAK_ALREADY_RESOLVED', 'BREAK_ALREADY_ASSIGNED', 'STREAM_VERSION_CONFLICT'] },
  })
  async assign(@Param() params: unknown, @Body() body: unknown, @BackOffice() meta: BackOfficeMeta) {
    judgedByTheBreak(body, (f) => (f.assignee === undefined ? undefined : { type: 'AssignBreak', assignee: f.assignee }));
    const r = parseRequest(assignRequest, body);
    return toJsonSafe(await changeBreak(this.store, parseQuery(breakPath, params).breakId, { type: 'AssignBreak', assignee: r.assignee, note: r.note }, this.ctx(meta)));
  }

  @Post('breaks/:breakId/resolve')
  @ApiContract({
    summary: 'Resolve a break with a reason and a note; the last open break of a day reconciles it',
    auth: 'finance',
    params: breakPath,
    body: resolveRequest,
    status: 201,
    answer: breakStateSchema,
    errors: { 400: ['QUERY_INVALID', 'BREAK_RESOLUTION_INVALID', 'BREAK_NOTE_REQUIRED'], 404: ['BREAK_UNKNOWN'], 409: ['BREAK_ALREADY_RESOLVED', 'STREAM_VERSION_CONFLICT'] },
  })
  async resolve(@Param() params: unknown, @Body() body: unknown, @BackOffice() meta: BackOfficeMeta) {
    judgedByTheBreak(body, (f) => (f.reason === undefined || f.note === undefined ? undefined : { type: 'ResolveBreak', reason: f.reason as BreakResolution, note: f.note }));
    const r = parseRequest(resolveRequest, body);
    return toJsonSafe(await changeBreak(this.store, parseQuery(breakPath, params).breakId, { type: 'ResolveBreak', reason: r.reason, note: r.note }, this.ctx(meta)));
  }

  @Get('reconciliation-report')
  @ApiContract({
    auth: 'read',
    summary: "A business day's reconciliation per merchant and overall: matched counts and amounts, breaks by type, ageing",
    query: dayOfMerchantQuery,
    status: 200,
    answer: reconciliationReportAnswer,
    errors: queryInvalid,
  })
  async report(@Query() query: unknown) {
    const { businessDay, merchantId } = parseQuery(dayOfMerchantQuery, query);
    return toJsonSafe(reconciliationReport({ businessDay, merchantId }, await reportInputs(this.store, businessDay), this.clock.now()));
  }

  @Get('host-ledger')
  @ApiContract({
    auth: 'read',
    summary: 'The host side of a business day: every transaction (with its expected fee) and closed batch; what a clearing file is matched against',
    query: dayQuery,
    status: 200,
    answer: hostLedgerAnswer,
    errors: queryInvalid,
  })
  async hostLedger(@Query() query: unknown) {
    return toJsonSafe(await loadHostDay(committedDocuments(this.store), await activeCollection(this.store, HOST_LEDGER), parseQuery(dayQuery, query).businessDay));
  }
}
