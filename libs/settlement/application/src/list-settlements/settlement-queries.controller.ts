import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { SETTLEMENT_EVENTS } from '@pos/contracts';
import { activeCollection, type ServiceStore, toJsonSafe } from '@pos/eventing';
import { DomainError } from '@pos/kernel';
import { SERVICE_STORE } from '@pos/platform';
import { type AccountBalance, LEDGER_BALANCES } from '../ledger-balances/ledger-balances.projector';

const need = (name: string, value: string | undefined, re: RegExp) => {
  if (!value || !re.test(value)) throw new DomainError('QUERY_INVALID', `query parameter ${name} is missing or malformed`, '30', 'validation');
  return value;
};

/** Read side of settlement: the settled batches (straight from their streams) and ledger balances. */
@ApiTags('settlement')
@Controller('v1/settlement')
export class SettlementQueriesController {
  constructor(@Inject(SERVICE_STORE) private readonly store: ServiceStore) {}

  @Get('settlements')
  @ApiOperation({ summary: "A terminal's settled batches of a business day, with fees, net, payout date and journal" })
  @ApiQuery({ name: 'terminalId' })
  @ApiQuery({ name: 'businessDay' })
  async settlements(@Query('terminalId') terminalId?: string, @Query('businessDay') businessDay?: string) {
    const t = need('terminalId', terminalId, /^[A-Z0-9]{8}$/);
    const d = need('businessDay', businessDay, /^\d{4}-\d{2}-\d{2}$/);
    const streams = await this.store.listStreams(`settlement-${t}-${d}-`);
    const settled = [];
    for (const s of streams) for (const e of await this.store.readStream(s, SETTLEMENT_EVENTS)) if (e.type === 'BatchSettled') settled.push(toJsonSafe(e.data));
    return { settlements: settled };
  }

  @Get('balances')
  @ApiOperation({ summary: "A merchant's ledger balances per currency and account" })
  @ApiQuery({ name: 'merchantId' })
  async balances(@Query('merchantId') merchantId?: string) {
    const m = need('merchantId', merchantId, /^[A-Z0-9]{15}$/);
    const rows = await this.store.listDocuments<AccountBalance>(await activeCollection(this.store, LEDGER_BALANCES), `${m}|`);
    return {
      balances: rows.map(({ key, doc }) => {
        const [, currency, account] = key.split('|');
        return toJsonSafe({ currency, account, debit: doc.debit, credit: doc.credit });
      }),
    };
  }
}
