/**
 * Load benchmark (prints figures; not a test). See docs/benchmark.md.
 *
 *   npm run bench:load -- --deployment embedded --terminals 1,10,50,200 --seconds 10
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startKafka, startPostgres } from '@pos/testing/containers';
import { type LedgerProcess, spawnApp, spawnLedger } from '@pos/testing/processes';
import { driveSales, type TerminalLogin } from './load/drive';
import { openTerminals, projectedSales } from './load/terminals';

const { values } = parseArgs({
  options: {
    deployment: { type: 'string', default: 'embedded' },
    terminals: { type: 'string', default: '1,10,50,200' },
    seconds: { type: 'string', default: '10' },
    url: { type: 'string' },
  },
});
const TERMINALS = values.terminals.split(',').map(Number);
const SECONDS = Number(values.seconds);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const profiling = (): Record<string, string> => (process.env.BENCH_PROFILE_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}` } : {});

/** Drives each terminal count in turn against `gateway`, and waits for `reconciliation` to show every sale. */
const series = async (label: string, gateway: string, reconciliation: string, merchantId: string, all: TerminalLogin[]) => {
  const day = new Date().toISOString().slice(0, 10);
  let total = await projectedSales(reconciliation, merchantId, day);
  for (const n of TERMINALS) {
    const r = await driveSales(gateway, all.slice(0, n), SECONDS);
    total += r.sales;
    const done = performance.now();
    while ((await projectedSales(reconciliation, merchantId, day)) < total) await sleep(20);
    const lag = performance.now() - done;
    console.log(`${label}, ${n} terminals: ${Math.round(r.salesPerSecond)} sales/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms, failures ${r.failures}, projections caught up ${Math.round(lag)} ms after the last sale`);
  }
};

const embedded = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-load-'));
  let ledger: LedgerProcess | undefined;
  try {
    const url = values.url ?? (ledger = await spawnLedger(dir, { LEDGER_SCRYPT_COST: '1024', ...profiling() })).url;
    const merchantId = 'MLOAD0000000001';
    await series('embedded', url, url, merchantId, await openTerminals(url, Math.max(...TERMINALS), 'L', merchantId));
  } finally {
    await ledger?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
};

const microservices = async () => {
  const [pg, kafka] = await Promise.all([startPostgres({ durable: true, serverArgs: ['-c', 'max_connections=300'] }), startKafka({ numPartitions: 6 })]);
  const apps: LedgerProcess[] = [];
  try {
    const env = { KAFKA_BROKERS: kafka.brokers.join(','), DATABASE_URL: pg.connectionString, KAFKA_PARTITIONS: '6', LEDGER_SCRYPT_COST: '1024', ...profiling() };
    apps.push(...(await Promise.all((['terminal-gateway', 'settlement', 'reconciliation'] as const).map((a) => spawnApp(a, env)))));
    const [gateway, , reconciliation] = apps;
    const merchantId = 'MLOAD0000000002';
    await series('microservices', gateway.url, reconciliation.url, merchantId, await openTerminals(gateway.url, Math.max(...TERMINALS), 'K', merchantId));
  } finally {
    for (const a of apps) await a.kill('SIGTERM');
    await Promise.all([pg.stop(), kafka.stop()]);
  }
};

const main = async () => {
  if (values.deployment === 'embedded' || values.deployment === 'both') await embedded();
  if (values.deployment === 'microservices' || values.deployment === 'both') await microservices();
};

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
