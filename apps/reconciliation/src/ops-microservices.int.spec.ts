import { TOPICS } from '@pos/contracts';
import { bearer, type LedgerProcess, spawnApp, waitFor } from '@pos/testing';
import { startKafka, type StartedKafka } from '@pos/testing/containers';
import { sharedPostgres, type SpecDatabase } from '@pos/testing/shared-containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The operations routes in the microservices deployment: the three apps as their own processes
 * on PostgreSQL and Kafka, the reconciliation app answering /v1/ops for all of them (as it does
 * for the console). A broker of its own: the apps use the fixed topic and group names.
 */
describe('the operations routes of the microservices, merged by the reconciliation app', () => {
  let pg: SpecDatabase;
  let kafka: StartedKafka;
  let gateway: LedgerProcess;
  let settlement: LedgerProcess;
  let reconciliation: LedgerProcess;
  const running: LedgerProcess[] = [];

  const call = async (base: string, method: 'GET' | 'POST', path: string, role: 'operations' | 'auditor', body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, headers: { ...bearer(role), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const projections = async () => (await call(reconciliation.url, 'GET', '/v1/ops/projections', 'auditor')).body.projections as any[];
  const named = async (name: string) => (await projections()).find((p) => p.name === name);
  /** A projection whose digest is of its position now (digests are reused for a few seconds while it moves). */
  const current = (name: string) =>
    waitFor(async () => {
      const p = await named(name);
      return p?.digestPosition === p?.position && p;
    }, `a digest of ${name} now`);
  const rebuilt = (name: string, rebuildId: string) =>
    waitFor(async () => {
      const p = await named(name);
      return p?.rebuild?.rebuildId === rebuildId && p.rebuild.finishedAt && p;
    }, `the rebuild of ${name} to end`);

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([sharedPostgres(), startKafka()]);
    const env = { KAFKA_BROKERS: kafka.brokers.join(','), DATABASE_URL: pg.connectionString, KAFKA_PARTITIONS: '2' };
    [gateway, settlement] = await Promise.all([spawnApp('terminal-gateway', env), spawnApp('settlement', env)]);
    running.push(gateway, settlement);
    reconciliation = await spawnApp('reconciliation', { ...env, LEDGER_GATEWAY_URL: gateway.url, LEDGER_SETTLEMENT_URL: `${settlement.url}/` });
    running.push(reconciliation);
    for (const terminalId of ['TMSO0001', 'TMSO0002']) {
      const registered = await call(gateway.url, 'POST', '/v1/admin/terminals', 'operations', {
        terminalId, merchantId: 'MMSO00000000001', merchantName: 'Microservices shop', currencies: [{ currency: 'CNY', maxAmount: 100_000 }],
        operators: [{ operatorId: '01', password: '1234' }], timeZone: 'Asia/Tokyo',
      });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      const key = registered.body.apiKey;
      const send = (path: string, body: unknown) =>
        fetch(`${gateway.url}/v1/terminals/${terminalId}/${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await send('sign-on', { stan: '000001', operatorId: '01', password: '1234' })).status).toBe(200);
      expect((await send('sales', { stan: '000002', batchNo: '000001', amount: 1_234, currency: 'CNY', method: 'QR', qr: { payerToken: 'payer-0001' } })).status).toBe(200);
    }
  });
  afterAll(async () => {
    for (const p of running) await p.kill('SIGTERM');
    await Promise.all([pg?.stop(), kafka?.stop()]);
  });

  it('lists the terminals from the gateway store on PostgreSQL', async () => {
    const list = await waitFor(async () => {
      const r = await call(gateway.url, 'GET', '/v1/admin/terminals?merchantId=MMSO00000000001', 'auditor');
      return r.body.terminals?.length === 2 && r.body.terminals.every((t: any) => t.openBatch.length > 0) && r.body;
    }, 'both terminals in the list');
    expect(list.terminals.map((t: any) => [t.terminalId, t.state, t.timeZone, t.openBatch])).toEqual([
      ['TMSO0001', 'SIGNED_ON', 'Asia/Tokyo', [{ currency: 'CNY', count: 1, amount: '1234' }]],
      ['TMSO0002', 'SIGNED_ON', 'Asia/Tokyo', [{ currency: 'CNY', count: 1, amount: '1234' }]],
    ]);
  });

  it("answers every service's projections, its own and its peers'", async () => {
    const all = await waitFor(async () => {
      const p = await projections();
      return p.length === 6 && p.every((x) => x.lagEvents === 0 && x.digestPosition === x.position) && p;
    }, 'every projection listed and caught up');
    expect(all.map((p) => `${p.service} ${p.name} ${p.state}`).sort()).toEqual([
      'reconciliation audit-trail LIVE', 'reconciliation breaks LIVE', 'reconciliation daily-totals LIVE', 'reconciliation host-ledger LIVE',
      'settlement ledger-balances LIVE', 'terminal-gateway terminal-list LIVE',
    ]);
    // Each service alone answers for its own only.
    expect((await call(gateway.url, 'GET', '/v1/ops/projections', 'auditor')).body.projections.map((p: any) => p.name)).toEqual(['terminal-list']);
    expect((await call(settlement.url, 'GET', '/v1/ops/projections', 'auditor')).body.projections.map((p: any) => p.name)).toEqual(['ledger-balances']);
  });

  it("rebuilds a peer's projection through the reconciliation app, and its own log-fed one on Kafka, each swapped with the same digest", async () => {
    const before = await current('terminal-list');
    const started = await call(reconciliation.url, 'POST', '/v1/ops/projections/terminal-list/rebuild', 'operations');
    expect(started).toEqual({ status: 202, body: { rebuildId: expect.any(String), name: 'terminal-list' } });
    expect(await rebuilt('terminal-list', started.body.rebuildId)).toMatchObject({ service: 'terminal-gateway', generation: before.generation + 1, digest: before.digest, rebuild: { result: 'SWAPPED' } });

    const totals = await current('daily-totals');
    const own = await call(reconciliation.url, 'POST', '/v1/ops/projections/daily-totals/rebuild', 'operations');
    expect(own.status).toBe(202);
    expect(await rebuilt('daily-totals', own.body.rebuildId)).toMatchObject({ generation: totals.generation + 1, digest: totals.digest, documents: totals.documents, rebuild: { result: 'SWAPPED' } });

    const unknown = await call(reconciliation.url, 'POST', '/v1/ops/projections/no-such-thing/rebuild', 'operations');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'PROJECTION_UNKNOWN']);
    const forbidden = await call(reconciliation.url, 'POST', '/v1/ops/projections/terminal-list/rebuild', 'auditor');
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'ADMIN_FORBIDDEN']);
  });

  it("answers every service's health; a peer that stops answering is listed not ready", async () => {
    const health = await waitFor(async () => {
      const h = (await call(reconciliation.url, 'GET', '/v1/ops/health', 'auditor')).body;
      return h.consumers?.length > 0 && h.consumers.every((c: any) => c.lag === 0) && h.outbox.every((o: any) => o.backlog === 0) && h;
    }, 'the pipeline to drain');
    expect(health.services.map((s: any) => [s.name, s.ready])).toEqual([['reconciliation', true], ['terminal-gateway', true], ['settlement', true]]);
    expect(health.outbox.map((o: any) => o.service).sort()).toEqual(['access', 'reconciliation', 'settlement', 'terminal-gateway']);
    // Two partitions per topic, each group on each topic it reads.
    expect(health.consumers.map((c: any) => `${c.group} ${c.topic} ${c.partition}`).sort()).toEqual([
      `reconciliation ${TOPICS.settlement} 0`, `reconciliation ${TOPICS.settlement} 1`, `reconciliation ${TOPICS.terminal} 0`, `reconciliation ${TOPICS.terminal} 1`,
      `settlement ${TOPICS.terminal} 0`, `settlement ${TOPICS.terminal} 1`,
    ]);
    expect(health.deadLetters.map((d: any) => [d.topic, d.count]).sort()).toEqual([[`${TOPICS.settlement}.dlq`, 0], [`${TOPICS.terminal}.dlq`, 0]]);

    await settlement.kill('SIGTERM');
    const after = (await call(reconciliation.url, 'GET', '/v1/ops/health', 'auditor')).body;
    expect(after.services.find((s: any) => s.name === 'settlement')).toEqual({ name: 'settlement', ready: false, checks: { http: { status: 'down', url: settlement.url, message: expect.any(String) } } });
    expect(after.services.find((s: any) => s.name === 'terminal-gateway').ready).toBe(true);
  });
});
