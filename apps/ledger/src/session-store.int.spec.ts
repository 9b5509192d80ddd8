import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCESS_EVENTS, accessTokenStreamId } from '@pos/contracts';
import type { ServiceStore } from '@pos/eventing';
import { AccessSessions, AccessTokens, BackOfficeAccess, SESSION_IDLE_MS, SESSION_MAX_MS } from '@pos/platform';
import { sharedPostgres, type SpecDatabase } from '@pos/testing/shared-containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Deployment, openStore } from '@pos/runtime';

const MINUTE = 60_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const CLI = { type: 'admin' as const, id: 'sessions-test' };

/**
 * Two services over one access store (the embedded default's SQLite file, opened twice; the
 * microservices' PostgreSQL schema `access`, through two pools), each with its own clock set by
 * the test: a session made by one is taken by the other, and ends for both (idle, 12 hours,
 * signed out, its token revoked) from the next request on.
 */
const deployments: Array<[string, () => Promise<{ deployment: Deployment; stop(): Promise<void> }>]> = [
  [
    'embedded (SQLite)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ledger-sessions-'));
      return { deployment: { kind: 'embedded', dataDir: dir, partitions: 1 }, stop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'microservices (PostgreSQL)',
    async () => {
      const db: SpecDatabase = await sharedPostgres();
      return {
        deployment: { kind: 'distributed', brokers: ['unused:9092'], partitions: 1, replicationFactor: 1, kafkaConsumer: { sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3_000, partitionsConsumedConcurrently: 1 }, databaseUrl: db.connectionString },
        stop: () => db.stop(),
      };
    },
  ],
];

describe.each(deployments)('console sessions in the shared access store: %s', (_name, open) => {
  let stop: () => Promise<void>;
  const stores: ServiceStore[] = [];
  let t = Date.parse('2026-12-01T08:00:00.000Z');
  const clock = { now: () => new Date(t) };
  let gateway: BackOfficeAccess;
  let reconciliation: BackOfficeAccess;
  let tokens: AccessTokens;
  let token: string;
  let tokenId: string;

  const service = (store: ServiceStore) =>
    new BackOfficeAccess({ tokens: new AccessTokens(store), sessions: new AccessSessions(store), bootstrap: [], development: { accepted: false, reason: 'test' }, clock, logger: quiet });
  const code = (p: Promise<unknown>) => p.then(() => 'accepted', (e: { code?: string }) => e.code ?? String(e));

  beforeAll(async () => {
    const opened = await open();
    stop = opened.stop;
    for (let i = 0; i < 2; i++) stores.push(await openStore(opened.deployment, 'access', quiet));
    [gateway, reconciliation] = stores.map(service);
    tokens = new AccessTokens(stores[0]);
    const issued = await tokens.issue({ name: 'Anna Finance', role: 'finance' }, CLI, clock.now(), 'issue');
    [token, tokenId] = [issued.token, issued.record.tokenId];
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await stop?.();
  });

  it('takes a session made by one service in another, and moves its idle expiry on with every request, on whichever service', async () => {
    const { cookie, answer } = await reconciliation.signIn(token, '10.0.0.1', 'sign-in-1');
    expect(answer).toMatchObject({ tokenId, role: 'finance', expiresAt: new Date(t + SESSION_IDLE_MS).toISOString(), absoluteExpiresAt: new Date(t + SESSION_MAX_MS).toISOString() });
    const onGateway = await gateway.authenticateSession(cookie);
    expect(onGateway.principal).toEqual({ tokenId, name: 'Anna Finance', roles: ['finance'] });
    expect(onGateway.session).toEqual(answer);
    t += 29 * MINUTE;
    expect((await gateway.authenticateSession(cookie)).session.expiresAt).toBe(new Date(t + SESSION_IDLE_MS).toISOString());
    t += 29 * MINUTE;
    expect(await code(reconciliation.authenticateSession(cookie))).toBe('accepted');
    t += SESSION_IDLE_MS;
    expect(await code(gateway.authenticateSession(cookie))).toBe('ADMIN_UNAUTHENTICATED');
    expect(await code(reconciliation.authenticateSession(cookie))).toBe('ADMIN_UNAUTHENTICATED');
  });

  it('ends a session 12 hours after sign-in however busy it is', async () => {
    const { cookie } = await gateway.signIn(token, '10.0.0.1', 'sign-in-2');
    const signedIn = t;
    for (t += 20 * MINUTE; t < signedIn + SESSION_MAX_MS; t += 20 * MINUTE) expect(await code(reconciliation.authenticateSession(cookie))).toBe('accepted');
    t = signedIn + SESSION_MAX_MS;
    expect(await code(gateway.authenticateSession(cookie))).toBe('ADMIN_UNAUTHENTICATED');
  });

  it('ends a session signed out on one service on the other, and records its start and end in the token\'s stream', async () => {
    const { cookie, answer } = await gateway.signIn(token, '10.0.0.1', 'sign-in-3');
    const { principal } = await reconciliation.authenticateSession(cookie);
    await reconciliation.signOut(cookie, principal, 'sign-out-3');
    expect(await code(gateway.authenticateSession(cookie))).toBe('ADMIN_UNAUTHENTICATED');
    const stream = await stores[1].readStream(accessTokenStreamId(tokenId), ACCESS_EVENTS);
    expect(stream.filter((e) => 'sessionId' in e.data && e.data.sessionId === answer.sessionId).map((e) => [e.type, e.metadata.correlationId])).toEqual([
      ['AccessSessionStarted', 'sign-in-3'],
      ['AccessSessionEnded', 'sign-out-3'],
    ]);
  });

  it('ends every session of a revoked token at its next request, on every service', async () => {
    const sessions = [await gateway.signIn(token, '10.0.0.1', 'a'), await reconciliation.signIn(token, '10.0.0.1', 'b')];
    await tokens.revoke(tokenId, CLI, clock.now(), 'revoke');
    for (const access of [gateway, reconciliation]) for (const s of sessions) expect(await code(access.authenticateSession(s.cookie))).toBe('ADMIN_UNAUTHENTICATED');
    expect(await code(gateway.signIn(token, '10.0.0.1', 'c'))).toBe('ADMIN_UNAUTHENTICATED');
  });

  it('deletes sessions that ended unseen at the next sign-in, and a last activity written while its session was signed out', async () => {
    const other = await tokens.issue({ name: 'Otto Ops', role: 'operations' }, CLI, clock.now(), 'issue-2');
    // A request's touch that lost the race to a sign-out leaves its document behind.
    await stores[0].transaction((tx) => tx.documents.put('access-sessions-seen', 'f'.repeat(64), { at: clock.now().toISOString() }));
    t += SESSION_MAX_MS;
    await gateway.signIn(other.token, '10.0.0.1', 'd');
    const left = await stores[0].listDocuments<{ tokenId: string }>('access-sessions', '');
    expect(left.map((s) => s.doc.tokenId)).toEqual([other.record.tokenId]);
    expect(await stores[0].listDocuments('access-sessions-seen', '')).toHaveLength(1);
  });
});
