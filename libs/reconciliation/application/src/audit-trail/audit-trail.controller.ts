import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { auditExportAnswer, auditTrailAnswer, calendarDay, dayReportAnswer, wire } from '@pos/contracts';
import { type ServiceStore, toJsonSafe } from '@pos/eventing';
import { ApiContract, EdgeErrors, parseQuery, SERVICE_STORE } from '@pos/platform';
import { auditExportLines, dayReport } from '@pos/reconciliation-domain';
import { z } from 'zod';
import { type AuditScope, loadAuditTrail } from './audit-trail.queries';

const trailPath = z.object({ terminalId: wire.terminalId, businessDay: calendarDay });
const exportQuery = z.object({
  businessDay: calendarDay,
  merchantId: wire.merchantId.optional().describe('a merchant\'s day; or give terminalId'),
  terminalId: wire.terminalId.optional().describe("a terminal's day; or give merchantId"),
  batchNo: wire.batchNo.optional().describe('with terminalId: one batch'),
});
const dayReportQuery = z.object({ businessDay: calendarDay, merchantId: wire.merchantId.optional() });
/** A trail entry that breaks its contract is a fault of the ledger (500), named so. */
const errors = { 400: ['QUERY_INVALID'], 500: ['AUDIT_ENTRY_INVALID'] };

/** The audit trail (every event in order, with actor, time, hash and running totals) and the finance team's day report. */
@ApiTags('reconciliation')
@Controller('v1/reconciliation')
export class AuditTrailController {
  constructor(@Inject(SERVICE_STORE) private readonly store: ServiceStore) {}

  @Get('audit-trail/:terminalId/:businessDay')
  @ApiContract({ auth: 'read', summary: "A terminal's audit trail for one business day", params: trailPath, status: 200, answer: auditTrailAnswer, errors: { 400: ['QUERY_INVALID'] } })
  async get(@Param() params: unknown) {
    const { terminalId, businessDay } = parseQuery(trailPath, params);
    const entries = await loadAuditTrail(this.store, { kind: 'terminal-day', terminalId, businessDay });
    return { terminalId, businessDay, entries: entries.map((e, i) => ({ seq: i + 1, ...e })) };
  }

  @Get('audit-trail')
  @ApiContract({
    auth: 'read',
    summary: "A merchant's audit trail for one business day (every terminal, in the order events occurred), or one terminal's batch; with running totals before and after each event",
    description: 'Exactly one of merchantId or terminalId (with an optional batchNo).',
    query: exportQuery,
    status: 200,
    answer: auditExportAnswer,
    errors,
  })
  async export(@Query() query: unknown) {
    const { businessDay, merchantId, terminalId, batchNo } = parseQuery(exportQuery, query);
    let scope: AuditScope;
    if (merchantId !== undefined && terminalId === undefined && batchNo === undefined) scope = { kind: 'merchant-day', merchantId, businessDay };
    else if (terminalId !== undefined && merchantId === undefined)
      scope = batchNo === undefined ? { kind: 'terminal-day', terminalId, businessDay } : { kind: 'batch', terminalId, businessDay, batchNo };
    else throw EdgeErrors.QUERY_INVALID('give exactly one of merchantId or terminalId (with an optional batchNo)');
    return toJsonSafe({ scope, lines: auditExportLines(await loadAuditTrail(this.store, scope)) });
  }

  @Get('day-report')
  @ApiContract({
    auth: 'read',
    summary: "A business day's report for the finance team: batches balanced or unbalanced with every difference, fees, net, payouts and journal checks, per merchant and overall",
    query: dayReportQuery,
    status: 200,
    answer: dayReportAnswer,
    errors,
  })
  async dayReport(@Query() query: unknown) {
    const { businessDay, merchantId } = parseQuery(dayReportQuery, query);
    const scope: AuditScope = merchantId ? { kind: 'merchant-day', merchantId, businessDay } : { kind: 'day', businessDay };
    return toJsonSafe(dayReport(await loadAuditTrail(this.store, scope), { businessDay, merchantId }));
  }
}
