import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { businessDayOf } from '@pos/kernel';
import { type LedgerProcess, spawnLedger, TEST_TOKENS } from '@pos/testing';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { runDay } from './simulate-day';
import { Cluster, expectBalancesMatch, getJson, salesShown, type ServiceApp, TOPICS, waitFor } from './testing/cluster';

/**
 * Faults exactly where group commit, batched relays and batch consumers could lose or double
 * an event: a gateway killed with groups in flight, PostgreSQL crashing mid-day, a relay killed
 * between publishing a batch and removing it from the outbox, a consumer frozen past its
 * session timeout and resumed, and rebalances while batches are applied.
 */

const PAN = '4111111111111111';
const ADMIN = TEST_TOKENS.operations;
const APPS: readonly ServiceApp[] = ['terminal-gateway', 'settlement', 'reconciliation'];

interface Terminal {
  readonly id: string;
  readonly key: string;
  stan: number;
  /** Every sale sent: its body, and the RRN of the answer when one came back. */
  readonly sales: Array<{ body: { stan: string; amount: number } & Record<string, unknown>; rrn?: string }>;
}

const post = async (url: string, path: string, body: unknown, auth: string) => {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

const openTerminals = async (url: string, prefix: string, merchantId: string, count: number): Promise<Terminal[]> =>
  Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `${prefix}${String(i).padStart(8 - prefix.length, '0')}`;
      const reg = await post(url, '/v1/admin/terminals', { terminalId: id, merchantId, merchantName: 'Fault test', currencies: [{ currency: 'CNY', maxAmount: 10_000_000 }], operators: [{ operatorId: '01', password: '4321' }] }, ADMIN);
      expect(reg.status).toBe(201);
      const t: Terminal = { id, key: reg.body.apiKey, stan: 1, sales: [] };
      expect((await post(url, `/v1/terminals/${id}/sign-on`, { stan: '000001', operatorId: '01', password: '4321' }, t.key)).body.responseCode).toBe('00');
      return t;
    }),
  );

/** Each terminal sells one sale at a time until its request fails (the host died) or `stop` says so. */
const trade = (url: () => string, terminals: readonly Terminal[], stop: () => boolean) =>
  Promise.all(
    terminals.map(async (t) => {
      while (!stop()) {
        t.stan++;
        const body = { stan: String(t.stan).padStart(6, '0'), batchNo: '000001', amount: 1_000 + t.stan, currency: 'CNY', method: 'BANK_CARD', card: { pan: PAN } };
        const sale: Terminal['sales'][number] = { body };
        t.sales.push(sale);
        try {
          const res = await post(url(), `/v1/terminals/${t.id}/sales`, body, t.key);
          if (res.body.responseCode !== '00') throw new Error(`sale refused: ${JSON.stringify(res.body)}`);
          sale.rrn = res.body.rrn;
        } catch (e) {
          if (e instanceof Error && e.message.startsWith('sale refused')) throw e;
          return; // no answer: the host is gone
        }
      }
    }),
  );

const acknowledged = (terminals: readonly Terminal[]) => terminals.reduce((n, t) => n + t.sales.filter((s) => s.rrn).length, 0);

/**
 * After a gateway came back: every sale is sent again. An acknowledged one must get its own
 * RRN back; an unanswered one is answered now (the original if it had committed). Then each
 * terminal settles with its own totals: BALANCED means every sale is there exactly once.
 */
const retransmitAndSettle = async (url: string, terminals: readonly Terminal[]) => {
  let unanswered = 0;
  for (const t of terminals)
    for (const s of t.sales) {
      const res = await post(url, `/v1/terminals/${t.id}/sales`, s.body, t.key);
      expect(res.body.responseCode).toBe('00');
      if (s.rrn) expect(res.body.rrn).toBe(s.rrn);
      else unanswered++;
      s.rrn = res.body.rrn;
    }
  for (const t of terminals) {
    const total = t.sales.reduce((n, s) => n + BigInt(s.body.amount), 0n);
    t.stan++;
    const settle = await post(url, `/v1/terminals/${t.id}/settlement`, {
      stan: String(t.stan).padStart(6, '0'), batchNo: '000001', operatorId: '01', password: '4321',
      totals: [{ currency: 'CNY', debitCount: t.sales.length, debitAmount: total.toString(), creditCount: 0, creditAmount: 0 }],
    }, t.key);
    expect(settle.body, t.id).toMatchObject({ responseCode: '00', result: 'BALANCED' });
  }
  return unanswered;
};

