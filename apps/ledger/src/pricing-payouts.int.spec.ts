import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEDGER_EVENTS, PRICING_EVENTS, type PricingPlan, pricingStreamId, SETTLEMENT_EVENTS, settlementStreamId, type WorkingCalendar } from '@pos/contracts';
import { SqliteServiceStore } from '@pos/embedded';
import type { ServiceStore } from '@pos/eventing';
import { PgServiceStore } from '@pos/postgres';
import {
  applyToSettlement, calendarOf, loadCalendar, merchantPayouts, planHistory, pricingLockOf, publishMerchantPlan, runPayouts, SETTLEMENT_DOCS,
} from '@pos/settlement-application';
import { SHIPPED_CALENDARS } from '@pos/settlement-domain';
import { waitFor } from '@pos/testing';
import { sharedPostgres, type SpecDatabase } from '@pos/testing/shared-containers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TerminalDays } from './testing/merchant-day';

const M = 'M00000000000077';
const M2 = 'M00000000000078';
/** Beijing wall-clock time (UTC+8) on a day of December 2026. */
const beijing = (day: number, hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(Date.UTC(2026, 11, day, h - 8, m));
};
const ctxAt = (now: Date) => ({ actor: { type: 'token' as const, id: 'tk-finance', name: 'finance desk', role: 'finance' }, now: () => now, correlationId: `pricing-${now.toISOString()}` });
const REGISTRATION = { planId: 'REG', mdrBps: { BANK_CARD: 60, QR: 38 }, refundReturnsFee: false, payoutSchedule: 'T1', rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' } } as const;
/** The example: debit cards at 0.50% capped at 20.00 CNY, credit 0.60%, QR 0.38%, D0 by the seed's rule. */
const PLAN: PricingPlan = {
  planId: 'DEBIT-CAP-2026-12',
  effectiveFrom: '2026-12-04',
  mdrBps: { BANK_CARD: 60, QR: 38 },
  rates: { DEBIT: { bps: 50, limits: [{ currency: 'CNY', maxFee: 2_000n }] }, CREDIT: { bps: 60 }, QR: { bps: 38 } },
  refundReturnsFee: false,
  payoutSchedule: 'D0',
  rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' },
};

const suite = (name: string, open: () => Promise<{ store: ServiceStore; close(): Promise<void> }>) =>
  describe(`pricing over time and payouts (${name})`, () => {
    let store: ServiceStore;
    let close: () => Promise<void>;
    let offset = 0;
    const writer = new SqliteServiceStore(':memory:');
    const t1 = new TerminalDays('TPRC0001', M, REGISTRATION, beijing(4, '08:00'));
    const t2 = new TerminalDays('TPRC0002', M, REGISTRATION, beijing(4, '08:00'));

    /** Delivers a terminal's new events to settlement as its consumer does, each recorded at the instant it was decided. */
    const feed = async (t: TerminalDays) => {
      const items = t.take();
      const stream = `terminal-${t.terminalId}`;
      const from = (await writer.readStream(stream, LEDGER_EVENTS)).length + 1;
      for (const { event, at } of items)
        await writer.transaction((tx) => tx.events.append(stream, 'ANY', [{ type: event.type, data: event.data, occurredAt: at, context: { correlationId: 'c', causationId: 'c', actor: { type: 'terminal', id: t.terminalId } } }]));
      const recorded = await writer.readStream(stream, LEDGER_EVENTS, from);
      await store.transaction((tx) => applyToSettlement(recorded.map((event) => ({ event, at: { key: 'pos.terminal.events.v1/0', offset: String(offset++) } })), tx));
    };
    const settled = async (terminalId: string, businessDay: string) => {
      const [e] = await store.readStream(settlementStreamId(terminalId, businessDay, '000001'), SETTLEMENT_EVENTS);
      return e?.type === 'BatchSettled' ? e.data : undefined;
    };
    /** A refusal with its code that leaves the store where it was. */
    const refused = async (attempt: () => Promise<unknown>, code: string) => {
      const before = await store.lastPosition();
      await expect(attempt()).rejects.toMatchObject({ code });
      expect(await store.lastPosition()).toBe(before);
    };

    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(async () => {
      await writer.close();
      await close?.();
    });

    it('publishes a plan from the open business day, never before it, and a batch of that day settles on it, naming plan and version', async () => {
      const now = beijing(4, '09:00');
      await refused(() => publishMerchantPlan(store, M, { ...PLAN, effectiveFrom: '2026-12-03' }, ctxAt(now)), 'PRICING_PLAN_RETROACTIVE');
      await refused(() => publishMerchantPlan(store, M, { ...PLAN, rates: { DEBIT: { bps: 50, limits: [{ currency: 'CNY', minFee: 300n, maxFee: 200n }] } } }, ctxAt(now)), 'PRICING_PLAN_INVALID');
      await refused(() => publishMerchantPlan(store, M, { ...PLAN, payoutCalendar: 'ZZ' }, ctxAt(now)), 'PRICING_PLAN_INVALID');
      const v1 = await publishMerchantPlan(store, M, PLAN, ctxAt(now));
      expect(v1).toMatchObject({ merchantId: M, version: 1, plan: PLAN, publishedBy: 'token:finance desk' });

      // A debit sale whose 0.50% (50.00) is capped at 20.00, a credit sale at 0.60%, an untyped card (priced as credit) under the D0 minimum.
      t1.sale(1_000_000n, beijing(4, '10:00'), { cardType: 'DEBIT' });
      t1.sale(10_000n, beijing(4, '11:00'), { cardType: 'CREDIT' });
      t1.sale(1_000n, beijing(4, '12:00'));
      t1.close(beijing(4, '23:30'));
      await feed(t1);

      const s = await settled('TPRC0001', '2026-12-04');
      expect(s).toMatchObject({ pricingPlanId: 'DEBIT-CAP-2026-12', pricingPlanVersion: 1, payoutSchedule: 'D0', roundingRule: 'PER_TRANSACTION_HALF_UP', payoutCalendar: { country: 'CN', version: 0 } });
      expect(s?.lines.map((l) => [l.method, l.cardType, l.mdrBps, l.salesAmount, l.fees])).toEqual([
        ['BANK_CARD', 'CREDIT', 60, 11_000n, 66n],
        ['BANK_CARD', 'DEBIT', 50, 1_000_000n, 2_000n],
      ]);
      // D0: the two sales of 11.00 CNY or more before 23:00, less their fees; the 10.00 sale on Monday 12-07.
      expect(s?.payoutParts).toEqual([
        { currency: 'CNY', schedule: 'D0', payoutDate: '2026-12-04', amount: 998_000n + 9_940n },
        { currency: 'CNY', schedule: 'T1', payoutDate: '2026-12-07', amount: 994n },
      ]);

      // The merchant's 12-04 is settled: a plan from 12-04 would reprice it; from 12-05 it is the next version.
      await refused(() => publishMerchantPlan(store, M, { ...PLAN, planId: 'LATE' }, ctxAt(beijing(4, '23:45'))), 'PRICING_PLAN_RETROACTIVE');
      expect(await planHistory(store, M)).toEqual([{ ...v1 }]);
      expect((await store.readStream(pricingStreamId(M), PRICING_EVENTS)).map((e) => [e.type, e.metadata.actor])).toEqual([['PricingPlanPublished', ctxAt(now).actor]]);
    });

    it("nets a merchant's batches per currency into one payout a day, listing each; runs twice pay once; a negative net is carried, never paid", async () => {
      const qr = t2.sale(20_000n, beijing(4, '09:30'), { method: 'QR' });
      t2.close(beijing(4, '22:00'));
      await feed(t2);

      const d0 = await runPayouts(store, '2026-12-04', ctxAt(beijing(4, '23:50')));
      expect(d0.carried).toEqual([]);
      expect(d0.payouts).toEqual([
        {
          payoutId: `PO-${M}-CNY-2026-12-04-1`, merchantId: M, currency: 'CNY', amount: 1_007_940n, payoutDate: '2026-12-04',
          batches: [{ settlementId: settlementStreamId('TPRC0001', '2026-12-04', '000001'), terminalId: 'TPRC0001', batchNo: '000001', businessDay: '2026-12-04', schedule: 'D0', payoutDate: '2026-12-04', amount: 1_007_940n }],
        },
      ]);
      const position = await store.lastPosition();
      expect(await runPayouts(store, '2026-12-04', ctxAt(beijing(5, '09:00')))).toEqual({ payoutDate: '2026-12-04', payouts: [], carried: [] });
      expect(await store.lastPosition()).toBe(position);

      // Monday: both terminals' T+1 parts (10.00 - 0.06, and 200.00 QR - 0.76) in one transfer.
      const monday = await runPayouts(store, '2026-12-07', ctxAt(beijing(7, '08:00')));
      expect(monday.payouts.map((p) => [p.amount, p.batches.map((b) => [b.terminalId, b.schedule, b.amount])])).toEqual([
        [994n + 19_924n, [['TPRC0001', 'T1', 994n], ['TPRC0002', 'T1', 19_924n]]],
      ]);

      // Terminal 2's next batch only refunds its sale: its net is -200.00 (the plan keeps the fee). The run carries it.
      // (Its business day is 12-05, the day after the one it closed: that batch's T+1 is Monday, so this run pays it late.)
      t2.refund(qr, 20_000n, beijing(7, '10:00'));
      t2.close(beijing(7, '18:00'));
      await feed(t2);
      const carried = await runPayouts(store, '2026-12-08', ctxAt(beijing(8, '08:00')));
      expect(carried.payouts).toEqual([]);
      expect(carried.carried.map((c) => [c.amount, c.batches.map((b) => b.amount)])).toEqual([[-20_000n, [-20_000n]]]);

      // Terminal 1 sells 300.00 (D0 by the seed's rule): the next run nets it with what was carried.
      t1.sale(30_000n, beijing(8, '10:00'));
      t1.close(beijing(8, '20:00'));
      await feed(t1);
      const next = await runPayouts(store, '2026-12-08', ctxAt(beijing(8, '22:00')));
      expect(next.payouts.map((p) => [p.payoutId, p.amount, p.batches.map((b) => [b.terminalId, b.amount])])).toEqual([
        [`PO-${M}-CNY-2026-12-08-4`, 29_820n - 20_000n, [['TPRC0002', -20_000n], ['TPRC0001', 29_820n]]],
      ]);
      const history = await merchantPayouts(store, M);
      expect(history.runs.map((r) => [r.type, r.amount])).toEqual([
        ['PayoutScheduled', 1_007_940n], ['PayoutScheduled', 20_918n], ['PayoutCarriedForward', -20_000n], ['PayoutScheduled', 9_820n],
      ]);
      expect(history.runs.every((r) => r.type === 'PayoutCarriedForward' || r.amount > 0n)).toBe(true);
      expect(history.due).toEqual([]);
    });

    it('a payout due on a day a newly loaded calendar makes a holiday rolls to the next working day; a calendar that contradicts itself is refused', async () => {
      const t3 = new TerminalDays('TPRC0003', M2, REGISTRATION, beijing(8, '08:00'));
      t3.sale(10_000n, beijing(8, '10:00'));
      t3.close(beijing(8, '20:00'));
      await feed(t3);
      expect((await settled('TPRC0003', '2026-12-08'))?.payoutParts).toEqual([{ currency: 'CNY', schedule: 'T1', payoutDate: '2026-12-09', amount: 9_940n }]);

      const shipped = SHIPPED_CALENDARS.CN;
      await refused(() => loadCalendar(store, { ...shipped, workdays: [...shipped.workdays, '2026-12-09'] }, ctxAt(beijing(8, '21:00'))), 'CALENDAR_INVALID');
      const closure: WorkingCalendar = { ...shipped, source: 'test: an extraordinary closure on 2026-12-09', holidays: [...shipped.holidays, { name: 'Closure', from: '2026-12-09', to: '2026-12-09' }] };
      await loadCalendar(store, closure, ctxAt(beijing(8, '21:00')));
      expect(await calendarOf(store, 'CN')).toMatchObject({ source: 'LOADED', calendar: closure, loadedBy: 'token:finance desk' });

      expect((await runPayouts(store, '2026-12-09', ctxAt(beijing(9, '08:00')))).payouts.filter((p) => p.merchantId === M2)).toEqual([]);
      const thursday = await runPayouts(store, '2026-12-10', ctxAt(beijing(10, '08:00')));
      expect(thursday.payouts.map((p) => [p.merchantId, p.amount, p.payoutDate])).toEqual([[M2, 9_940n, '2026-12-10']]);
    });
  });

suite('embedded SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pricing-'));
  const store = new SqliteServiceStore(join(dir, 'settlement.db'));
  return { store, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});

