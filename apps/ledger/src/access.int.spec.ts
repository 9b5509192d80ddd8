import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_EVENTS, accessTokenStreamId, TERMINAL_EVENTS, terminalStreamId } from '@pos/contracts';
import { AccessTokens, readEnv } from '@pos/platform';
import { type RunningProcess, startProcess } from '@pos/runtime';
import { runBuilt } from '@pos/testing';
import { ledgerPlan } from './ledger';

/**
 * Every route of the served OpenAPI document, called by every kind of caller: no token, an
 * unknown one, a revoked one, each role's, and a terminal's API key. The policy is written
 * out here (the writes and their role); every other back-office route is a read any role may
 * make. A route added to the document is called too, so it cannot be forgotten.
 */
const WRITES: Partial<Record<string, 'operations' | 'finance'>> = {
  'post /v1/admin/terminals': 'operations',
  'post /v1/admin/terminals/{terminalId}/operators/{operatorId}/unlock': 'operations',
  'post /v1/reconciliation/clearing-files': 'finance',
  'post /v1/reconciliation/days/{businessDay}/reconcile': 'finance',
  'post /v1/reconciliation/breaks/{breakId}/assign': 'finance',
  'post /v1/reconciliation/breaks/{breakId}/resolve': 'finance',
  'post /v1/ops/projections/{name}/rebuild': 'operations',
  'post /v1/checkpoints': 'operations',
  'post /v1/settlement/merchants/{merchantId}/pricing-plans': 'finance',
  'put /v1/settlement/calendars/{country}': 'operations',
  'post /v1/settlement/payout-runs': 'finance',
};
/** Bearer tokens, and console sessions of each role (with their CSRF token, and one write without it). */
const CALLERS = ['none', 'unknown', 'revoked', 'operations', 'finance', 'auditor', 'terminal key', 'operations session', 'finance session', 'auditor session', 'finance session, no CSRF'] as const;
type Caller = (typeof CALLERS)[number];
const T = 'TAUTH001';
const PARAMS: Record<string, string> = { terminalId: T, operatorId: '01', businessDay: '2026-11-24', breakId: 'abcdef0123456789abcdef01', name: 'terminal-list', merchantId: 'MAUTH0000000001', country: 'CN' };

type Doc = { paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>> };