/** The read side shows each terminal's sales once: counts and amounts as the terminals recorded them, one trail entry per sale. */
const expectProjectedOnce = async (reconciliationUrl: string, terminals: readonly Terminal[], merchantId: string) => {
  const day = businessDayOf(new Date());
  const count = terminals.reduce((n, t) => n + t.sales.length, 0);
  const amount = terminals.reduce((n, t) => n + t.sales.reduce((m, s) => m + BigInt(s.body.amount), 0n), 0n);
  const summary = await waitFor(async () => {
    const { summary } = await getJson(`${reconciliationUrl}/v1/reconciliation/daily-totals?businessDay=${day}&merchantId=${merchantId}`);
    return summary[0]?.salesCount === count ? summary[0] : undefined;
  });
  expect(summary).toMatchObject({ salesCount: count, salesAmount: amount.toString() });
  for (const t of terminals.slice(0, 5)) {
    const { entries } = await getJson(`${reconciliationUrl}/v1/reconciliation/audit-trail/${t.id}/${day}`);
    const stans = entries.filter((e: { type: string }) => e.type === 'TransactionCompleted').map((e: { data: { stan: string } }) => e.data.stan);
    expect(stans).toHaveLength(t.sales.length);
    expect(new Set(stans).size).toBe(stans.length);
  }
};

describe('a gateway killed with group commits in flight', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it('embedded: keeps every acknowledged sale once, and commits or forgets each unanswered one whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-groups-'));
    let ledger: LedgerProcess = await spawnLedger(dir, { LEDGER_SCRYPT_COST: '1024' });
    cleanup.push(async () => {
      await ledger.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    });
    const merchantId = 'MGROUPS00000001';
    const terminals = await openTerminals(ledger.url, 'G', merchantId, 40);
    let killed = false;
    const flow = trade(() => ledger.url, terminals, () => killed);
    await waitFor(async () => (acknowledged(terminals) >= 600 ? true : undefined), 60_000, 5);
    killed = true;
    await ledger.kill('SIGKILL');
    await flow;
    ledger = await spawnLedger(dir, { LEDGER_SCRYPT_COST: '1024' }, { port: Number(new URL(ledger.url).port) });
    const unanswered = await retransmitAndSettle(ledger.url, terminals);
    // Forty terminals were each waiting for an answer when the process died.
    expect(unanswered).toBeGreaterThan(0);
    await expectProjectedOnce(ledger.url, terminals, merchantId);
  });

  it('Kafka and PostgreSQL: the same, with the other services running on', async () => {
    const cluster = await Cluster.start();
    cleanup.push(() => cluster.stop());
    await Promise.all(APPS.map((app) => cluster.startApp(app)));
    const merchantId = 'MGROUPS00000002';
    const terminals = await openTerminals(cluster.urls('terminal-gateway')[0], 'H', merchantId, 40);
    let killed = false;
    const flow = trade(() => cluster.urls('terminal-gateway')[0], terminals, () => killed);
    await waitFor(async () => (acknowledged(terminals) >= 600 ? true : undefined), 60_000, 5);
    killed = true;
    await cluster.process('terminal-gateway').kill('SIGKILL');
    await flow;
    await cluster.startApp('terminal-gateway');
    const unanswered = await retransmitAndSettle(cluster.urls('terminal-gateway')[0], terminals);
    expect(unanswered).toBeGreaterThan(0);
    await expectProjectedOnce(cluster.urls('reconciliation')[0], terminals, merchantId);
    expect(await cluster.deadLetters()).toBe(0);
  });
});

