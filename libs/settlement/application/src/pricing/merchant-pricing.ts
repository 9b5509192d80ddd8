import { PRICING_EVENTS, type PricingPlan, pricingStreamId } from '@pos/contracts';
import type { ServiceStore, StoreTx } from '@pos/eventing';
import { addDays, businessDayOf, maxDay } from '@pos/kernel';
import { DEFAULT_PAYOUT_CALENDAR, planInForce, publishPlan, type PublishedPlan, SettlementErrors } from '@pos/settlement-domain';
import { actorName, type ChangeContext, changeEvent, SETTLEMENT_DOCS } from '../settlement.context';
import { calendarOf } from './calendars';

type StreamReader = Pick<StoreTx['events'], 'readStream'> | Pick<ServiceStore, 'readStream'>;

/**
 * Held shared by each settlement of the merchant's batches and exclusive by a publication: a
 * version is published between settlements, never during one, so the day it checks against the
 * merchant's settled days is never being settled on the plan before it.
 */
export const pricingLockOf = (merchantId: string): string => `pricing-${merchantId}`;

/** A published version as the back office lists it. */
export type PlanVersion = PublishedPlan & { readonly publishedAt: string };

export const planHistory = async (reader: StreamReader, merchantId: string): Promise<PlanVersion[]> =>
  (await reader.readStream(pricingStreamId(merchantId), PRICING_EVENTS)).map((e) => ({ ...e.data, publishedAt: e.metadata.occurredAt }));

/** Of the published versions, the one a batch of `businessDay` settles on; none before the first is in force (the terminals' registration plans apply then). */
export const publishedInForce = (versions: readonly PlanVersion[], businessDay: string | undefined) =>
  businessDay !== undefined && versions.some((v) => v.plan.effectiveFrom <= businessDay) ? { businessDay, ...planInForce(versions, [], businessDay) } : undefined;

/**
 * The merchant's open business day: today (by the clock, UTC business days as everywhere in the
 * ledger), or the day after the latest one it has a settled batch of, if later (a terminal that
 * settled twice in a day is already on tomorrow's).
 */
export const openDayOf = (now: Date, lastSettled: string | undefined): string =>
  lastSettled === undefined ? businessDayOf(now) : maxDay(businessDayOf(now), addDays(lastSettled, 1));

/**
 * Publishes the next version of a merchant's plan (PricingPlanPublished on `pricing-<merchantId>`).
 * Refused, writing nothing: PRICING_PLAN_RETROACTIVE for an effective day before the open one,
 * PRICING_PLAN_INVALID for a plan that contradicts itself or names a calendar the ledger lacks.
 */
export const publishMerchantPlan = (store: ServiceStore, merchantId: string, plan: PricingPlan, ctx: ChangeContext): Promise<PlanVersion> =>
  store.transaction(async (tx) => {
    await tx.lock(pricingLockOf(merchantId), 'exclusive');
    const history = await planHistory(tx.events, merchantId);
    const settled = await tx.documents.get<{ businessDay: string }>(SETTLEMENT_DOCS.settledDays, merchantId);
    const country = plan.payoutCalendar ?? DEFAULT_PAYOUT_CALENDAR;
    if (!(await calendarOf(tx.events, country)))
      throw SettlementErrors.PRICING_PLAN_INVALID(`pricing plan ${plan.planId}: no working-day calendar for ${country} is loaded (PUT /v1/settlement/calendars/${country})`, { planId: plan.planId, payoutCalendar: country });
    const event = publishPlan({ merchantId, plan, publishedBy: actorName(ctx.actor), openDay: openDayOf(ctx.now(), settled?.businessDay) }, history);
    const [recorded] = await tx.events.append(pricingStreamId(merchantId), history.length, [changeEvent(event, ctx)]);
    return { ...event.data, publishedAt: recorded.metadata.occurredAt };
  });