let db: SpecDatabase | undefined;
afterAll(async () => db?.stop());
const openPg = async () => {
  db ??= await sharedPostgres();
  const store = await PgServiceStore.open({ schema: `pr_${randomBytes(3).toString('hex')}`, pool: { connectionString: db.connectionString } });
  return { store, close: () => store.close() };
};
suite('PostgreSQL', openPg);

describe('a plan published while a batch of its day is being settled (PostgreSQL, where the two run at once)', () => {
  it('waits for the settlement to commit, then is refused as retroactive: a day is never settled on two plans', async () => {
    const { store, close } = await openPg();
    const probe = new pg.Client({ connectionString: db!.connectionString });
    await probe.connect();
    try {
      const M3 = 'M00000000000079';
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      // A settlement of M3's 12-04 in flight: it holds the merchant's pricing lock (shared) until it commits.
      const settling = store.transaction(async (tx) => {
        await tx.lock(pricingLockOf(M3), 'shared');
        await tx.documents.put(SETTLEMENT_DOCS.settledDays, M3, { businessDay: '2026-12-04' });
        await gate;
      });
      const waiting = async () => Number((await probe.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows[0].n);
      await waitFor(async () => (await waiting()) === 0 || undefined, 'no advisory lock waiter before the publication');
      const publishing = publishMerchantPlan(store, M3, PLAN, ctxAt(beijing(4, '09:00'))).then(
        () => 'PUBLISHED',
        (e: { code?: string }) => e.code,
      );
      let answered = false;
      void publishing.then(() => (answered = true));
      await waitFor(async () => answered || (await waiting()) > 0, 'the publication to wait for the settlement, or to answer');
      // Not answered while the settlement runs: it waits for it.
      expect(answered).toBe(false);
      release();
      await settling;
      expect(await publishing).toBe('PRICING_PLAN_RETROACTIVE');
      expect(await planHistory(store, M3)).toEqual([]);
    } finally {
      await probe.end();
      await close();
    }
  });
});
