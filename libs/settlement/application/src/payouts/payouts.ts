import { type BatchSettled, PAYOUT_EVENTS, type PayoutBatch, type PayoutCarriedForward, type PayoutScheduled, payoutStreamId } from '@pos/contracts';
import type { DocumentStoreTx, ServiceStore } from '@pos/eventing';
import { parseCurrency } from '@pos/money';
import { EMPTY_PAYOUT_ACCOUNT, evolvePayoutAccount, isDueBy, runPayout } from '@pos/settlement-domain';
import { workingDaysFor } from '../pricing/calendars';
import { type ChangeContext, changeEvent, SETTLEMENT_DOCS } from '../settlement.context';

/** A settled batch part waiting for its payout run, with the calendar its plan pays on. */
export interface DuePart {
  readonly merchantId: string;
  readonly currency: string;
  readonly calendar: string;
  readonly part: PayoutBatch;
}

const dueKey = (merchantId: string, currency: string, part: Pick<PayoutBatch, 'settlementId' | 'schedule'>): string =>
  `${merchantId}|${currency}|${part.settlementId}|${part.schedule}`;

/** Records a settlement's payout parts as due (in the consumer's transaction, with the BatchSettled). */
export const recordDueParts = async (docs: Pick<DocumentStoreTx, 'put'>, settled: BatchSettled['data'], calendar: string): Promise<void> => {
  const { merchantId, settlementId, terminalId, batchNo, businessDay } = settled;
  for (const p of settled.payoutParts ?? []) {
    const part: PayoutBatch = { settlementId, terminalId, batchNo, businessDay, schedule: p.schedule, payoutDate: p.payoutDate, amount: p.amount };
    await docs.put(SETTLEMENT_DOCS.payoutsDue, dueKey(merchantId, p.currency, part), { merchantId, currency: p.currency, calendar, part } satisfies DuePart);
  }
};

export type PayoutRunEvent = PayoutScheduled | PayoutCarriedForward;

export interface PayoutRunAnswer {
  readonly payoutDate: string;
  readonly payouts: readonly PayoutScheduled['data'][];
  readonly carried: readonly PayoutCarriedForward['data'][];
}

/**
 * The payout run of a date, for every merchant and currency with parts due by it (docs/api.md,
 * "Payouts"): each nets its parts with what earlier runs carried into one PayoutScheduled, or a
 * PayoutCarriedForward when the net is not positive, on `payouts-<merchant>-<currency>`, and the
 * parts it took stop being due, all in one transaction. A second run of the same date finds
 * nothing new and records nothing; two runs at once: one wins, the other conflicts.
 */
export const runPayouts = (store: ServiceStore, payoutDate: string, ctx: ChangeContext): Promise<PayoutRunAnswer> =>
  store.transaction(async (tx) => {
    const due = (await tx.documents.list<DuePart>(SETTLEMENT_DOCS.payoutsDue, '')).map((r) => ({ key: r.key, ...r.doc }));
    const calendars = await workingDaysFor(tx.events, due.map((d) => d.calendar));
    const groups = new Map<string, typeof due>();
    for (const d of due.filter((x) => isDueBy(x.part, payoutDate, calendars[x.calendar]))) {
      const k = `${d.merchantId}|${d.currency}`;
      groups.set(k, [...(groups.get(k) ?? []), d]);
    }
    const payouts: PayoutScheduled['data'][] = [];
    const carried: PayoutCarriedForward['data'][] = [];
    for (const [, parts] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const { merchantId, currency } = parts[0];
      const stream = payoutStreamId(merchantId, currency);
      const history = await tx.events.readStream(stream, PAYOUT_EVENTS);
      const account = history.reduce(evolvePayoutAccount, EMPTY_PAYOUT_ACCOUNT);
      const decision = runPayout({ merchantId, currency: parseCurrency(currency), payoutDate, due: parts.map((p) => p.part) }, account);
      if (!decision) continue;
      await tx.events.append(stream, history.length, [changeEvent(decision, ctx)]);
      for (const p of parts) await tx.documents.delete(SETTLEMENT_DOCS.payoutsDue, p.key);
      if (decision.type === 'PayoutScheduled') payouts.push(decision.data);
      else carried.push(decision.data);
    }
    return { payoutDate, payouts, carried };
  });

/** One run as a merchant's history lists it. */
export type PayoutRunRecord =
  | ({ readonly type: 'PayoutScheduled'; readonly recordedAt: string } & PayoutScheduled['data'])
  | ({ readonly type: 'PayoutCarriedForward'; readonly recordedAt: string } & PayoutCarriedForward['data']);

/** A merchant's payout runs (every currency, oldest first) and the parts still due. */
export const merchantPayouts = async (store: ServiceStore, merchantId: string) => {
  const streams = (await store.listStreams(`${payoutStreamId(merchantId, '')}`)).sort();
  const runs: PayoutRunRecord[] = [];
  for (const s of streams)
    for (const e of await store.readStream(s, PAYOUT_EVENTS))
      runs.push(e.type === 'PayoutScheduled' ? { type: e.type, recordedAt: e.metadata.occurredAt, ...e.data } : { type: e.type, recordedAt: e.metadata.occurredAt, ...e.data });
  const due = (await store.listDocuments<DuePart>(SETTLEMENT_DOCS.payoutsDue, `${merchantId}|`)).map((r) => ({ currency: r.doc.currency, ...r.doc.part }));
  return { merchantId, runs: runs.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt)), due };
};
