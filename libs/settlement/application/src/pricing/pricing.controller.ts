import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  calendarAnswer, calendarDay, merchantPayoutsAnswer, payoutRunAnswer, planHistoryAnswer, planVersionAnswer, pricingPlanSchema, wire, workingCalendarSchema,
} from '@pos/contracts';
import { type ServiceStore, toJsonSafe } from '@pos/eventing';
import type { Clock } from '@pos/kernel';
import { ApiContract, BackOffice, type BackOfficeMeta, CLOCK, EdgeErrors, parseQuery, parseRequest, SERVICE_STORE } from '@pos/platform';
import { SettlementErrors } from '@pos/settlement-domain';
import { z } from 'zod';
import { merchantPayouts, runPayouts } from '../payouts/payouts';
import type { ChangeContext } from '../settlement.context';
import { calendarOf, loadCalendar } from './calendars';
import { planHistory, publishedInForce, publishMerchantPlan } from './merchant-pricing';

const merchantPath = z.object({ merchantId: wire.merchantId });
const historyQuery = z.object({ businessDay: calendarDay.optional().describe('also answer which published version a batch of this day settles on') });
const countryPath = z.object({ country: workingCalendarSchema.shape.country });
const runRequest = z.strictObject({ payoutDate: calendarDay });
const merchantQuery = z.object({ merchantId: wire.merchantId });

/**
 * The finance team's pricing and payouts: merchant plan versions (never retroactive), the
 * working-day calendars payouts roll on (operations), and the daily payout run.
 */
@ApiTags('settlement')
@Controller('v1/settlement')
export class PricingController {
  constructor(
    @Inject(SERVICE_STORE) private readonly store: ServiceStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private ctx(meta: BackOfficeMeta): ChangeContext {
    return { actor: meta.actor, now: () => this.clock.now(), correlationId: meta.correlationId };
  }

  @Post('merchants/:merchantId/pricing-plans')
  @HttpCode(201)
  @ApiContract({
    summary: "Publish the next version of a merchant's pricing plan, in force from its effectiveFrom (never before the merchant's open business day)",
    auth: 'finance',
    params: merchantPath,
    body: pricingPlanSchema,
    status: 201,
    answer: planVersionAnswer,
    errors: { 400: ['PRICING_PLAN_INVALID'], 409: ['PRICING_PLAN_RETROACTIVE', 'STREAM_VERSION_CONFLICT'] },
  })
  async publish(@Param() params: unknown, @Body() body: unknown, @BackOffice() meta: BackOfficeMeta) {
    const { merchantId } = parseQuery(merchantPath, params);
    return toJsonSafe(await publishMerchantPlan(this.store, merchantId, parseRequest(pricingPlanSchema, body), this.ctx(meta)));
  }

  @Get('merchants/:merchantId/pricing-plans')
  @ApiContract({ auth: 'read', summary: "A merchant's published plan versions, oldest first; with businessDay, the version a batch of that day settles on", params: merchantPath, query: historyQuery, status: 200, answer: planHistoryAnswer, errors: {} })
  async history(@Param() params: unknown, @Query() query: unknown) {
    const { merchantId } = parseQuery(merchantPath, params);
    const { businessDay } = parseQuery(historyQuery, query);
    const versions = await planHistory(this.store, merchantId);
    const chosen = publishedInForce(versions, businessDay);
    return toJsonSafe({ merchantId, versions, ...(chosen ? { inForce: { businessDay: chosen.businessDay, planId: chosen.plan.planId, version: chosen.version, plan: chosen.plan } } : {}) });
  }

  @Put('calendars/:country')
  @ApiContract({
    summary: "Load or replace a country's working-day calendar (holidays and make-up working days); payout runs roll by it from now on",
    auth: 'operations',
    params: countryPath,
    body: workingCalendarSchema,
    status: 200,
    answer: calendarAnswer,
    errors: { 400: ['CALENDAR_INVALID'], 409: ['STREAM_VERSION_CONFLICT'] },
  })
  async load(@Param() params: unknown, @Body() body: unknown, @BackOffice() meta: BackOfficeMeta) {
    const { country } = parseQuery(countryPath, params);
    const calendar = parseRequest(workingCalendarSchema, body);
    if (calendar.country !== country) throw EdgeErrors.REQUEST_INVALID(`the calendar is for ${calendar.country}, not ${country}`);
    return toJsonSafe(await loadCalendar(this.store, calendar, this.ctx(meta)));
  }

  @Get('calendars/:country')
  @ApiContract({ auth: 'read', summary: "A country's working-day calendar in force: the last loaded, else the one shipped", params: countryPath, status: 200, answer: calendarAnswer, errors: { 404: ['CALENDAR_UNKNOWN'] } })
  async calendar(@Param() params: unknown) {
    const { country } = parseQuery(countryPath, params);
    const found = await calendarOf(this.store, country);
    if (!found) throw SettlementErrors.CALENDAR_UNKNOWN(`no working-day calendar for ${country}: load one with PUT /v1/settlement/calendars/${country}`, { country });
    return toJsonSafe(found);
  }

  @Post('payout-runs')
  @HttpCode(201)
  @ApiContract({
    summary: "Run a day's payouts: per merchant and currency, the net of every part due by then (negative nets carried, never paid)",
    auth: 'finance',
    body: runRequest,
    status: 201,
    answer: payoutRunAnswer,
    errors: { 409: ['STREAM_VERSION_CONFLICT'] },
  })
  async run(@Body() body: unknown, @BackOffice() meta: BackOfficeMeta) {
    return toJsonSafe(await runPayouts(this.store, parseRequest(runRequest, body).payoutDate, this.ctx(meta)));
  }

  @Get('payouts')
  @ApiContract({ auth: 'read', summary: "A merchant's payout runs (each with every batch part it paid or carried) and the parts still due", query: merchantQuery, status: 200, answer: merchantPayoutsAnswer, errors: {} })
  async payouts(@Query() query: unknown) {
    return toJsonSafe(await merchantPayouts(this.store, parseQuery(merchantQuery, query).merchantId));
  }
}
