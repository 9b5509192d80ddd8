import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBuilt, spawnLedger } from '@pos/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, type ServiceApp, waitFor } from './testing/cluster';

/** No LEDGER_<ROLE>_TOKEN at all (the harness gives every process test tokens otherwise). */
const NO_TOKENS = { LEDGER_OPERATIONS_TOKEN: '', LEDGER_FINANCE_TOKEN: '', LEDGER_AUDITOR_TOKEN: '' };
const APPS: ServiceApp[] = ['terminal-gateway', 'settlement', 'reconciliation'];
const DEV = { authorization: 'Bearer dev-admin-token' };

const TOTALS = '/v1/reconciliation/daily-totals?businessDay=2026-11-24';
const BALANCES = '/v1/settlement/balances?merchantId=M00000000000001';
/** The log line reaches us after the answer does (another pipe): awaited, not assumed. */
const logged = (output: () => string, line: RegExp) => waitFor(async () => (line.test(output()) ? true : undefined), 10_000, 50);
const status = async (url: string, headers: Record<string, string>, path = TOTALS) => (await fetch(`${url}${path}`, { headers })).status;

describe('back-office tokens on the microservice deployment (PostgreSQL and Kafka)', () => {
  let cluster: Cluster;
  const cli = (...args: string[]) => runBuilt('tools/audit/main.js', ['tokens', ...args], { KAFKA_BROKERS: cluster.env.KAFKA_BROKERS, DATABASE_URL: cluster.env.DATABASE_URL });

  beforeAll(async () => {
    cluster = await Cluster.start();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('each service refuses to start without a token to check requests against, saying how to give it one', async () => {
    for (const app of APPS) {
      const failed = await cluster.startApp(app, 0, NO_TOKENS).then(
        () => 'started',
        (e: Error) => e.message,
      );
      expect(failed, app).toMatch(new RegExp(`^${app} exited with 1: .*no back-office tokens: set LEDGER_OPERATIONS_TOKEN, LEDGER_FINANCE_TOKEN, LEDGER_AUDITOR_TOKEN`, 's'));
      expect(failed, app).toContain('npm run tokens -- issue');
    }
  });

  it('a token issued by the CLI into PostgreSQL works on every replica, and once revoked is refused by every replica at once', async () => {
    const issued = await cli('issue', '--name', 'auditor on duty', '--role', 'auditor', '--json');
    expect(issued.code, issued.stderr).toBe(0);
    const { token, tokenId } = issued.json();
    // With the token in the store, the services start without any from the environment.
    const replicas = await Promise.all([cluster.startApp('reconciliation', 0, NO_TOKENS), cluster.startApp('reconciliation', 1, NO_TOKENS), cluster.startApp('settlement', 0, NO_TOKENS)]);
    const auth = { authorization: `Bearer ${token}` };
    const read = (headers: Record<string, string>) => Promise.all(replicas.map((r, i) => status(r.url, headers, i < 2 ? TOTALS : BALANCES)));
    expect(await read(auth)).toEqual([200, 200, 200]);
    // The development token is refused here, and each refusal says why.
    expect(await status(replicas[0].url, DEV)).toBe(401);
    await logged(replicas[0].output, /"msg":"the development token was refused: it works only on the embedded default listening on loopback"/);

    const revoked = await cli('revoke', tokenId);
    expect(revoked.code, revoked.stderr).toBe(0);
    // No wait: the very next request of each replica reads the revocation.
    expect(await read(auth)).toEqual([401, 401, 401]);
    expect((await cli('list', '--json')).json()).toEqual([expect.objectContaining({ tokenId, status: 'revoked', revokedAt: expect.any(String) })]);
    // Issued and revoked, both on the log for whoever audits access (a replica's relay publishes the CLI's events).
    const admin = new Kafka({ clientId: 'e2e-access', brokers: cluster.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const published = () => admin.fetchTopicOffsets('pos.access.events.v1').then((ps) => ps.reduce((n, p) => n + Number(p.high), 0));
      expect(await waitFor(async () => ((await published()) >= 2 ? published() : undefined), 30_000, 100)).toBe(2);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('the development token on the embedded default', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-devtoken-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused when the ledger listens beyond loopback, with a log line saying why', async () => {
    const ledger = await spawnLedger(dir, { ...NO_TOKENS, HOST: '0.0.0.0' });
    try {
      expect(await status(ledger.url, DEV)).toBe(401);
      await logged(ledger.output, /"reason":"listening on 0\.0\.0\.0, not loopback","msg":"the development token was refused: it works only on the embedded default listening on loopback"/);
    } finally {
      await ledger.kill('SIGTERM');
    }
    // The same data, on loopback: accepted.
    const local = await spawnLedger(dir, NO_TOKENS);
    try {
      expect(await status(local.url, DEV)).toBe(200);
    } finally {
      await local.kill('SIGTERM');
    }
  });
});
