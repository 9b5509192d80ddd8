import { get as httpGet } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_EVENTS, accessTokenStreamId } from '@pos/contracts';
import { AccessTokens, CONSOLE_CSP, readEnv } from '@pos/platform';
import { type RunningProcess, startProcess } from '@pos/runtime';
import { ledgerPlan } from './ledger';

/**
 * The console's session on the real embedded ledger: sign-in with a back-office token, the
 * cookie and CSRF token on the API, sign-out, a revoked token, the sign-in limit; and the
 * console's files served at /console/ (a fixture build), or a clear page where there is none.
 * (Every route with each role's session: access.int.spec.ts; expiry: runtime's sessions.int.spec.ts.)
 */
describe('console sessions and the console on the embedded ledger', () => {
  let ledger: RunningProcess;
  let dir: string;
  let tokens: AccessTokens;
  const issued: Record<string, { token: string; tokenId: string }> = {};
  const CLI = { type: 'admin' as const, id: 'session-test' };

  const request = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
    const res = await fetch(`${ledger.url}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as any };
  };
  const raw = (path: string) =>
    new Promise<{ status: number; text: string }>((done, fail) => {
      const { port } = new URL(ledger.url);
      httpGet({ host: '127.0.0.1', port, path }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => done({ status: res.statusCode ?? 0, text }));
      }).on('error', fail);
    });
  const signIn = async (token: string, headers: Record<string, string> = {}) => {
    const res = await request('POST', '/v1/session', headers, { token });
    const cookie = /^ledger_session=([A-Za-z0-9_-]+);/.exec(res.headers.get('set-cookie') ?? '')?.[1];
    return { ...res, cookie, as: (csrf = true) => ({ cookie: `ledger_session=${cookie}`, ...(csrf ? { 'x-csrf-token': res.body.csrfToken } : {}) }) };
  };
  const history = async (role: string) => (await ledger.runtime.store('access').readStream(accessTokenStreamId(issued[role].tokenId), ACCESS_EVENTS)).map((e) => ({ type: e.type, data: e.data, actor: e.metadata.actor }));
  const reconcile = (headers: Record<string, string>) => request('POST', '/v1/reconciliation/days/2026-11-24/reconcile', headers, {});

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-session-'));
    const consoleDir = join(dir, 'console');
    mkdirSync(join(consoleDir, 'assets'), { recursive: true });
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Console fixture</title><script type="module" src="/console/assets/index-3f2a1b.js"></script>');
    writeFileSync(join(consoleDir, 'assets', 'index-3f2a1b.js'), 'export const fixture = 1;\n');
    ledger = await startProcess(ledgerPlan, { ...readEnv({ LEDGER_CONSOLE_DIR: consoleDir }), port: 0, iso8583Port: 0, dataDir: join(dir, 'data'), scryptCost: 1024 }, {});
    tokens = new AccessTokens(ledger.runtime.store('access'));
    for (const role of ['finance', 'auditor', 'revoked'] as const) {
      const { token, record } = await tokens.issue({ name: `${role} session`, role: role === 'revoked' ? 'operations' : role }, CLI, new Date(), `issue-${role}`);
      issued[role] = { token, tokenId: record.tokenId };
    }
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with a token: an HttpOnly SameSite=Strict cookie (Secure behind https), the CSRF token, and the start in the token\'s stream', async () => {
    const s = await signIn(issued.finance.token, { 'x-correlation-id': 'sign-in-1' });
    expect(s.status).toBe(201);
    expect(s.headers.get('set-cookie')).toBe(`ledger_session=${s.cookie}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200`);
    expect(s.body).toEqual({
      sessionId: expect.stringMatching(/^ss-[0-9a-f]{16}$/), tokenId: issued.finance.tokenId, name: 'finance session', role: 'finance', roles: ['finance'],
      csrfToken: expect.stringMatching(/^[0-9a-f]{64}$/), expiresAt: expect.any(String), absoluteExpiresAt: expect.any(String),
    });
    expect(Date.parse(s.body.absoluteExpiresAt) - Date.parse(s.body.expiresAt)).toBe(11.5 * 3600_000);
    // The cookie is the only way to it: the answer holds no secret but the CSRF token, the store only the cookie's hash.
    expect(JSON.stringify(await ledger.runtime.store('access').listDocuments('access-sessions', ''))).not.toContain(s.cookie);
    expect((await request('GET', '/v1/session', s.as(false))).body).toEqual({ ...s.body, expiresAt: expect.any(String) });
    const actor = { type: 'token', id: issued.finance.tokenId, name: 'finance session', role: 'finance' };
    expect((await history('finance')).slice(-1)).toEqual([
      { type: 'AccessSessionStarted', data: { tokenId: issued.finance.tokenId, name: 'finance session', role: 'finance', sessionId: s.body.sessionId, expiresAt: s.body.absoluteExpiresAt }, actor },
    ]);
    expect((await signIn(issued.finance.token, { 'x-forwarded-proto': 'https' })).headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Strict; Secure; Max-Age=43200$/);
  });

  it('sets no cookie for a wrong token or a body that is not a sign-in', async () => {
    const wrong = await signIn('x'.repeat(43));
    expect([wrong.status, wrong.body.error.code, wrong.headers.get('set-cookie')]).toEqual([401, 'ADMIN_UNAUTHENTICATED', null]);
    const malformed = await request('POST', '/v1/session', {}, { token: issued.finance.token, role: 'operations' });
    expect([malformed.status, malformed.body.error.code, malformed.headers.get('set-cookie')]).toEqual([400, 'REQUEST_INVALID', null]);
  });

  it('writes with the cookie only with its own session\'s CSRF token, and a bearer token needs none (the cookie beside it is not looked at)', async () => {
    const finance = await signIn(issued.finance.token);
    const other = await signIn(issued.finance.token);
    expect((await reconcile(finance.as())).body.error.code).toBe('DAY_UNKNOWN');
    const refused = [await reconcile(finance.as(false)), await reconcile({ ...finance.as(false), 'x-csrf-token': other.body.csrfToken }), await reconcile({ ...finance.as(false), 'x-csrf-token': 'nope' })];
    expect(refused.map((r) => `${r.status} ${r.body.error.code} ${r.body.error.responseCode}`)).toEqual(Array(3).fill('403 CSRF_INVALID 63'));
    expect(refused[1].body.error.message).toMatch(/x-csrf-token: it does not match/);
    // Refused before anything ran: no use of the write role was recorded for them.
    const uses = (await history('finance')).filter((e) => e.type === 'AccessTokenUsed');
    expect(uses).toHaveLength(1);
    expect((await reconcile({ authorization: `Bearer ${issued.finance.token}`, cookie: 'ledger_session=gone' })).body.error.code).toBe('DAY_UNKNOWN');
    // The session's own routes take only the session.
    expect((await request('GET', '/v1/session', { authorization: `Bearer ${issued.finance.token}` })).status).toBe(401);
  });

  it('keeps an auditor\'s session to reads: a write is ADMIN_FORBIDDEN, as with its token', async () => {
    const auditor = await signIn(issued.auditor.token);
    expect(auditor.body).toMatchObject({ role: 'auditor', roles: ['auditor'] });
    expect((await request('GET', '/v1/reconciliation/clearing-files?businessDay=2026-11-24', auditor.as(false))).status).toBe(200);
    const write = await reconcile(auditor.as());
    expect([write.status, write.body.error.code]).toEqual([403, 'ADMIN_FORBIDDEN']);
  });

  it('signs out (with the CSRF token only) for good: the cookie is cleared, the session refused, the end recorded', async () => {
    const s = await signIn(issued.auditor.token);
    const forged = await request('DELETE', '/v1/session', s.as(false));
    expect([forged.status, forged.body.error.code]).toEqual([403, 'CSRF_INVALID']);
    expect((await request('GET', '/v1/session', s.as(false))).status).toBe(200);
    const out = await request('DELETE', '/v1/session', s.as());
    expect([out.status, out.text, out.headers.get('set-cookie')]).toEqual([204, '', 'ledger_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0']);
    for (const path of ['/v1/session', '/v1/reconciliation/clearing-files?businessDay=2026-11-24']) {
      const after = await request('GET', path, s.as(false));
      expect([after.status, after.body.error.code, after.body.error.message], path).toEqual([401, 'ADMIN_UNAUTHENTICATED', expect.stringMatching(/no console session/)]);
    }
    expect((await history('auditor')).slice(-1)).toEqual([
      { type: 'AccessSessionEnded', data: { tokenId: issued.auditor.tokenId, name: 'auditor session', role: 'auditor', sessionId: s.body.sessionId }, actor: expect.objectContaining({ id: issued.auditor.tokenId }) },
    ]);
  });

  it('ends every session of a token when the token is revoked, from the next request on', async () => {
    const s = await signIn(issued.revoked.token);
    expect((await request('GET', '/v1/reconciliation/clearing-files?businessDay=2026-11-24', s.as(false))).status).toBe(200);
    await tokens.revoke(issued.revoked.tokenId, CLI, new Date(), 'revoke');
    const after = await request('GET', '/v1/reconciliation/clearing-files?businessDay=2026-11-24', s.as(false));
    expect([after.status, after.body.error.code]).toEqual([401, 'ADMIN_UNAUTHENTICATED']);
    expect((await request('GET', '/v1/session', s.as(false))).status).toBe(401);
  });

  it('serves the console: the page never cached, hashed assets for a year, its routes on a reload, a strict CSP; / goes there', async () => {
    const root = await request('GET', '/');
    expect([root.status, root.headers.get('location')]).toEqual([302, '/console/']);
    const page = await request('GET', '/console/');
    expect([page.status, page.headers.get('content-type'), page.headers.get('cache-control'), page.headers.get('content-security-policy')]).toEqual([
      200, 'text/html; charset=utf-8', 'no-store', CONSOLE_CSP,
    ]);
    expect(CONSOLE_CSP).toMatch(/^default-src 'self'; script-src 'self';/);
    expect(page.text).toContain('Console fixture');
    expect([page.headers.get('x-frame-options'), page.headers.get('x-content-type-options'), page.headers.get('x-powered-by')]).toEqual(['DENY', 'nosniff', null]);
    const asset = await request('GET', '/console/assets/index-3f2a1b.js');
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control'), asset.text]).toEqual([
      200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable', 'export const fixture = 1;\n',
    ]);
    const deepLink = await request('GET', '/console/days/2026-11-24?merchant=M1');
    expect([deepLink.status, deepLink.headers.get('cache-control'), deepLink.text]).toEqual([200, 'no-store', page.text]);
    // Sent as written (fetch would resolve the dots itself).
    for (const path of ['/console/assets/index-000000.js', '/console/%2e%2e/data/access.db', '/console/../data/access.db', '/console/..%2F..%2Fpackage.json']) {
      const missing = await raw(path);
      expect([missing.status, missing.text], path).toEqual([404, expect.stringContaining('Not found')]);
    }
    expect((await request('GET', '/console')).headers.get('location')).toBe('/console/');
  });

  it('starts without a console, and /console/ says how to build one', async () => {
    const bare = await startProcess(ledgerPlan, { ...readEnv({ LEDGER_CONSOLE_DIR: join(dir, 'no-console') }), port: 0, iso8583Port: 0, dataDir: join(dir, 'bare'), scryptCost: 1024 }, {});
    try {
      const res = await fetch(`${bare.url}/console/`);
      expect([res.status, res.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
      expect(await res.text()).toMatch(/The console is not built.*npm run build.*LEDGER_CONSOLE_DIR/s);
      expect((await fetch(`${bare.url}/health/ready`)).status).toBe(200);
    } finally {
      await bare.close();
    }
  });

  // Last: it leaves this address refused for a quarter of an hour.
  it('refuses an address after 10 wrong tokens in 15 minutes, a right token too, and says when to retry', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 11; i++) answers.push(`${(await signIn(`wrong-${'x'.repeat(40)}-${i}`)).body.error.code}`);
    // The second test's wrong token counted too.
    expect(answers).toEqual([...Array(9).fill('ADMIN_UNAUTHENTICATED'), 'SIGN_IN_RATE_LIMITED', 'SIGN_IN_RATE_LIMITED']);
    const right = await signIn(issued.finance.token);
    expect([right.status, right.body.error.code, right.body.error.responseCode, right.headers.get('set-cookie')]).toEqual([429, 'SIGN_IN_RATE_LIMITED', '75', null]);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(right.body.error.details.retryAfterSeconds).toBe(Number(right.headers.get('retry-after')));
    // Only signing in is limited: the API goes on answering the address.
    expect((await request('GET', '/v1/reconciliation/clearing-files?businessDay=2026-11-24', { authorization: `Bearer ${issued.finance.token}` })).status).toBe(200);
  });
});
