/**
 * Benchmark (prints figures; not a test): importing a large acquirer clearing file with
 * `ledger-audit clearing import`, as its own process: lines per second and the importer's
 * peak resident memory, for files of growing size (so bounded memory shows as a flat peak).
 * A simulated day registers the terminals first; the file presents copies of that day's
 * transactions under fresh RRNs (valid lines: matching is not what is measured).
 *
 *   npm run bench:clearing -- --lines 1000000 --deployment embedded
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CURRENCIES, type CurrencyCode } from '@pos/money';
import { startKafka, startPostgres } from '@pos/testing/containers';
import { bearer, type LedgerProcess, runBuilt, spawnApp, spawnLedger } from '@pos/testing/processes';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '100000,1000000' },
    deployment: { type: 'string', default: 'embedded' },
    /** Caps the importer's JS heap: an import that finishes under a small cap shows its memory is bounded. */
    'heap-mb': { type: 'string' },
  },
});
const SIZES = values.lines.split(',').map(Number);

/** A built bundle as its own process; its stdout, or a failure with its output. */
const run = async (bundle: string, args: readonly string[], env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<string> => {
  const r = await runBuilt(bundle, args, env, nodeArgs);
  if (r.code !== 0) throw new Error(`${bundle} ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
};

const decimal = (minor: bigint, currency: CurrencyCode): string => {
  const e = CURRENCIES[currency].exponent;
  const neg = minor < 0n;
  const digits = (neg ? -minor : minor).toString().padStart(e + 1, '0');
  return `${neg ? '-' : ''}${e ? `${digits.slice(0, -e)}.${digits.slice(-e)}` : digits}`;
};

interface HostTxn { terminalId: string; merchantId: string; batchNo: string; kind: string; amount: string; currency: CurrencyCode; expectedFee: string; maskedPan?: string; occurredAt: string; status: string }

/** Writes a valid file of `lines` detail lines (streamed to disk, consistent BATCH lines, trailer). */
const writeFile = async (path: string, businessDay: string, host: HostTxn[], lines: number) => {
  const out = createWriteStream(path);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const templates = host.filter((t) => t.status === 'COMPLETED' && t.kind === 'SALE');
  await write(`HEADER,ACQ001,BENCH-${lines}-${Date.now()},${businessDay},${new Date().toISOString()}\n`);
  await write('merchant_id,terminal_id,batch_no,trace_no,rrn,txn_type,masked_pan,amount,currency,fee,settlement_amount,txn_time,settlement_date\n');
  const batches = new Map<string, { t: HostTxn; count: number; amount: bigint }>();
  let total = 0n;
  for (let i = 0; i < lines; i++) {
    const t = templates[i % templates.length];
    const amount = BigInt(t.amount);
    const fee = BigInt(t.expectedFee);
    const rrn = String(900_000_000_000 + i);
    await write(`${t.merchantId},${t.terminalId},${t.batchNo},${String((i % 999_999) + 1).padStart(6, '0')},${rrn},SALE,${t.maskedPan ?? ''},${decimal(amount, t.currency)},${t.currency},${decimal(fee, t.currency)},${decimal(amount - fee, t.currency)},${t.occurredAt},${businessDay}\n`);
    const key = `${t.terminalId}|${t.batchNo}|${t.currency}`;
    const b = batches.get(key) ?? { t, count: 0, amount: 0n };
    batches.set(key, { t, count: b.count + 1, amount: b.amount + amount });
    total += amount;
  }
  for (const { t, count, amount } of batches.values()) await write(`BATCH,${t.merchantId},${t.terminalId},${t.batchNo},${t.currency},${count},${decimal(amount, t.currency)},0,${decimal(0n, t.currency)}\n`);
  await write(`TRAILER,${lines},${total}\n`);
  out.end();
  await once(out, 'finish');
};

const measure = async (name: string, reconciliationUrl: string, simulatorArgs: string[], env: Record<string, string>) => {
  const day = JSON.parse(await run('tools/simulator/main.js', [...simulatorArgs, '--terminals', '8', '--transactions', '30', '--seed', '77', '--json'], env));
  const host = (await (await fetch(`${reconciliationUrl}/v1/reconciliation/host-ledger?businessDay=${day.businessDay}`, { headers: bearer('auditor') })).json()) as { transactions: HostTxn[] };
  const dir = mkdtempSync(join(tmpdir(), 'bench-clearing-'));
  try {
    for (const lines of SIZES) {
      const file = join(dir, `clearing-${lines}.csv`);
      await writeFile(file, day.businessDay, host.transactions, lines);
      const heap = values['heap-mb'] ? [`--max-old-space-size=${values['heap-mb']}`] : [];
      const r = JSON.parse(await run('tools/audit/main.js', ['--no-progress', 'clearing', 'import', file, '--json'], env, heap));
      if (r.status !== 'IMPORTED') throw new Error(`${name}: ${JSON.stringify(r)}`);
      console.log(`${name}: ${lines.toLocaleString('en-US')} lines (${Math.round(statSync(file).size / 1e6)} MB): ${Math.round(r.seconds)} s, ${Math.round(r.linesPerSecond).toLocaleString('en-US')} lines/s, importer peak RSS ${Math.round(r.peakRssMb)} MB${heap.length ? ` (JS heap capped at ${values['heap-mb']} MB)` : ''}`);
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const main = async () => {
  const processes: LedgerProcess[] = [];
  const stops: Array<() => Promise<void>> = [];
  try {
    if (values.deployment !== 'microservices') {
      const dir = mkdtempSync(join(tmpdir(), 'bench-clearing-ledger-'));
      stops.push(async () => rmSync(dir, { recursive: true, force: true }));
      const ledger = await spawnLedger(dir, { LEDGER_SCRYPT_COST: '1024' });
      processes.push(ledger);
      await measure('embedded (SQLite)', ledger.url, ['--url', ledger.url], { LEDGER_DATA_DIR: dir, KAFKA_BROKERS: '', DATABASE_URL: '' });
    }
    if (values.deployment !== 'embedded') {
      const [p, k] = await Promise.all([startPostgres({ durable: true }), startKafka()]);
      stops.push(p.stop, k.stop);
      const env = { KAFKA_BROKERS: k.brokers.join(','), DATABASE_URL: p.connectionString, KAFKA_PARTITIONS: '3', LEDGER_SCRYPT_COST: '1024' };
      const apps = await Promise.all((['terminal-gateway', 'settlement', 'reconciliation'] as const).map((a) => spawnApp(a, env)));
      processes.push(...apps);
      const [gateway, settlement, reconciliation] = apps;
      await measure('microservices (PostgreSQL)', reconciliation.url, ['--url', gateway.url, '--settlement-url', settlement.url, '--reconciliation-url', reconciliation.url], env);
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
