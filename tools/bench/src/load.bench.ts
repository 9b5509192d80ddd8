/**
 * Load benchmark (prints figures; not a test). See docs/benchmark.md.
 *
 *   npm run bench:load -- --terminals 1,10,50,200 --seconds 10 --runs 3
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type LedgerProcess, spawnLedger } from '@pos/testing/processes';
import { driveSales } from './load/drive';
import { openTerminals, projectedSales } from './load/terminals';

const { values } = parseArgs({
  options: {
    terminals: { type: 'string', default: '1,10,50,200' },
    seconds: { type: 'string', default: '10' },
    runs: { type: 'string', default: '1' },
    url: { type: 'string' },
  },
});
const TERMINALS = values.terminals.split(',').map(Number);
const SECONDS = Number(values.seconds);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-load-'));
  let ledger: LedgerProcess | undefined;
  try {
    ledger = values.url ? { url: values.url, kill: async () => null, child: undefined as never, output: () => '' } : await spawnLedger(dir, { LEDGER_SCRYPT_COST: '1024', ...(process.env.BENCH_PROFILE_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}` } : {}) });
    const merchantId = 'MLOAD0000000001';
    const all = await openTerminals(ledger.url, Math.max(...TERMINALS), 'L', merchantId);
    const day = new Date().toISOString().slice(0, 10);
    let total = 0;
    for (const n of TERMINALS) {
      const r = await driveSales(ledger.url, all.slice(0, n), SECONDS);
      total += r.sales;
      const done = performance.now();
      while ((await projectedSales(ledger.url, merchantId, day)) < total) await sleep(20);
      const lag = performance.now() - done;
      console.log(`${n} terminals: ${Math.round(r.salesPerSecond)} sales/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms, failures ${r.failures}, projections caught up ${Math.round(lag)} ms after the last sale`);
    }
  } finally {
    await ledger?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
};

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
