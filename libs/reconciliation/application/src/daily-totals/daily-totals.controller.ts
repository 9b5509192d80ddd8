import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { activeCollection, type ServiceStore, toJsonSafe } from '@pos/eventing';
import { SERVICE_STORE } from '@pos/platform';
import { dailyTotalsKeyPrefix, type DailyTotalsRow, summarise } from '@pos/reconciliation-domain';
import { businessDayParam, idParam } from '../queries';
import { DOCS } from '../reconciliation.projector';

/** Daily totals per merchant, terminal, business day and payment method, with a per-currency summary. */
@ApiTags('reconciliation')
@Controller('v1/reconciliation/daily-totals')
export class DailyTotalsController {
  constructor(@Inject(SERVICE_STORE) private readonly store: ServiceStore) {}

  @Get()
  @ApiOperation({ summary: 'Daily totals of a business day, optionally for one merchant or terminal' })
  @ApiQuery({ name: 'businessDay' })
  @ApiQuery({ name: 'merchantId', required: false })
  @ApiQuery({ name: 'terminalId', required: false })
  async get(@Query('businessDay') day?: string, @Query('merchantId') merchantId?: string, @Query('terminalId') terminalId?: string) {
    const businessDay = businessDayParam(day);
    if (merchantId !== undefined) idParam('merchantId', merchantId);
    if (terminalId !== undefined) idParam('terminalId', terminalId);
    const prefix = dailyTotalsKeyPrefix({ businessDay, merchantId, terminalId: merchantId ? terminalId : undefined });
    let rows = (await this.store.listDocuments<DailyTotalsRow>(await activeCollection(this.store, DOCS.dailyTotals), prefix)).map((r) => r.doc);
    if (terminalId && !merchantId) rows = rows.filter((r) => r.terminalId === terminalId);
    return { businessDay, rows: toJsonSafe(rows), summary: toJsonSafe(summarise(rows)) };
  }
}
