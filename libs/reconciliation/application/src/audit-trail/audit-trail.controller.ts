import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type ServiceStore, toJsonSafe } from '@pos/eventing';
import { SERVICE_STORE } from '@pos/platform';
import { auditExportLines, dayReport } from '@pos/reconciliation-domain';
import { businessDayParam, idParam, queryInvalid } from '../queries';
import { type AuditScope, loadAuditTrail } from './audit-trail.queries';

/** The audit trail (every event in order, with actor, time, hash and running totals) and the finance team's day report. */
@ApiTags('reconciliation')
@Controller('v1/reconciliation')
export class AuditTrailController {
  constructor(@Inject(SERVICE_STORE) private readonly store: ServiceStore) {}

  @Get('audit-trail/:terminalId/:businessDay')
  @ApiOperation({ summary: "A terminal's audit trail for one business day" })
  async get(@Param('terminalId') terminalId: string, @Param('businessDay') businessDay: string) {
    idParam('terminalId', terminalId);
    businessDayParam(businessDay);
    const entries = await loadAuditTrail(this.store, { kind: 'terminal-day', terminalId, businessDay });
    return { terminalId, businessDay, entries: entries.map((e, i) => ({ seq: i + 1, ...e })) };
  }

  @Get('audit-trail')
  @ApiOperation({ summary: "A merchant's audit trail for one business day (every terminal, in the order events occurred), or one terminal's batch; with running totals before and after each event" })
  @ApiQuery({ name: 'businessDay' })
  @ApiQuery({ name: 'merchantId', required: false })
  @ApiQuery({ name: 'terminalId', required: false })
  @ApiQuery({ name: 'batchNo', required: false })
  async export(@Query('businessDay') businessDay?: string, @Query('merchantId') merchantId?: string, @Query('terminalId') terminalId?: string, @Query('batchNo') batchNo?: string) {
    const day = businessDayParam(businessDay);
    let scope: AuditScope;
    if (merchantId !== undefined && terminalId === undefined && batchNo === undefined) scope = { kind: 'merchant-day', merchantId: idParam('merchantId', merchantId), businessDay: day };
    else if (terminalId !== undefined && merchantId === undefined)
      scope = batchNo === undefined
        ? { kind: 'terminal-day', terminalId: idParam('terminalId', terminalId), businessDay: day }
        : { kind: 'batch', terminalId: idParam('terminalId', terminalId), businessDay: day, batchNo: idParam('batchNo', batchNo) };
    else throw queryInvalid('exactly one of merchantId or terminalId (with an optional batchNo)');
    return toJsonSafe({ scope, lines: auditExportLines(await loadAuditTrail(this.store, scope)) });
  }

  @Get('day-report')
  @ApiOperation({ summary: "A business day's report for the finance team: batches balanced or unbalanced with every difference, fees, net, payouts and journal checks, per merchant and overall" })
  @ApiQuery({ name: 'businessDay' })
  @ApiQuery({ name: 'merchantId', required: false })
  async dayReport(@Query('businessDay') businessDay?: string, @Query('merchantId') merchantId?: string) {
    const day = businessDayParam(businessDay);
    if (merchantId !== undefined) idParam('merchantId', merchantId);
    const scope: AuditScope = merchantId ? { kind: 'merchant-day', merchantId, businessDay: day } : { kind: 'day', businessDay: day };
    return toJsonSafe(dayReport(await loadAuditTrail(this.store, scope), { businessDay: day, merchantId }));
  }
}
