import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { calendarDay, dailyTotalsAnswer, wire } from '@pos/contracts';
import { activeCollection, type ServiceStore, toJsonSafe } from '@pos/eventing';
import { ApiContract, parseQuery, SERVICE_STORE } from '@pos/platform';
import { dailyTotalsKeyPrefix, type DailyTotalsRow, summarise } from '@pos/reconciliation-domain';
import { z } from 'zod';
import { DOCS } from '../reconciliation.projector';

const dailyTotalsQuery = z.object({ businessDay: calendarDay, merchantId: wire.merchantId.optional(), terminalId: wire.terminalId.optional() });

/** Daily totals per merchant, terminal, business day and payment method, with a per-currency summary. */
@ApiTags('reconciliation')
@Controller('v1/reconciliation/daily-totals')
export class DailyTotalsController {
  constructor(@Inject(SERVICE_STORE) private readonly store: ServiceStore) {}

  @Get()
  @ApiContract({
    auth: 'read',
    summary: 'Daily totals of a business day, optionally for one merchant or terminal',
    query: dailyTotalsQuery,
    status: 200,
    answer: dailyTotalsAnswer,
    errors: { 400: ['QUERY_INVALID'] },
  })
  async get(@Query() query: unknown) {
    const { businessDay, merchantId, terminalId } = parseQuery(dailyTotalsQuery, query);
    const prefix = dailyTotalsKeyPrefix({ businessDay, merchantId, terminalId: merchantId ? terminalId : undefined });
    let rows = (await this.store.listDocuments<DailyTotalsRow>(await activeCollection(this.store, DOCS.dailyTotals), prefix)).map((r) => r.doc);
    if (terminalId && !merchantId) rows = rows.filter((r) => r.terminalId === terminalId);
    return { businessDay, rows: toJsonSafe(rows), summary: toJsonSafe(summarise(rows)) };
  }
}
