/**
 * The microservice deployment for e2e tests: PostgreSQL and Kafka through Testcontainers and
 * any number of replicas of each app as separate processes, plus the checks the fault and
 * scale-out tests share. Test code: imported by *.e2e.spec.ts only.
 */
import { type AppName, bearer, type LedgerProcess, spawnApp } from '@pos/testing';
import { startKafka, startPostgres, type StartedKafka, type StartedPostgres } from '@pos/testing/containers';
import { Kafka, logLevel } from 'kafkajs';
import { expect } from 'vitest';
import type { DayReport } from '../simulate-day';

export type ServiceApp = Exclude<AppName, 'ledger'>;
export const TOPICS = ['pos.terminal.events.v1', 'pos.settlement.events.v1'] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read untyped JSON answers
export const getJson = async (url: string) => (await fetch(url, { headers: bearer('auditor') })).json() as Promise<any>;

/** Polls `probe` until it gives a value (errors count as not yet). */
export const waitFor = async <T>(probe: () => Promise<T | undefined>, ms = 120_000, every = 200): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(every);
  }
};

export class Cluster {
  private readonly running = new Map<string, LedgerProcess>();
  private constructor(
    readonly pg: StartedPostgres,
    readonly kafka: StartedKafka,
    readonly env: Record<string, string>,
  ) {}

  /** `durable`: PostgreSQL with its crash-safety settings (needed where a test crashes it: see startPostgres). */
  static async start(env: Record<string, string> = {}, options: { durable?: boolean } = {}): Promise<Cluster> {
    const [pg, kafka] = await Promise.all([startPostgres({ durable: options.durable }), startKafka()]);
    return new Cluster(pg, kafka, { KAFKA_BROKERS: kafka.brokers.join(','), DATABASE_URL: pg.connectionString, KAFKA_PARTITIONS: '6', ...env });
  }

  /** Starts replica `n` of an app (a replica started again keeps its port, as a restarted pod keeps its address). */
  async startApp(app: ServiceApp, n = 0, env: Record<string, string> = {}): Promise<LedgerProcess> {
    const id = `${app}#${n}`;
    const previous = this.running.get(id);
    const p = await spawnApp(app, { ...this.env, ...env }, { port: previous ? Number(new URL(previous.url).port) : undefined });
    this.running.set(id, p);
    return p;
  }

  process(app: ServiceApp, n = 0): LedgerProcess {
    const p = this.running.get(`${app}#${n}`);
    if (!p) throw new Error(`${app}#${n} is not running`);
    return p;
  }

  /** The replicas of an app that are still running. */
  urls(app: ServiceApp): string[] {
    return [...this.running].filter(([id, p]) => id.startsWith(`${app}#`) && p.child.exitCode === null && p.child.signalCode === null).map(([, p]) => p.url);
  }

  /** The last lines each process wrote, warnings and errors only: printed when a test fails. */
  tails(): string {
    return [...this.running]
      .map(([id, p]) => `--- ${id} (last lines) ---\n${p.output().split('\n').filter((l) => l && !l.includes('"level":30')).slice(-15).join('\n')}`)
      .join('\n');
  }

  async stop(): Promise<void> {
    for (const p of this.running.values()) await p.kill('SIGTERM').catch(() => undefined);
    this.running.clear();
    await Promise.all([this.pg.stop(), this.kafka.stop()]);
  }

  /** Messages on the dead-letter topics: none, when nothing was mistaken for poison. */
  async deadLetters(): Promise<number> {
    const admin = new Kafka({ clientId: 'e2e-dlq', brokers: this.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      let n = 0;
      for (const topic of TOPICS.map((t) => `${t}.dlq`).filter((t) => existing.has(t)))
        for (const p of await admin.fetchTopicOffsets(topic)) n += Number(BigInt(p.high) - BigInt(p.low));
      return n;
    } finally {
      await admin.disconnect();
    }
  }
}

/** Ledger balances of every merchant of the day equal the day's gross, fees and net: no posting twice, none lost. */
export const expectBalancesMatch = async (settlementUrl: string, report: DayReport) => {
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

/** Sales the read side shows for a business day, over every merchant. */
export const salesShown = async (reconciliationUrl: string, businessDay: string): Promise<number> =>
  ((await getJson(`${reconciliationUrl}/v1/reconciliation/daily-totals?businessDay=${businessDay}`)).rows as Array<{ salesCount: number }>).reduce((n, r) => n + r.salesCount, 0);