describe('every route authorised, by role', () => {
  let ledger: RunningProcess;
  let dir: string;
  let tokens: AccessTokens;
  const issued: Record<string, { token: string; tokenId: string }> = {};
  const sessions: Record<string, { cookie: string; csrfToken: string }> = {};
  let terminalKey: string;
  const CLI = { type: 'admin' as const, id: 'access-test' };

  const call = async (method: string, path: string, authorization: string | undefined, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${ledger.url}${path}`, {
      method: method.toUpperCase(),
      headers: { ...(authorization ? { authorization } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const bearer = (caller: Caller): string | undefined =>
    caller === 'none' || caller.includes('session') ? undefined : `Bearer ${caller === 'terminal key' ? terminalKey : caller === 'unknown' ? 'x'.repeat(43) : issued[caller].token}`;
  /** A session caller's cookie, and its CSRF token on every request (the browser console sends it on writes; on reads it is ignored). */
  const sessionHeaders = (caller: Caller): Record<string, string> => {
    const session = sessions[caller.split(' ')[0]];
    if (!caller.includes('session')) return {};
    return { cookie: `ledger_session=${session.cookie}`, ...(caller.endsWith('no CSRF') ? {} : { 'x-csrf-token': session.csrfToken }) };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-access-'));
    ledger = await startProcess(ledgerPlan, { ...readEnv({}), port: 0, iso8583Port: 0, dataDir: dir, scryptCost: 1024 }, {});
    tokens = new AccessTokens(ledger.runtime.store('access'));
    for (const role of ['operations', 'finance', 'auditor', 'revoked'] as const) {
      const { token, record } = await tokens.issue({ name: `${role} test`, role: role === 'revoked' ? 'finance' : role }, CLI, new Date(), `issue-${role}`);
      issued[role] = { token, tokenId: record.tokenId };
    }
    await tokens.revoke(issued.revoked.tokenId, CLI, new Date(), 'revoke');
    for (const role of ['operations', 'finance', 'auditor'] as const) {
      const signIn = await fetch(`${ledger.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: issued[role].token }) });
      expect(signIn.status).toBe(201);
      sessions[role] = { cookie: /ledger_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')![1], csrfToken: ((await signIn.json()) as any).csrfToken };
    }
    const registered = await call('post', '/v1/admin/terminals', bearer('operations'), {
      terminalId: T, merchantId: 'MAUTH0000000001', merchantName: 'Access', currencies: [{ currency: 'CNY', maxAmount: 100_000 }], operators: [{ operatorId: '01', password: '1234' }],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    terminalKey = registered.body.apiKey;
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers each route, for each caller, as the policy says: allowed, or the exact refusal', async () => {
    const doc = (await (await fetch(`${ledger.url}/docs-json`)).json()) as Doc;
    // The session's own routes are session.int.spec.ts's.
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path !== '/v1/session')
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method, path, op: ops[method] })));
    expect(routes.length).toBeGreaterThanOrEqual(26);
    const answers: string[] = [];
    const expected: string[] = [];
    for (const { method, path, op } of routes) {
      const id = `${method} ${path}`;
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => PARAMS[name]) + (method === 'get' ? '?businessDay=2026-11-24' : '');
      const terminalRoute = path.startsWith('/v1/terminals/');
      const need = WRITES[id] ?? 'read';
      // The document says the same as the policy: a terminal key, the write's role, or any role for a read; by bearer token or session alike.
      const roles = (scheme: string) => (op.security ?? []).filter((s) => s[scheme]).map((s) => s[scheme].join() || scheme);
      const policy = need === 'read' ? ['auditor', 'operations', 'finance'] : [need];
      expect([roles('terminal'), roles('backOffice'), roles('session')], id).toEqual(terminalRoute ? [['terminal'], [], []] : [[], policy, policy]);
      for (const caller of CALLERS) {
        const headers: Record<string, string> = path.endsWith('/clearing-files') && method === 'post' ? { 'content-type': 'text/csv' } : {};
        const res = await call(method, url, bearer(caller), method === 'post' && !headers['content-type'] ? {} : undefined, { ...headers, ...sessionHeaders(caller) });
        const refusal = res.status === 401 || res.status === 403 ? `${res.status} ${res.body.error.code}` : 'allowed';
        answers.push(`${id} ${caller}: ${refusal}`);
        let want: string;
        // A terminal route takes its terminal's key and nothing else (a back-office token is not one).
        if (terminalRoute) want = caller === 'terminal key' ? 'allowed' : '401 TERMINAL_UNAUTHENTICATED';
        else if (['none', 'unknown', 'revoked', 'terminal key'].includes(caller)) want = '401 ADMIN_UNAUTHENTICATED';
        // Without its CSRF token a session reads, and writes nothing: refused before its role is looked at.
        else if (caller.endsWith('no CSRF')) want = method === 'get' ? 'allowed' : '403 CSRF_INVALID';
        else want = need === 'read' || need === caller.split(' ')[0] ? 'allowed' : '403 ADMIN_FORBIDDEN';
        expected.push(`${id} ${caller}: ${want}`);
      }
    }
    expect(answers).toEqual(expected);
  });

  it("a terminal's key works on its own terminal's routes only", async () => {
    const other = await call('post', '/v1/admin/terminals', bearer('operations'), {
      terminalId: 'TAUTH002', merchantId: 'MAUTH0000000001', merchantName: 'Access', currencies: [{ currency: 'CNY', maxAmount: 100_000 }], operators: [{ operatorId: '01', password: '1234' }],
    });
    expect(other.status).toBe(201);
    const res = await call('post', '/v1/terminals/TAUTH002/sign-on', `Bearer ${terminalKey}`, { stan: '000001', operatorId: '01', password: '1234' });
    expect([res.status, res.body.error.code]).toEqual([401, 'TERMINAL_UNAUTHENTICATED']);
    expect((await call('post', `/v1/terminals/${T}/sign-on`, `Bearer ${terminalKey}`, { stan: '000001', operatorId: '01', password: '1234' })).status).toBe(200);
  });

  it('records the use of a write whose path is too long to record whole, and the request gets its own refusal', async () => {
    const res = await call('post', `/v1/reconciliation/breaks/${'a'.repeat(2500)}/assign`, bearer('finance'), { assignee: 'x' });
    expect([res.status, res.body.error.code]).toEqual([400, 'QUERY_INVALID']);
    const [last] = (await ledger.runtime.store('access').readStream(accessTokenStreamId(issued.finance.tokenId), ACCESS_EVENTS)).slice(-1);
    expect(last.data).toMatchObject({ route: '/v1/reconciliation/breaks/:breakId/assign', path: `/v1/reconciliation/breaks/${'a'.repeat(2500)}`.slice(0, 2000) });
  });

  it('refusals name their code, message and response code', async () => {
    const none = await call('get', '/v1/settlement/balances?merchantId=MAUTH0000000001', undefined);
    expect(none).toEqual({ status: 401, body: { error: { code: 'ADMIN_UNAUTHENTICATED', message: expect.stringMatching(/back-office bearer token/), responseCode: 'A0' } } });
    const auditor = await call('post', `/v1/admin/terminals/${T}/operators/01/unlock`, bearer('auditor'), {});
    expect(auditor).toEqual({
      status: 403,
      body: { error: { code: 'ADMIN_FORBIDDEN', message: `token ${issued.auditor.tokenId} has the auditor role; this operation needs the operations role`, responseCode: '58' } },
    });
  });

  it('writes the token as the actor of the events a write appends, and records every use of a write role, a no-op included', async () => {
    const correlationId = 'access-actor-1';
    const registered = await call('post', '/v1/admin/terminals', bearer('operations'), {
      terminalId: 'TAUTH003', merchantId: 'MAUTH0000000001', merchantName: 'Access', currencies: [{ currency: 'CNY', maxAmount: 100_000 }], operators: [{ operatorId: '01', password: '1234' }],
    }, { 'x-correlation-id': correlationId });
    expect(registered.status).toBe(201);
    const actor = { type: 'token', id: issued.operations.tokenId, name: 'operations test', role: 'operations' };
    const [event] = await ledger.runtime.store('terminal-gateway').readStream(terminalStreamId('TAUTH003'), TERMINAL_EVENTS);
    expect(event).toMatchObject({ type: 'TerminalRegistered', metadata: { actor, correlationId } });
    // Unlocking an operator who is not locked changes nothing: only the use is recorded.
    const noOp = await call('post', '/v1/admin/terminals/TAUTH003/operators/01/unlock', bearer('operations'), {}, { 'x-correlation-id': 'access-noop-1' });
    expect(noOp.body).toMatchObject({ unlocked: false });
    const uses = (await ledger.runtime.store('access').readStream(accessTokenStreamId(issued.operations.tokenId), ACCESS_EVENTS)).filter((e) => e.type === 'AccessTokenUsed');
    const ofRequest = (id: string) => uses.filter((e) => e.metadata.correlationId === id).map((e) => ({ data: e.data, actor: e.metadata.actor }));
    expect(ofRequest(correlationId)).toEqual([{ data: { tokenId: actor.id, name: actor.name, role: 'operations', method: 'POST', route: '/v1/admin/terminals', path: '/v1/admin/terminals' }, actor }]);
    expect(ofRequest('access-noop-1')).toEqual([
      { data: { tokenId: actor.id, name: actor.name, role: 'operations', method: 'POST', route: '/v1/admin/terminals/:terminalId/operators/:operatorId/unlock', path: '/v1/admin/terminals/TAUTH003/operators/01/unlock' }, actor },
    ]);
    const gateway = await ledger.runtime.store('terminal-gateway').readStream(terminalStreamId('TAUTH003'), TERMINAL_EVENTS);
    expect(gateway.filter((e) => e.metadata.correlationId === 'access-noop-1')).toEqual([]);
    // Reads are not recorded.
    await call('get', '/v1/admin/terminals/TAUTH003/verify', bearer('auditor'));
    expect((await ledger.runtime.store('access').readStream(accessTokenStreamId(issued.auditor.tokenId), ACCESS_EVENTS)).map((e) => e.type)).toEqual(['AccessTokenIssued', 'AccessSessionStarted']);
  });

  it('issues, lists and revokes with the CLI: the token is printed once, stored as a hash, refused at once when revoked', async () => {
    const cli = (...args: string[]) => runBuilt('tools/audit/main.js', ['--data-dir', dir, 'tokens', ...args]);
    const issue = await cli('issue', '--name', 'Anna Finance', '--role', 'finance', '--json');
    expect(issue.code, issue.stderr).toBe(0);
    const { token, tokenId } = issue.json();
    expect(issue.json()).toMatchObject({ tokenId: expect.stringMatching(/^tk-[0-9a-f]{16}$/), name: 'Anna Finance', role: 'finance', status: 'active' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The running ledger takes it at once, from the store it shares with the CLI.
    const reconcile = () => call('post', '/v1/reconciliation/days/2026-11-24/reconcile', `Bearer ${token}`, {});
    expect((await reconcile()).body.error.code).toBe('DAY_UNKNOWN');
    const list = await cli('list', '--json');
    expect(list.json().find((t: any) => t.tokenId === tokenId)).toEqual({ tokenId, name: 'Anna Finance', role: 'finance', status: 'active', issuedAt: expect.any(String) });
    expect(list.stdout).not.toContain(token);
    expect(JSON.stringify(await ledger.runtime.store('access').listDocuments('access-tokens', ''))).not.toContain(token);
    const revoke = await cli('revoke', tokenId);
    expect([revoke.code, revoke.stdout]).toEqual([0, `revoked ${tokenId} (Anna Finance, finance)\n`]);
    expect((await reconcile()).body.error.code).toBe('ADMIN_UNAUTHENTICATED');
    expect((await cli('revoke', tokenId)).stdout).toMatch(/was already revoked at/);
    const history = await ledger.runtime.store('access').readStream(accessTokenStreamId(tokenId), ACCESS_EVENTS);
    expect(history.map((e) => [e.type, e.metadata.actor.type])).toEqual([['AccessTokenIssued', 'admin'], ['AccessTokenUsed', 'token'], ['AccessTokenRevoked', 'admin']]);
    const bad = await cli('issue', '--name', 'x', '--role', 'admin');
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/^error TOKEN_ROLE_INVALID: .*operations, finance, auditor/)]);
    const unknown = await cli('revoke', 'tk-0000000000000000');
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/^error TOKEN_UNKNOWN/)]);
  });
});
