import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { balancesAnswer, calendarDay, SETTLEMENT_EVENTS, settlementsAnswer, wire } from '@pos/contracts';
import { activeCollection, type ServiceStore, toJsonSafe } from '@pos/eventing';
import { ApiContract, parseQuery, SERVICE_STORE } from '@pos/platform';
import { z } from 'zod';
import { type AccountBalance, LEDGER_BALANCES } from '../ledger-balances/ledger-balances.projector';

const settlementsQuery = z.object({ terminalId: wire.terminalId, businessDay: calendarDay });
const balancesQuery = z.object({ merchantId: wire.merchantId });
const invalid = { 400: ['QUERY_INVALID'] };

/** Read side of settlement: the settled batches (straight from their streams) and ledger balances. */
@ApiTags('settlement')
@Controller('v1/settlement')
export class SettlementQueriesController {
  constructor(@Inject(SERVICE_STORE) private readonly store: ServiceStore) {}

  @Get('settlements')
  @ApiContract({ auth: 'read', summary: "A terminal's settled batches of a business day, with fees, net, payout date and journal", query: settlementsQuery, status: 200, answer: settlementsAnswer, errors: invalid })
  async settlements(@Query() query: unknown) {
    const { terminalId, businessDay } = parseQuery(settlementsQuery, query);
    const streams = await this.store.listStreams(`settlement-${terminalId}-${businessDay}-`);
    const settled = [];
    for (const s of streams) for (const e of await this.store.readStream(s, SETTLEMENT_EVENTS)) if (e.type === 'BatchSettled') settled.push(toJsonSafe(e.data));
    return { settlements: settled };
  }

  @Get('balances')
  @ApiContract({ auth: 'read', summary: "A merchant's ledger balances per currency and account", query: balancesQuery, status: 200, answer: balancesAnswer, errors: invalid })
  async balances(@Query() query: unknown) {
    const { merchantId } = parseQuery(balancesQuery, query);
    const rows = await this.store.listDocuments<AccountBalance>(await activeCollection(this.store, LEDGER_BALANCES), `${merchantId}|`);
    return {
      balances: rows.map(({ key, doc }) => {
        const [, currency, account] = key.split('|');
        return toJsonSafe({ currency, account, debit: doc.debit, credit: doc.credit });
      }),
    };
  }
}
