/**
 * Benchmark (prints figures; not a test): how fast `ledger-audit` rebuilds projections,
 * beside the raw read rate of the same log (`ledger-audit scan`: the same reader, no
 * projection), on both deployments. Simulated days fill the log first; then every figure
 * is the median of several runs of the built CLI as its own process.
 *
 *   npm run bench:replay -- --runs 3 --days 3 --terminals 20 --transactions 200
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startKafka, startPostgres } from '@pos/testing/containers';
import { type LedgerProcess, runBuilt, spawnApp, spawnLedger } from '@pos/testing/processes';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    days: { type: 'string', default: '3' },
    terminals: { type: 'string', default: '20' },
    transactions: { type: 'string', default: '200' },
    partitions: { type: 'string', default: '6' },
    deployment: { type: 'string', default: 'both' },
  },
});
const RUNS = Number(values.runs);
const DAYS = Number(values.days);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A built bundle as its own process; its stdout, or a failure with its output. */
const run = async (bundle: string, args: readonly string[], env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<string> => {
  const r = await runBuilt(bundle, args, env, nodeArgs);
  if (r.code !== 0) throw new Error(`${bundle} ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
};

const audit = async (args: readonly string[], env: Record<string, string>) => JSON.parse(await run('tools/audit/main.js', ['--no-progress', ...args], env));

/** Fills the log with simulated days, then measures scan (raw), scan --decode, rebuilds and an as-of replay. */
const measure = async (name: string, urls: { url: string; settlementUrl?: string; reconciliationUrl?: string }, env: Record<string, string>) => {
  for (let day = 1; day <= DAYS; day++) {
    const sim = ['--url', urls.url, '--terminals', String(values.terminals), '--transactions', String(values.transactions), '--seed', String(9000 + day), '--json'];
    if (urls.settlementUrl) sim.push('--settlement-url', urls.settlementUrl, '--reconciliation-url', urls.reconciliationUrl!);
    const report = JSON.parse(await run('tools/simulator/main.js', sim, env));
    if (!report.ok) throw new Error(`${name}: simulated day ${day} did not match its record`);
    console.log(`${name}: day ${day}: ${report.transactions} transactions at ${Math.round(report.transactionsPerSecond)} tx/s`);
  }
  const raw: number[] = [];
  const decoded: number[] = [];
  const rebuilds: Record<string, number[]> = { 'daily-totals': [], 'audit-trail': [], 'ledger-balances': [] };
  const asOf: number[] = [];
  let messages = 0;
  for (let i = 1; i <= RUNS; i++) {
    const scan = await audit(['scan', '--json'], env);
    messages = scan.messages;
    raw.push(scan.messagesPerSecond);
    decoded.push((await audit(['scan', '--decode', '--json'], env)).messagesPerSecond);
    for (const p of Object.keys(rebuilds)) {
      const r = await audit(['rebuild', p, '--json'], env);
      if (!r.equal) throw new Error(`${name}: rebuilt ${p} differs from live`);
      rebuilds[p].push(r.eventsPerSecond);
    }
    asOf.push((await audit(['as-of', 'daily-totals', '--at', new Date().toISOString(), '--format', 'json'], env)).eventsPerSecond);
  }
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`\n${name}: medians of ${RUNS} runs over ${messages} log messages`);
  console.log(`  raw read (scan):                     ${n(median(raw))} messages/s`);
  console.log(`  read + decode (scan --decode):       ${n(median(decoded))} messages/s`);
  for (const [p, xs] of Object.entries(rebuilds)) console.log(`  rebuild ${p.padEnd(16)} (to the store): ${n(median(xs))} events/s   ratio to raw read ${(Math.round((median(xs) / median(raw)) * 100) / 100).toString()}`);
  console.log(`  as-of daily-totals (in memory):      ${n(median(asOf))} events/s\n`);
};

const main = async () => {
  const processes: LedgerProcess[] = [];
  const stops: Array<() => Promise<void>> = [];
  try {
    if (values.deployment !== 'microservices') {
      const dir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
      stops.push(async () => rmSync(dir, { recursive: true, force: true }));
      const ledger = await spawnLedger(dir, { LEDGER_SCRYPT_COST: '1024' });
      processes.push(ledger);
      await measure('embedded', { url: ledger.url }, { LEDGER_DATA_DIR: dir, KAFKA_BROKERS: '', DATABASE_URL: '' });
    }
    if (values.deployment !== 'embedded') {
      const [p, k] = await Promise.all([startPostgres({ durable: true }), startKafka({ numPartitions: Number(values.partitions) })]);
      stops.push(p.stop, k.stop);
      const env = { KAFKA_BROKERS: k.brokers.join(','), DATABASE_URL: p.connectionString, KAFKA_PARTITIONS: String(values.partitions), LEDGER_SCRYPT_COST: '1024' };
      const [gateway, settlement, reconciliation] = await Promise.all((['terminal-gateway', 'settlement', 'reconciliation'] as const).map((a) => spawnApp(a, env)));
      processes.push(gateway, settlement, reconciliation);
      await measure('microservices (Kafka + PostgreSQL)', { url: gateway.url, settlementUrl: settlement.url, reconciliationUrl: reconciliation.url }, env);
    }
  } finally {
    for (const p of processes) await p.kill('SIGTERM');
    for (const stop of stops) await stop();
  }
};

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
