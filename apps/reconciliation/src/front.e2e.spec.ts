import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerProcess, type Microservices, spawnApp, spawnMicroservices, TEST_TOKENS } from '@pos/testing';
import { startKafka, startPostgres, type StartedKafka, type StartedPostgres } from '@pos/testing/containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const T = 'TFRONT01';
const M = 'MFRONT000000001';

/**
 * The reconciliation app as the console's one origin in the microservice deployment (three OS
 * processes on real Kafka and PostgreSQL): a session signed in there is taken by the gateway and
 * settlement on the calls it forwards, CSRF token and all; it serves the console; and a service
 * that does not answer is a clear 502.
 */
describe('the reconciliation app in front of the microservices', () => {
  let pg: StartedPostgres;
  let kafka: StartedKafka;
  let apps: Microservices;
  const others: LedgerProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ledger-front-'));
  let env: Record<string, string>;

  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
    const res = await fetch(`${apps.reconciliation.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as any };
  };
  const signIn = async (token: string) => {
    const res = await call('POST', '/v1/session', {}, { token });
    expect(res.status, res.text).toBe(201);
    const cookie = `ledger_session=${/^ledger_session=([^;]+)/.exec(res.headers.get('set-cookie')!)![1]}`;
    return { cookie, csrf: res.body.csrfToken as string };
  };

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([startPostgres(), startKafka()]);
    const consoleDir = join(dir, 'console');
    mkdirSync(consoleDir);
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Console fixture</title>');
    env = { KAFKA_BROKERS: kafka.brokers.join(','), DATABASE_URL: pg.connectionString, KAFKA_PARTITIONS: '3', LEDGER_SCRYPT_COST: '1024', LEDGER_CONSOLE_DIR: consoleDir };
    apps = await spawnMicroservices(env);
  });
  afterAll(async () => {
    await apps?.kill();
    for (const p of others) await p.kill('SIGTERM');
    await Promise.all([pg?.stop(), kafka?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a session made on it on the gateway\'s and settlement\'s routes it forwards, with the CSRF token on writes, until signed out', async () => {
    const ops = await signIn(TEST_TOKENS.operations);
    // Written by hand: the body travels as its bytes, number literals and all.
    const registration = `{"terminalId":"${T}","merchantId":"${M}","merchantName":"Front","currencies":[{"currency":"CNY","maxAmount":500000}],"operators":[{"operatorId":"01","password":"1234"}]}`;
    const forged = await call('POST', '/v1/admin/terminals', { cookie: ops.cookie }, registration);
    expect([forged.status, forged.body.error.code]).toEqual([403, 'CSRF_INVALID']);
    const registered = await call('POST', '/v1/admin/terminals', { cookie: ops.cookie, 'x-csrf-token': ops.csrf, 'x-correlation-id': 'front-register-1' }, registration);
    expect([registered.status, registered.headers.get('x-correlation-id')], registered.text).toEqual([201, 'front-register-1']);
    expect(registered.body).toMatchObject({ terminalId: T, apiKey: expect.any(String) });
    // The gateway answered it: the terminal is there when asked of the gateway itself.
    expect((await fetch(`${apps.gateway.url}/v1/admin/terminals/${T}/verify`, { headers: { authorization: `Bearer ${TEST_TOKENS.auditor}` } })).status).toBe(200);
    const again = await call('POST', '/v1/admin/terminals', { cookie: ops.cookie, 'x-csrf-token': ops.csrf }, registration);
    expect([again.status, again.body.error.code]).toEqual([409, 'TERMINAL_ALREADY_REGISTERED']);

    // A terminal's own routes go through too, with its key.
    const signOn = await call('POST', `/v1/terminals/${T}/sign-on`, { authorization: `Bearer ${registered.body.apiKey}` }, { stan: '000001', operatorId: '01', password: '1234' });
    expect([signOn.status, signOn.body.responseCode]).toEqual([200, '00']);

    const auditor = await signIn(TEST_TOKENS.auditor);
    const balances = await call('GET', `/v1/settlement/balances?merchantId=${M}`, { cookie: auditor.cookie });
    expect([balances.status, balances.body]).toEqual([200, { balances: [] }]);
    const unlock = await call('POST', `/v1/admin/terminals/${T}/operators/01/unlock`, { cookie: auditor.cookie, 'x-csrf-token': auditor.csrf }, {});
    expect([unlock.status, unlock.body.error.code]).toEqual([403, 'ADMIN_FORBIDDEN']);

    const out = await call('DELETE', '/v1/session', { cookie: auditor.cookie, 'x-csrf-token': auditor.csrf });
    expect(out.status).toBe(204);
    for (const path of [`/v1/settlement/balances?merchantId=${M}`, `/v1/admin/terminals/${T}/verify`]) {
      const after = await call('GET', path, { cookie: auditor.cookie });
      expect([after.status, after.body.error.code], path).toEqual([401, 'ADMIN_UNAUTHENTICATED']);
    }
    expect((await call('GET', `/v1/admin/terminals/${T}/verify`, { cookie: ops.cookie })).status).toBe(200);
  });

  it('serves the console, same-origin with every route', async () => {
    const page = await call('GET', '/console/breaks');
    expect([page.status, page.text, page.headers.get('content-security-policy')]).toEqual([200, expect.stringContaining('Console fixture'), expect.stringMatching(/^default-src 'self'/)]);
  });

  it('forwards nothing without LEDGER_GATEWAY_URL and LEDGER_SETTLEMENT_URL, and says so', async () => {
    const alone = await spawnApp('reconciliation', { ...env, LOG_LEVEL: 'info' });
    others.push(alone);
    const res = await fetch(`${alone.url}/v1/admin/terminals/${T}/verify`, { headers: { authorization: `Bearer ${TEST_TOKENS.auditor}` } });
    expect([res.status, ((await res.json()) as any).error.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
    expect(alone.output()).toMatch(/not forwarding the other services' routes: set LEDGER_GATEWAY_URL and LEDGER_SETTLEMENT_URL/);
  });

  // Last: it stops settlement.
  it('answers 502 UPSTREAM_UNREACHABLE when the service it forwards to does not answer', async () => {
    await apps.settlement.kill('SIGTERM');
    const res = await call('GET', `/v1/settlement/balances?merchantId=${M}`, { authorization: `Bearer ${TEST_TOKENS.auditor}` });
    expect([res.status, res.body]).toEqual([502, { error: { code: 'UPSTREAM_UNREACHABLE', message: 'the settlement service did not answer; retry', responseCode: '91' } }]);
    expect((await call('GET', '/health/ready')).status).toBe(200);
  });
});
