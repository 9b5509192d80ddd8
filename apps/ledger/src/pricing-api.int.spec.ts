import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, businessDayOf } from '@pos/kernel';
import { readEnv } from '@pos/platform';
import { type RunningProcess, startProcess } from '@pos/runtime';
import { runBuilt } from '@pos/testing';
import { ledgerPlan } from './ledger';

const M = 'MPRICE000000001';
const today = businessDayOf(new Date());
/** The example plan as finance sends it: amounts are strings of minor units, as everywhere on the wire. */
const plan = (over: Record<string, unknown> = {}) => ({
  planId: 'DEBIT-CAP',
  effectiveFrom: today,
  mdrBps: { BANK_CARD: 60, QR: 38 },
  rates: { DEBIT: { bps: 50, limits: [{ currency: 'CNY', maxFee: '2000' }] }, CREDIT: { bps: 60 }, QR: { bps: 38 } },
  refundReturnsFee: false,
  payoutSchedule: 'D0',
  d0: { from: '00:00', to: '23:00', utcOffsetMinutes: 480, minimums: [{ currency: 'CNY', amount: '1100' }] },
  rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' },
  ...over,
});

/** The pricing and payout routes on the real embedded ledger, and the `pricing` CLI on its files: refusals answer their documented codes and write nothing. */
describe('pricing and payouts over the back-office API and the CLI', () => {
  let ledger: RunningProcess;
  let dir: string;
  const ADMIN = 'Bearer dev-admin-token';
  const position = () => ledger.runtime.store('settlement').lastPosition();
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${ledger.url}${path}`, {
      method,
      headers: { authorization: ADMIN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const refused = async (method: string, path: string, body: unknown, status: number, code: string) => {
    const before = await position();
    const res = await send(method, path, body);
    expect([res.status, res.body.error?.code], `${method} ${path} ${JSON.stringify(body)}`).toEqual([status, code]);
    expect(await position()).toBe(before);
    return res.body.error;
  };
  const cli = (...args: string[]) => runBuilt('tools/audit/main.js', ['--no-progress', ...args], { LEDGER_DATA_DIR: dir });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-pricing-api-'));
    ledger = await startProcess(ledgerPlan, { ...readEnv({}), port: 0, iso8583Port: 0, dataDir: dir, scryptCost: 1024 }, {});
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a version from today, refuses yesterday, a misspelt setting and a cap below its floor, and lists the history', async () => {
    const error = await refused('POST', `/v1/settlement/merchants/${M}/pricing-plans`, plan({ effectiveFrom: addDays(today, -1) }), 409, 'PRICING_PLAN_RETROACTIVE');
    expect(error).toMatchObject({ responseCode: '12', details: { openDay: today, effectiveFrom: addDays(today, -1) } });
    await refused('POST', `/v1/settlement/merchants/${M}/pricing-plans`, plan({ refundReturnsFees: true }), 400, 'REQUEST_INVALID');
    await refused('POST', `/v1/settlement/merchants/${M}/pricing-plans`, plan({ rates: { DEBIT: { bps: 50, limits: [{ currency: 'CNY', minFee: '300', maxFee: '200' }] } } }), 400, 'PRICING_PLAN_INVALID');
    await refused('POST', `/v1/settlement/merchants/${M}/pricing-plans`, plan({ payoutSchedule: 'T1' }), 400, 'PRICING_PLAN_INVALID');

    const published = await send('POST', `/v1/settlement/merchants/${M}/pricing-plans`, plan());
    expect(published).toMatchObject({ status: 201, body: { merchantId: M, version: 1, plan: { planId: 'DEBIT-CAP', rates: { DEBIT: { limits: [{ maxFee: '2000' }] } } } } });
    const history = await send('GET', `/v1/settlement/merchants/${M}/pricing-plans?businessDay=${addDays(today, 30)}`);
    expect(history.body).toMatchObject({ merchantId: M, versions: [{ version: 1 }], inForce: { businessDay: addDays(today, 30), planId: 'DEBIT-CAP', version: 1 } });
  });

  it('serves the shipped China calendar until operations load another; refuses one that contradicts itself or names another country', async () => {
    expect((await send('GET', '/v1/settlement/calendars/CN')).body).toMatchObject({ source: 'SHIPPED', calendar: { country: 'CN', from: '2026-01-01', to: '2026-12-31' } });
    await refused('GET', '/v1/settlement/calendars/ZZ', undefined, 404, 'CALENDAR_UNKNOWN');
    const cn = (await send('GET', '/v1/settlement/calendars/CN')).body.calendar;
    await refused('PUT', '/v1/settlement/calendars/CN', { ...cn, workdays: [...cn.workdays, '2026-01-01'] }, 400, 'CALENDAR_INVALID');
    await refused('PUT', '/v1/settlement/calendars/HK', cn, 400, 'REQUEST_INVALID');
    const loaded = await send('PUT', '/v1/settlement/calendars/CN', { ...cn, source: 'reloaded by operations' });
    expect(loaded).toMatchObject({ status: 200, body: { source: 'LOADED', calendar: { source: 'reloaded by operations' } } });
  });

  it('runs a day of payouts (nothing due: nothing recorded) and refuses a date that is not one', async () => {
    await refused('POST', '/v1/settlement/payout-runs', { payoutDate: '2026-02-30' }, 400, 'REQUEST_INVALID');
    const before = await position();
    expect(await send('POST', '/v1/settlement/payout-runs', { payoutDate: today })).toEqual({ status: 201, body: { payoutDate: today, payouts: [], carried: [] } });
    expect(await position()).toBe(before);
    expect((await send('GET', `/v1/settlement/payouts?merchantId=${M}`)).body).toEqual({ merchantId: M, runs: [], due: [] });
  });

  it('the pricing CLI publishes the next version from a file, refuses a retroactive one (exit 3) and lists the history', async () => {
    const file = join(dir, 'plan.json');
    writeFileSync(file, JSON.stringify(plan({ planId: 'DEBIT-CAP-2', effectiveFrom: addDays(today, 1) })));
    const ok = await cli('pricing', 'publish', '--merchant', M, '--file', file, '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ version: 2, plan: { planId: 'DEBIT-CAP-2' }, publishedBy: expect.stringMatching(/^admin:ledger-pricing:/) });

    writeFileSync(file, JSON.stringify(plan({ planId: 'LATE', effectiveFrom: addDays(today, -1) })));
    const before = await position();
    const late = await cli('pricing', 'publish', '--merchant', M, '--file', file);
    expect([late.code, late.stderr]).toEqual([3, expect.stringContaining('error PRICING_PLAN_RETROACTIVE')]);
    writeFileSync(file, JSON.stringify(plan({ planId: 'TYPO', rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP', extra: 1 } })));
    const typo = await cli('pricing', 'publish', '--merchant', M, '--file', file);
    expect([typo.code, typo.stderr]).toEqual([2, expect.stringContaining('error PLAN_FILE_INVALID')]);
    expect(await position()).toBe(before);

    const history = await cli('pricing', 'history', '--merchant', M, '--business-day', addDays(today, 1), '--json');
    expect(history.json()).toMatchObject({ versions: [{ version: 1 }, { version: 2 }], inForce: { planId: 'DEBIT-CAP-2', version: 2 } });
  });
});