describe('faults on Kafka and PostgreSQL while batches are in flight', () => {
  let cluster: Cluster | undefined;
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && cluster) console.error(cluster.tails());
    await cluster?.stop();
    cluster = undefined;
  });

  const day = (c: Cluster, seed: number) =>
    runDay({
      adminToken: ADMIN, terminals: 8, transactions: 300, seed, unbalancedEvery: 4, retryForMs: 120_000, settleTimeoutMs: 180_000,
      url: c.urls('terminal-gateway'), settlementUrl: c.urls('settlement'), reconciliationUrl: c.urls('reconciliation'), log: () => undefined,
    });
  const expectExactDay = async (c: Cluster, report: Awaited<ReturnType<typeof day>>) => {
    expect(report.errors).toEqual([]);
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.settlementsChecked).toBe(report.terminalsCompleted);
    await expectBalancesMatch(c.urls('settlement')[0], report);
    // An outage is retried, never mistaken for a poison message.
    expect(await c.deadLetters()).toBe(0);
  };

  it('PostgreSQL crashes mid-day and comes back: nothing acknowledged is lost, nothing is dead-lettered', async () => {
    // Durable, as in production: a test server without synchronous commits forgets its last acknowledged commits in a crash.
    cluster = await Cluster.start({}, { durable: true });
    await Promise.all(APPS.map((app) => cluster!.startApp(app)));
    const result = day(cluster, 7101);
    await waitFor(async () => ((await salesShown(cluster!.urls('reconciliation')[0], businessDayOf(new Date()))) >= 200 ? true : undefined), 120_000, 50);
    await cluster.pg.crashAndRestart();
    const report = await result;
    // Terminals were answered 96 or not at all while the database was down, and sent again.
    expect(report.retransmissions).toBeGreaterThan(0);
    await expectExactDay(cluster, report);
  });

  it('the relay is killed between publishing a batch and deleting it: the batch goes out again, downstream applies it once', async () => {
    cluster = await Cluster.start();
    await Promise.all(['settlement', 'reconciliation'].map((app) => cluster!.startApp(app as ServiceApp)));
    const gateway = await cluster.startApp('terminal-gateway', 0, { LEDGER_FAULT_POINT: 'relay-after-publish', LEDGER_FAULT_AFTER_EVENTS: '300' });
    const result = day(cluster, 7202);
    // The relay says where it stopped; kill it there.
    await waitFor(async () => (gateway.output().includes('"faultPoint":"relay-after-publish"') ? true : undefined), 60_000, 20);
    await gateway.kill('SIGKILL');
    await cluster.startApp('terminal-gateway', 0);
    const report = await result;
    await expectExactDay(cluster, report);
    // The topic holds the re-published batch twice: more records than the gateway stored events.
    const admin = new Kafka({ clientId: 'e2e-count', brokers: cluster.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const records = (await admin.fetchTopicOffsets(TOPICS[0])).reduce((n, p) => n + Number(p.high), 0);
    await admin.disconnect();
    const db = new pg.Client({ connectionString: cluster.pg.connectionString });
    await db.connect();
    const { rows: [{ n }] } = await db.query('SELECT count(*)::int AS n FROM terminal_gateway.events');
    await db.end();
    expect(records).toBeGreaterThan(n);
  });

  it('a consumer frozen past its session timeout resumes as a zombie, and replicas come and go: the day stays exact', async () => {
    cluster = await Cluster.start();
    await Promise.all([cluster.startApp('terminal-gateway'), cluster.startApp('settlement', 0), cluster.startApp('reconciliation', 0), cluster.startApp('reconciliation', 1)]);
    const result = day(cluster, 7303);
    await waitFor(async () => ((await salesShown(cluster!.urls('reconciliation')[0], businessDayOf(new Date()))) >= 200 ? true : undefined), 120_000, 50);
    // Freeze one reconciliation replica past its 6 s session: its partitions go to the other one.
    const frozen = cluster.process('reconciliation', 1);
    frozen.child.kill('SIGSTOP');
    // Meanwhile a second settlement replica joins (a rebalance with batches in flight)...
    await cluster.startApp('settlement', 1);
    await new Promise((r) => setTimeout(r, 9_000));
    // ...the frozen one wakes up holding batches it no longer owns, and rejoins...
    frozen.child.kill('SIGCONT');
    // ...and the replica that took its partitions leaves (another rebalance): the zombie carries on alone.
    await cluster.process('reconciliation', 0).kill('SIGTERM');
    const report = await result;
    await expectExactDay(cluster, report);
  });
});
