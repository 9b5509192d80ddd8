import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { activeCollection, type ServiceStore, toJsonSafe } from '@pos/eventing';
import { DomainError } from '@pos/kernel';
import { SERVICE_STORE } from '@pos/platform';
import { dailyTotalsKeyPrefix, type DailyTotalsRow, summarise } from '@pos/reconciliation-domain';
import { DOCS } from '../reconciliation.projector';

const invalid = (name: string) => new DomainError('QUERY_INVALID', `query parameter ${name} is missing or malformed`, '30', 'validation');

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
  async get(@Query('businessDay') businessDay?: string, @Query('merchantId') merchantId?: string, @Query('terminalId') terminalId?: string) {
    if (!businessDay || !/^\d{4}-\d{2}-\d{2}$/.test(businessDay)) throw invalid('businessDay');
    if (merchantId !== undefined && !/^[A-Z0-9]{15}$/.test(merchantId)) throw invalid('merchantId');
    if (terminalId !== undefined && !/^[A-Z0-9]{8}$/.test(terminalId)) throw invalid('terminalId');
    const prefix = dailyTotalsKeyPrefix({ businessDay, merchantId, terminalId: merchantId ? terminalId : undefined });
    let rows = (await this.store.listDocuments<DailyTotalsRow>(await activeCollection(this.store, DOCS.dailyTotals), prefix)).map((r) => r.doc);
    if (terminalId && !merchantId) rows = rows.filter((r) => r.terminalId === terminalId);
    return { businessDay, rows: toJsonSafe(rows), summary: toJsonSafe(summarise(rows)) };
  }
}
