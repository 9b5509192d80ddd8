import { type AppName, bearer, type LedgerProcess, spawnApp, TEST_TOKENS } from '@pos/testing';
import { startKafka, startPostgres, type StartedKafka, type StartedPostgres } from '@pos/testing/containers';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DayReport, runDay } from './simulate-day';

const TOPICS = ['pos.terminal.events.v1', 'pos.settlement.events.v1'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const getJson = async (url: string) => (await fetch(url, { headers: bearer('auditor') })).json() as Promise<any>;

const waitFor = async <T>(probe: () => Promise<T | undefined>, ms = 120_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(200);
  }
};

/** Ledger balances of every merchant of the day must equal the day's gross, fees and net: no posting twice, none lost. */
const expectBalancesMatch = async (settlementUrl: string, report: DayReport) => {
  const merchants = [...new Set(report.expected.map((r) => r.merchantId))];
  for (const merchantId of merchants) {
    const rows = report.expected.filter((r) => r.merchantId === merchantId);
    const sum = (f: 'gross' | 'fees' | 'net') => rows.reduce((s, r) => s + r[f], 0n);
    const balances = Object.fromEntries(
      (await getJson(`${settlementUrl}/v1/settlement/balances?merchantId=${merchantId}`)).balances.map((b: { account: string; debit: string; credit: string }) => [b.account, BigInt(b.debit) - BigInt(b.credit)]),
    );
    expect(balances.SCHEME_RECEIVABLE).toBe(sum('gross'));
    expect(-balances.MERCHANT_PAYABLE).toBe(sum('net'));
    expect(-balances.FEE_INCOME).toBe(sum('fees'));
  }
};

const totalsOf = async (url: string, businessDay: string) => (await getJson(`${url}/v1/reconciliation/daily-totals?businessDay=${businessDay}`)).rows;

/** Faults on the microservice deployment, each on its own broker and database server. */
describe('faults on Kafka and PostgreSQL', () => {
  let pg: StartedPostgres;
  let kafka: StartedKafka;
  let env: Record<string, string>;
  const running = new Map<AppName, LedgerProcess>();
  /** Starts an app; a restarted one keeps its port, as a restarted pod keeps its service address. */
  const start = async (app: AppName) => {
    const previous = running.get(app);
    const p = await spawnApp(app, env, { port: previous ? Number(new URL(previous.url).port) : undefined });
    running.set(app, p);
    return p;
  };
  const url = (app: AppName) => running.get(app)!.url;
  const day = (seed: number) =>
    runDay({ adminToken: TEST_TOKENS.operations, terminals: 8, transactions: 150, seed, unbalancedEvery: 4, settleTimeoutMs: 180_000, url: url('terminal-gateway'), settlementUrl: url('settlement'), reconciliationUrl: url('reconciliation'), log: () => undefined });

  beforeEach(async () => {
    [pg, kafka] = await Promise.all([startPostgres(), startKafka()]);
    env = { KAFKA_BROKERS: kafka.brokers.join(','), DATABASE_URL: pg.connectionString, KAFKA_PARTITIONS: '3' };
    await Promise.all((['terminal-gateway', 'settlement', 'reconciliation'] as const).map(start));
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail')
      for (const [app, p] of running) console.error(`--- ${app} (last lines) ---\n${p.output().split('\n').filter((l) => !l.includes('"level":30')).slice(-15).join('\n')}`);
    for (const p of running.values()) await p.kill('SIGTERM');
    running.clear();
    await Promise.all([pg?.stop(), kafka?.stop()]);
  });

  it('SIGKILL of settlement mid-day: after restart, totals are exact and nothing is posted twice', async () => {
    const result = day(101);
    await sleep(4_000);
    const settlement = running.get('settlement')!;
    expect(await settlement.kill('SIGKILL')).toBeNull();
    await sleep(1_000);
    await start('settlement');
    const report = await result;
    expect(report.errors).toEqual([]);
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    await expectBalancesMatch(url('settlement'), report);
  });

  it('rewinding consumer groups and replaying from the start changes nothing', async () => {
    const report = await day(202);
    expect(report.ok).toBe(true);
    const before = await totalsOf(url('reconciliation'), report.businessDay);
    for (const app of ['settlement', 'reconciliation'] as const) await running.get(app)!.kill('SIGTERM');

    const admin = new Kafka({ clientId: 'rewind', brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const groups = { settlement: [TOPICS[0]], reconciliation: TOPICS };
    for (const [groupId, topics] of Object.entries(groups)) for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: true });
    const lagOf = async (groupId: keyof typeof groups) => {
      let lag = 0n;
      for (const topic of groups[groupId]) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [c] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const e of ends) lag += BigInt(e.high) - BigInt(Math.max(0, Number(c?.partitions.find((p) => p.partition === e.partition)?.offset ?? 0)));
      }
      return lag;
    };
    expect(await lagOf('reconciliation')).toBeGreaterThan(0n);
    expect(await lagOf('settlement')).toBeGreaterThan(0n);

    await Promise.all([start('settlement'), start('reconciliation')]);
    await waitFor(async () => ((await lagOf('reconciliation')) === 0n && (await lagOf('settlement')) === 0n ? true : undefined));
    await admin.disconnect();
    expect(await totalsOf(url('reconciliation'), report.businessDay)).toEqual(before);
    await expectBalancesMatch(url('settlement'), report);
  });

  it('restarting the broker during the day loses nothing that was acknowledged', async () => {
    const result = day(303);
    await sleep(4_000);
    await kafka.container.restart();
    const report = await result;
    expect(report.errors).toEqual([]);
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    await expectBalancesMatch(url('settlement'), report);
  });
});
