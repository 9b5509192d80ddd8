import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_EVENTS, terminalStreamId, TOPICS } from '@pos/contracts';
import { activeCollection } from '@pos/eventing';
import { AccessTokens, readEnv } from '@pos/platform';
import { type RunningProcess, startProcess } from '@pos/runtime';
import { rawSqliteStore, waitFor } from '@pos/testing';
import { ledgerPlan } from './ledger';

/** The operations routes on the real embedded ledger: the terminal list, the projections and their rebuild, health. */
describe('the operations routes of the embedded ledger', () => {
  let ledger: RunningProcess;
  let dir: string;
  const token: Record<'operations' | 'auditor' | 'finance', string> = { operations: '', auditor: '', finance: '' };
  const M1 = 'MOPS00000000001';
  const M2 = 'MOPS00000000002';

  const call = async (method: 'GET' | 'POST', path: string, role: keyof typeof token, body?: unknown) => {
    const res = await fetch(`${ledger.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const terminalCall = async (terminalId: string, key: string, path: string, body: unknown) =>
    (await fetch(`${ledger.url}/v1/terminals/${terminalId}/${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;
  const register = async (terminalId: string, merchantId: string, extra: Record<string, unknown> = {}) =>
    call('POST', '/v1/admin/terminals', 'operations', {
      terminalId, merchantId, merchantName: `Shop ${terminalId}`, currencies: [{ currency: 'CNY', maxAmount: 1_000_000 }, { currency: 'USD', maxAmount: 100_000 }],
      operators: [{ operatorId: '01', password: '1234' }, { operatorId: '02', password: '5678' }], ...extra,
    });
  const gatewayEvents = async () => (await ledger.runtime.store('terminal-gateway').readAll('0', 1_000_000)).length;
  const listed = async (terminalId: string, until: (row: any) => boolean) =>
    waitFor(async () => {
      const r = await call('GET', `/v1/admin/terminals/${terminalId}`, 'auditor');
      return r.status === 200 && until(r.body) && r.body;
    }, `terminal ${terminalId} in the list`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-ops-'));
    ledger = await startProcess(ledgerPlan, { ...readEnv({}), port: 0, iso8583Port: 0, dataDir: dir, scryptCost: 1024 }, {});
    const tokens = new AccessTokens(ledger.runtime.store('access'));
    for (const role of ['operations', 'auditor', 'finance'] as const)
      token[role] = (await tokens.issue({ name: `${role} ops test`, role }, { type: 'admin', id: 'ops-test' }, new Date(), `issue-${role}`)).token;
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('registering with a time zone', () => {
    it('records the zone given, Asia/Shanghai when none is, and refuses one that is not an IANA name, writing nothing', async () => {
      expect((await register('TOPS0001', M1, { timeZone: 'Europe/Berlin' })).status).toBe(201);
      expect((await register('TOPS0002', M2)).status).toBe(201);
      const zones = [];
      for (const t of ['TOPS0001', 'TOPS0002']) zones.push(((await ledger.runtime.store('terminal-gateway').readStream(terminalStreamId(t), TERMINAL_EVENTS))[0].data as { timeZone: string }).timeZone);
      expect(zones).toEqual(['Europe/Berlin', 'Asia/Shanghai']);
      const before = await gatewayEvents();
      for (const timeZone of ['+08:00', 'asia/shanghai', 'Mars/Olympus_Mons', '', 8]) {
        const refused = await register('TOPS0009', M1, { timeZone });
        expect([refused.status, refused.body.error.code], String(timeZone)).toEqual([400, 'REQUEST_INVALID']);
        expect(refused.body.error.message).toMatch(/timeZone/);
      }
      expect(await gatewayEvents()).toBe(before);
      expect((await call('GET', '/v1/admin/terminals/TOPS0009', 'auditor')).status).toBe(404);
    });

    it('lists a terminal registered by a release before zones were recorded (TerminalRegistered without timeZone) in Asia/Shanghai', async () => {
      const raw = rawSqliteStore(join(dir, 'terminal-gateway.db'));
      const registeredBefore = {
        terminalId: 'TOPSV001', merchantId: M2, businessDay: '2026-11-24', merchantName: 'Old shop', currencies: [{ currency: 'CNY', maxAmount: '5000000' }], operatorIds: ['01'], batchNo: '000001',
        pricing: { planId: 'default', effectiveFrom: '2026-11-24', mdrBps: { BANK_CARD: 60, QR: 38 }, refundReturnsFee: false, payoutSchedule: 'T1', rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' } },
      };
      try {
        await raw.appendWritten(terminalStreamId('TOPSV001'), [{
          eventId: randomUUID(), type: 'TerminalRegistered', schemaVersion: 1, payload: registeredBefore, occurredAt: '2026-11-24T01:00:00.000Z', topic: TOPICS.terminal, key: 'TOPSV001',
          context: { correlationId: 'v1', causationId: 'v1', actor: { type: 'admin', id: 'older-release' } },
        }]);
      } finally {
        await raw.close();
      }
      expect(await listed('TOPSV001', () => true)).toMatchObject({ merchantName: 'Old shop', timeZone: 'Asia/Shanghai', state: 'REGISTERED', lastActivityAt: '2026-11-24T01:00:00.000Z' });
    });
  });

  describe('the terminal list', () => {
    let key1: string;
    beforeAll(async () => {
      key1 = (await register('TOPS0003', M1)).body.apiKey;
    });

    it('shows each terminal signed on, its operator, its open batch per currency net of voids, last activity and locked operators', async () => {
      expect((await terminalCall('TOPS0003', key1, 'sign-on', { stan: '000001', operatorId: '01', password: '1234' })).responseCode).toBe('00');
      const sale = (stan: string, amount: number, currency = 'CNY') => terminalCall('TOPS0003', key1, 'sales', { stan, batchNo: '000001', amount, currency, method: 'QR', qr: { payerToken: 'payer-0001' } });
      await sale('000002', 1_000);
      const voided = await sale('000003', 2_500);
      await sale('000004', 70, 'USD');
      expect((await terminalCall('TOPS0003', key1, 'voids', { stan: '000005', batchNo: '000001', originalRrn: voided.rrn })).responseCode).toBe('00');
      for (const stan of ['000006', '000007', '000008']) await terminalCall('TOPS0003', key1, 'sign-on', { stan, operatorId: '02', password: 'wrong' });
      const row = await listed('TOPS0003', (r) => r.lockedOperators.length > 0);
      expect(row).toEqual({
        terminalId: 'TOPS0003', merchantId: M1, merchantName: 'Shop TOPS0003', timeZone: 'Asia/Shanghai', state: 'SIGNED_ON', operatorId: '01', batchNo: '000001',
        businessDay: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        openBatch: [{ currency: 'CNY', count: 3, amount: '1000' }, { currency: 'USD', count: 1, amount: '70' }],
        lastActivityAt: expect.any(String), lockedOperators: ['02'],
      });
      // The last activity is the last event's time: the third wrong password.
      const events = await ledger.runtime.store('terminal-gateway').readStream(terminalStreamId('TOPS0003'), TERMINAL_EVENTS);
      expect(row.lastActivityAt).toBe(events[events.length - 1].metadata.occurredAt);
      expect((await call('POST', '/v1/admin/terminals/TOPS0003/operators/02/unlock', 'operations', {})).body.unlocked).toBe(true);
      expect((await listed('TOPS0003', (r) => r.lockedOperators.length === 0)).lockedOperators).toEqual([]);
    });

    it("lists every terminal, or a merchant's, to any role", async () => {
      await listed('TOPS0002', () => true);
      const all = await call('GET', '/v1/admin/terminals', 'finance');
      expect(all.status).toBe(200);
      expect(all.body.terminals.map((t: any) => t.terminalId).sort()).toEqual(['TOPS0001', 'TOPS0002', 'TOPS0003', 'TOPSV001']);
      const mine = await call('GET', `/v1/admin/terminals?merchantId=${M1}`, 'auditor');
      expect(mine.body.terminals.map((t: any) => [t.terminalId, t.timeZone, t.state]).sort()).toEqual([['TOPS0001', 'Europe/Berlin', 'REGISTERED'], ['TOPS0003', 'Asia/Shanghai', 'SIGNED_ON']]);
    });

    it('refuses a malformed id or merchant (QUERY_INVALID) and answers an unknown terminal TERMINAL_UNKNOWN (404)', async () => {
      const bad = await call('GET', '/v1/admin/terminals/tops0003', 'auditor');
      expect([bad.status, bad.body.error.code]).toEqual([400, 'QUERY_INVALID']);
      const badMerchant = await call('GET', '/v1/admin/terminals?merchantId=M1', 'auditor');
      expect([badMerchant.status, badMerchant.body.error.code]).toEqual([400, 'QUERY_INVALID']);
      const unknown = await call('GET', '/v1/admin/terminals/TOPS0099', 'auditor');
      expect(unknown).toEqual({ status: 404, body: { error: { code: 'TERMINAL_UNKNOWN', message: expect.any(String), responseCode: '97' } } });
    });
  });

  describe('projections', () => {
    const projections = async () => (await call('GET', '/v1/ops/projections', 'auditor')).body.projections as any[];
    const named = async (name: string) => (await projections()).find((p) => p.name === name);
    /** A projection whose digest is of its position now (digests are reused for a few seconds while it moves). */
    const current = (name: string) =>
      waitFor(async () => {
        const p = await named(name);
        return p?.digestPosition === p?.position && p;
      }, `a digest of ${name} now`);

    it("lists every projection of the three services with its live generation, position, lag and digest", async () => {
      // Caught up, and each digest taken at the position it answers (digests are reused for a few seconds).
      await waitFor(async () => (await projections()).every((p) => p.lagEvents === 0 && p.digestPosition === p.position), 'every projection to catch up');
      const all = await projections();
      expect(all.map((p) => [p.name, p.service, p.state, p.generation]).sort()).toEqual([
        ['audit-trail', 'reconciliation', 'LIVE', 1], ['breaks', 'reconciliation', 'LIVE', 1], ['daily-totals', 'reconciliation', 'LIVE', 1],
        ['host-ledger', 'reconciliation', 'LIVE', 1], ['ledger-balances', 'settlement', 'LIVE', 1], ['terminal-list', 'terminal-gateway', 'LIVE', 1],
      ]);
      const list = all.find((p) => p.name === 'terminal-list');
      // Store-fed: its position is the gateway store's last event, all applied; four terminals, four documents.
      expect(list).toMatchObject({ position: await ledger.runtime.store('terminal-gateway').lastPosition(), lagEvents: 0, documents: 4, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
      // Log-fed: the reconciliation group has applied every terminal event the relay published.
      expect(BigInt(all.find((p) => p.name === 'daily-totals').position)).toBeGreaterThanOrEqual(BigInt(await gatewayEvents()));
    });

    it('rebuilds a projection in the background into a new generation, refuses a second rebuild while it runs, and swaps when equal', async () => {
      const before = await current('terminal-list');
      const listBefore = (await call('GET', '/v1/admin/terminals', 'auditor')).body;
      const started = await call('POST', '/v1/ops/projections/terminal-list/rebuild', 'operations');
      expect(started).toEqual({ status: 202, body: { rebuildId: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'terminal-list' } });
      const again = await call('POST', '/v1/ops/projections/terminal-list/rebuild', 'operations');
      expect([again.status, again.body.error.code]).toEqual([409, 'REBUILD_IN_PROGRESS']);
      const done = await waitFor(async () => {
        const p = await named('terminal-list');
        return p.rebuild?.finishedAt && p;
      }, 'the rebuild to end');
      expect(done).toMatchObject({
        state: 'LIVE', generation: 2, digest: before.digest, documents: before.documents,
        rebuild: { rebuildId: started.body.rebuildId, result: 'SWAPPED', generation: 2, digest: before.digest, phase: 'swap', processed: expect.any(Number), total: expect.any(Number) },
      });
      expect(done.rebuild.processed).toBe(done.rebuild.total);
      expect(done.rebuild.total).toBeGreaterThanOrEqual(await gatewayEvents());
      // Queries read the new generation: the same answer.
      expect((await call('GET', '/v1/admin/terminals', 'auditor')).body).toEqual(listBefore);
    });

    it('rebuilds a log-fed projection of another service the same way', async () => {
      const before = await current('daily-totals');
      expect((await call('POST', '/v1/ops/projections/daily-totals/rebuild', 'operations')).status).toBe(202);
      const done = await waitFor(async () => {
        const p = await named('daily-totals');
        return p.rebuild?.finishedAt && p;
      }, 'the rebuild to end');
      expect(done).toMatchObject({ generation: before.generation + 1, digest: before.digest, rebuild: { result: 'SWAPPED' } });
    });

    it('keeps live and says why when the rebuilt generation differs from it (FAILED, REBUILD_DIFFERS)', async () => {
      // A document no event explains, written into the live generation behind the projection's back.
      const gateway = ledger.runtime.store('terminal-gateway');
      const live = await activeCollection(gateway, 'terminal-list');
      const tampered = new Date().toISOString();
      await gateway.transaction((tx) => tx.documents.put(live, 'TZZZ0001', { terminalId: 'TZZZ0001', note: 'written by hand' }));
      // Digests are reused for a few seconds: one taken since shows the document.
      const before = await waitFor(async () => {
        const p = await named('terminal-list');
        return p.digestAt >= tampered && p;
      }, 'a digest taken since');
      expect(before.documents).toBe(5);
      const started = await call('POST', '/v1/ops/projections/terminal-list/rebuild', 'operations');
      expect(started.status).toBe(202);
      const done = await waitFor(async () => {
        const p = await named('terminal-list');
        return p.rebuild?.rebuildId === started.body.rebuildId && p.rebuild.finishedAt && p;
      }, 'the rebuild to end');
      expect(done).toMatchObject({
        state: 'LIVE', generation: before.generation, digest: before.digest,
        rebuild: { result: 'FAILED', errorCode: 'REBUILD_DIFFERS', generation: before.generation + 1, error: expect.stringMatching(/differs from live generation .* live kept/) },
      });
      expect(done.rebuild.digest).not.toBe(before.digest);
      expect((await call('GET', '/v1/admin/terminals/TZZZ0001', 'auditor')).status).toBe(200);
      await gateway.transaction((tx) => tx.documents.delete(live, 'TZZZ0001'));
    });

    it('refuses an unknown projection (404 PROJECTION_UNKNOWN), a malformed name (QUERY_INVALID), and a rebuild by a role other than operations', async () => {
      const unknown = await call('POST', '/v1/ops/projections/no-such-thing/rebuild', 'operations');
      expect([unknown.status, unknown.body.error.code]).toEqual([404, 'PROJECTION_UNKNOWN']);
      const malformed = await call('POST', '/v1/ops/projections/Terminal_List/rebuild', 'operations');
      expect([malformed.status, malformed.body.error.code]).toEqual([400, 'QUERY_INVALID']);
      for (const role of ['auditor', 'finance'] as const) {
        const refused = await call('POST', '/v1/ops/projections/terminal-list/rebuild', role);
        expect([refused.status, refused.body.error.code]).toEqual([403, 'ADMIN_FORBIDDEN']);
      }
      expect((await named('terminal-list')).state).toBe('LIVE');
    });
  });

  describe('health', () => {
    it('answers readiness, consumer lag per partition, outbox backlog per store and dead letters per topic', async () => {
      const health = await waitFor(async () => {
        const h = (await call('GET', '/v1/ops/health', 'auditor')).body;
        return h.consumers.every((c: any) => c.lag === 0) && h.outbox.every((o: any) => o.backlog === 0) && h;
      }, 'the pipeline to drain');
      expect(health.services).toEqual([{ name: 'ledger', ready: true, checks: expect.objectContaining({ log: { status: 'up', kind: 'embedded' }, 'terminal-gateway-store': { status: 'up', outboxBacklog: 0 } }) }]);
      expect(health.outbox.map((o: any) => o.service).sort()).toEqual(['access', 'reconciliation', 'settlement', 'terminal-gateway']);
      const groups = [...new Set(health.consumers.map((c: any) => `${c.group} ${c.topic}`))].sort();
      expect(groups).toEqual([`reconciliation ${TOPICS.settlement}`, `reconciliation ${TOPICS.terminal}`, `settlement ${TOPICS.terminal}`]);
      expect(health.consumers.every((c: any) => Number.isInteger(c.partition))).toBe(true);
      expect(health.deadLetters).toEqual(expect.arrayContaining([{ topic: `${TOPICS.terminal}.dlq`, count: 0 }, { topic: `${TOPICS.settlement}.dlq`, count: 0 }]));
      expect(Date.parse(health.at)).not.toBeNaN();
    });
  });
});
