/**
 * Load benchmark (prints figures; not a test). See docs/benchmark.md.
 *
 *   npm run bench:load                                  # throughput, both deployments, medians of 3 runs
 *   npm run bench:load -- --series cost                 # sale latency with 1k / 10k / 100k events in the stream
 *   npm run bench:load -- --series memory               # gateway RSS after 1,000,000 sales across 10,000 terminals
 *   npm run bench:load -- --series takeover             # how long a killed consumer's partitions stand still
 *
 * Terminals each send one request at a time, as terminals do. Every figure is printed beside
 * the machine's own limit measured in the same run (see load/baselines.ts), as a ratio. The
 * throughput series drives the gateway over HTTP, then over ISO 8583 (one TCP connection per
 * terminal) on the same ledger in the same run, and prints the two side by side.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freeLoopbackPort, startKafka, startPostgres, type StartedKafka, type StartedPostgres } from '@pos/testing/containers';
import { type LedgerProcess, spawnApp, spawnLedger } from '@pos/testing/processes';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { kafkaRaw, postgresInserts, sqliteCommits } from './load/baselines';
import { driveSales, type DriveResult, saleBody, type TerminalLogin } from './load/drive';
import { closeIsoTerminals, driveIsoSales, openIsoTerminals } from './load/drive-iso8583';
import { openTerminals, projectedSales } from './load/terminals';

const { values } = parseArgs({
  options: {
    series: { type: 'string', default: 'throughput' },
    deployment: { type: 'string', default: 'both' },
    terminals: { type: 'string', default: '1,10,50,200' },
    seconds: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    url: { type: 'string' },
    iso8583: { type: 'string' },
    'memory-terminals': { type: 'string', default: '10000' },
    'memory-sales': { type: 'string', default: '1000000' },
  },
});
const TERMINALS = values.terminals.split(',').map(Number);
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (n: number) => `${Math.round(n * 1000) / 1000}`;
const profiling = (): Record<string, string> => (process.env.BENCH_PROFILE_DIR ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}` } : {});
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const today = () => new Date().toISOString().slice(0, 10);

interface Point extends DriveResult {
  readonly lagMs: number;
}

/** Drives each terminal count in turn (`drive(n)`: n terminals); after each, waits until the read side shows every sale. */
const series = async (reconciliation: string, merchantId: string, drive: (terminals: number) => Promise<DriveResult>): Promise<Point[]> => {
  let total = await projectedSales(reconciliation, merchantId, today());
  const points: Point[] = [];
  for (const n of TERMINALS) {
    const r = await drive(n);
    total += r.sales;
    const done = performance.now();
    while ((await projectedSales(reconciliation, merchantId, today())) < total) await sleep(20);
    points.push({ ...r, lagMs: performance.now() - done });
  }
  return points;
};

const printPoints = (label: string, run: number, points: readonly Point[]) => {
  for (const p of points)
    console.log(`${label} run ${run}, ${p.terminals} terminals: ${int(p.salesPerSecond)} sales/s, p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, max ${p.maxMs} ms, failures ${p.failures}, projections caught up ${int(p.lagMs)} ms after the last sale`);
};

/** One table row per terminal count, medians over the runs, each beside the run's baselines. */
const printMedians = (title: string, runs: ReadonlyArray<{ points: readonly Point[]; baselines: Record<string, number> }>, ratios: ReadonlyArray<[string, string]>) => {
  console.log(`\n${title} (medians of ${runs.length} runs, ${SECONDS} s per point)`);
  const names = Object.keys(runs[0].baselines);
  console.log(`| terminals | sales/s | p50 ms | p99 ms | max ms | projections caught up after (ms) | ${ratios.map(([, l]) => l).join(' | ')} |`);
  console.log(`|---|---|---|---|---|---|${ratios.map(() => '---|').join('')}`);
  for (const [i, n] of TERMINALS.entries()) {
    const pick = (f: keyof Point) => median(runs.map((r) => r.points[i][f] as number));
    const perRun = (b: string) => median(runs.map((r) => r.points[i].salesPerSecond / r.baselines[b]));
    console.log(`| ${n} | ${int(pick('salesPerSecond'))} | ${pick('p50Ms')} | ${pick('p99Ms')} | ${pick('maxMs')} | ${int(pick('lagMs'))} | ${ratios.map(([b]) => ratio(perRun(b))).join(' | ')} |`);
  }
  console.log(`baselines (medians): ${names.map((b) => `${b} ${int(median(runs.map((r) => r.baselines[b])))}/s`).join(', ')}`);
};

/**
 * The series over HTTP and over ISO 8583 on the same gateway (terminals of another merchant, so
 * each series counts its own sales). Odd runs go HTTP first, even runs ISO 8583 first: the
 * second series of a run meets a warmer process (JIT, page cache), and the medians should not
 * credit that to one protocol.
 */
const bothProtocols = async (run: number, gateway: string, iso: { host: string; port: number }, reconciliation: string, prefix: string, merchantIds: { http: string; iso: string }) => {
  const logins = await openTerminals(gateway, Math.max(...TERMINALS), `${prefix}H`, merchantIds.http);
  const isoLogins = await openIsoTerminals(gateway, iso, Math.max(...TERMINALS), `${prefix}I`, merchantIds.iso);
  const overHttp = () => series(reconciliation, merchantIds.http, (n) => driveSales(gateway, logins.slice(0, n), { seconds: SECONDS }));
  const overIso = () => series(reconciliation, merchantIds.iso, (n) => driveIsoSales(isoLogins.slice(0, n), { seconds: SECONDS }));
  try {
    if (run % 2 === 1) {
      const points = await overHttp();
      return { points, iso: await overIso() };
    }
    const isoPoints = await overIso();
    return { points: await overHttp(), iso: isoPoints };
  } finally {
    await closeIsoTerminals(isoLogins);
  }
};

/** ISO 8583 beside HTTP, one row per terminal count: medians over the runs, the ratio taken within each run. */
const printIsoBesideHttp = (title: string, runs: ReadonlyArray<{ points: readonly Point[]; iso: readonly Point[] }>) => {
  console.log(`\n${title}: ISO 8583 beside HTTP, same gateway, same run (medians of ${runs.length} runs, ${SECONDS} s per point)`);
  console.log('| terminals | ISO 8583 sales/s | p50 ms | p99 ms | failures | HTTP sales/s | p50 ms | p99 ms | ratio ISO 8583 / HTTP |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [i, n] of TERMINALS.entries()) {
    const of = (side: 'points' | 'iso', f: keyof Point) => median(runs.map((r) => r[side][i][f] as number));
    const perRun = median(runs.map((r) => r.iso[i].salesPerSecond / r.points[i].salesPerSecond));
    console.log(`| ${n} | ${int(of('iso', 'salesPerSecond'))} | ${of('iso', 'p50Ms')} | ${of('iso', 'p99Ms')} | ${of('iso', 'failures')} | ${int(of('points', 'salesPerSecond'))} | ${of('points', 'p50Ms')} | ${of('points', 'p99Ms')} | ${ratio(perRun)} |`);
  }
};

/** The ISO 8583 listener of a ledger started by the bench (a free port), or of --url's (--iso8583, default its host:8583). */
const isoAddress = async (url: string | undefined) => {
  if (!url) return { host: '127.0.0.1', port: await freeLoopbackPort() };
  const [host, port] = (values.iso8583 ?? `${new URL(url).hostname}:8583`).split(':');
  return { host, port: Number(port) };
};

const embeddedThroughput = async () => {
  const runs = [];
  for (let run = 1; run <= RUNS; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-load-'));
    let ledger: LedgerProcess | undefined;
    try {
      const iso = await isoAddress(values.url);
      const url = values.url ?? (ledger = await spawnLedger(dir, { LEDGER_SCRYPT_COST: '1024', LEDGER_ISO8583_PORT: String(iso.port), ...profiling() })).url;
      const { points, iso: isoPoints } = await bothProtocols(run, url, iso, url, `L${run}`, { http: `MLOAD${String(run).padStart(10, '0')}`, iso: `MLOADISO${String(run).padStart(7, '0')}` });
      printPoints('embedded HTTP', run, points);
      printPoints('embedded ISO 8583', run, isoPoints);
      await ledger?.kill('SIGTERM');
      ledger = undefined;
      // The same disk, nothing else running: durable commits of one row, and of a hundred.
      const baselines = { 'SQLite 1 row/commit': sqliteCommits(dir, 1, 3), 'SQLite 100 rows/commit': sqliteCommits(dir, 100, 3) };
      console.log(`embedded run ${run} baselines: ${Object.entries(baselines).map(([k, v]) => `${k} ${int(v)} rows/s`).join(', ')}`);
      runs.push({ points, iso: isoPoints, baselines });
    } finally {
      await ledger?.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ratios: Array<[string, string]> = [
    ['SQLite 1 row/commit', 'ratio to SQLite commits/s (1 row)'],
    ['SQLite 100 rows/commit', 'ratio to SQLite rows/s (100 per commit)'],
  ];
  printMedians('embedded default (one process, SQLite, durable commits), over HTTP', runs, ratios);
  printMedians('embedded default, over ISO 8583', runs.map((r) => ({ points: r.iso, baselines: r.baselines })), ratios);
  printIsoBesideHttp('embedded default', runs);
};

/** PostgreSQL (durable) and Kafka with the services' layout, shared by a series' runs (each run has a database of its own). */
const withCluster = async <T>(fn: (pg: StartedPostgres, kafka: StartedKafka) => Promise<T>): Promise<T> => {
  const [pgc, kafka] = await Promise.all([startPostgres({ durable: true, serverArgs: ['-c', 'max_connections=300'] }), startKafka({ numPartitions: 6 })]);
  try {
    return await fn(pgc, kafka);
  } finally {
    await Promise.all([pgc.stop(), kafka.stop()]);
  }
};

const freshDatabase = async (server: StartedPostgres, name: string) => {
  const admin = new pg.Client({ connectionString: server.connectionString });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server.connectionString);
  url.pathname = `/${name}`;
  return url.toString();
};

const microservicesThroughput = () =>
  withCluster(async (server, kafka) => {
    const runs: Array<{ points: Point[]; iso: Point[]; baselines: Record<string, number> }> = [];
    for (let run = 1; run <= RUNS; run++) {
      const env = { KAFKA_BROKERS: kafka.brokers.join(','), DATABASE_URL: await freshDatabase(server, `load_${run}_${Date.now()}`), KAFKA_PARTITIONS: '6', LEDGER_SCRYPT_COST: '1024', ...profiling() };
      const iso = await isoAddress(undefined);
      const apps: LedgerProcess[] = [];
      let measured: { points: Point[]; iso: Point[] };
      try {
        apps.push(...(await Promise.all((['terminal-gateway', 'settlement', 'reconciliation'] as const).map((a) => spawnApp(a, a === 'terminal-gateway' ? { ...env, LEDGER_ISO8583_PORT: String(iso.port) } : env)))));
        const [gateway, , reconciliation] = apps;
        measured = await bothProtocols(run, gateway.url, iso, reconciliation.url, `K${run}`, { http: `MKLOAD${String(run).padStart(9, '0')}`, iso: `MKLOADISO${String(run).padStart(6, '0')}` });
        printPoints('microservices HTTP', run, measured.points);
        printPoints('microservices ISO 8583', run, measured.iso);
      } finally {
        for (const a of apps) await a.kill('SIGTERM');
      }
      // The same broker and server, the apps stopped.
      const k = await kafkaRaw(kafka.brokers, 6, 30_000);
      const baselines = {
        'kafkajs produce': k.produce,
        'kafkajs eachBatch consume': k.consume,
        'PostgreSQL 20 clients x 1 row': await postgresInserts(server.connectionString, 20, 1, 3),
        'PostgreSQL 20 clients x 100 rows': await postgresInserts(server.connectionString, 20, 100, 3),
      };
      console.log(`microservices run ${run} baselines: ${Object.entries(baselines).map(([n, v]) => `${n} ${int(v)}/s`).join(', ')}`);
      runs.push({ ...measured, baselines });
    }
    const ratios: Array<[string, string]> = [
      ['kafkajs produce', 'ratio to raw kafkajs produce'],
      ['kafkajs eachBatch consume', 'ratio to raw kafkajs consume'],
      ['PostgreSQL 20 clients x 1 row', 'ratio to raw PostgreSQL inserts (20 clients, 1 row/tx)'],
    ];
    printMedians('microservices (gateway, settlement, reconciliation; Kafka 6 partitions; PostgreSQL with fsync), end to end: gateway HTTP to daily totals', runs, ratios);
    printMedians('microservices, end to end: gateway ISO 8583 to daily totals', runs.map((r) => ({ points: r.iso, baselines: r.baselines })), ratios);
    printIsoBesideHttp('microservices', runs);
  });

/** Sequential sales of one terminal (one at a time, as a terminal), each timed to the microsecond: latency percentiles in ms. */
const sequential = async (url: string, t: TerminalLogin, count: number) => {
  const times: number[] = [];
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const body = saleBody(t);
    const s = performance.now();
    const res = await fetch(`${url}/v1/terminals/${t.terminalId}/sales`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.apiKey}` }, body });
    const text = await res.text();
    times.push(performance.now() - s);
    if (res.status !== 200 || !text.includes('"responseCode":"00"')) failures++;
  }
  const sorted = times.sort((a, b) => a - b);
  const ms = (v: number) => Math.round(v * 100) / 100;
  return { p50: ms(sorted[Math.floor(count / 2)]), p99: ms(sorted[Math.floor(count * 0.99)]), failures };
};

/** How a sale's cost depends on what the terminal has behind it: its stream's length, and a restart. */
const costCurve = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cost-'));
  let ledger = await spawnLedger(dir, { LEDGER_SCRYPT_COST: '1024' });
  try {
    const merchantId = 'MCOST0000000001';
    const [fresh, long, history] = await openTerminals(ledger.url, 3, 'C', merchantId);
    const base = await sequential(ledger.url, fresh, 2_000);
    console.log(`cost: a fresh terminal, 2,000 sales: p50 ${base.p50} ms, p99 ${base.p99} ms`);
    // One terminal whose open batch grows to 100,000 sales (the worst case: nothing settles).
    let events = 2; // registered, signed on
    for (const milestone of [1_000, 10_000, 100_000]) {
      await driveSales(ledger.url, [long], { amount: milestone - events });
      events = milestone;
      const at = await sequential(ledger.url, long, 1_000);
      events += 1_000;
      console.log(`cost: ${int(milestone)} events in the stream (one open batch): p50 ${at.p50} ms, p99 ${at.p99} ms (fresh: p50 ${base.p50} ms); failures ${at.failures}`);
    }
    // A terminal with history: 20 batches of 1,000 sales, each settled (a snapshot at each close).
    const settle = async (t: TerminalLogin, count: number, amount: bigint) => {
      t.stan++;
      const res = await fetch(`${ledger.url}/v1/terminals/${t.terminalId}/settlement`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.apiKey}` },
        body: JSON.stringify({ stan: String(t.stan).padStart(6, '0'), batchNo: t.batchNo, operatorId: '01', password: '1234', totals: [{ currency: 'CNY', debitCount: count, debitAmount: amount.toString(), creditCount: 0, creditAmount: '0' }] }),
      });
      const body = (await res.json()) as { nextBatchNo?: string; result?: string };
      if (body.result !== 'BALANCED') throw new Error(`settlement not balanced: ${JSON.stringify(body)}`);
      Object.assign(t, { batchNo: body.nextBatchNo });
    };
    for (let b = 0; b < 20; b++) {
      const before = history.stan;
      await driveSales(ledger.url, [history], { amount: 1_000 });
      let amount = 0n;
      for (let s = before + 1; s <= history.stan; s++) amount += BigInt(100 + (s % 9_000));
      await settle(history, 1_000, amount);
    }
    // Cold: the process restarted, nothing cached. The first sale loads the terminal.
    await ledger.kill('SIGTERM');
    ledger = await spawnLedger(dir, { LEDGER_SCRYPT_COST: '1024' }, { port: Number(new URL(ledger.url).port) });
    for (const [name, t] of [['100,000 events in one open batch', long], ['20 settled batches of 1,000 sales', history], ['a fresh terminal', fresh]] as const) {
      const first = await sequential(ledger.url, t, 1);
      const then = await sequential(ledger.url, t, 500);
      console.log(`cost after a restart, ${name}: first sale ${first.p50} ms (loads the terminal), then p50 ${then.p50} ms, p99 ${then.p99} ms`);
    }
  } finally {
    await ledger.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
};

/** The gateway's memory after 1,000,000 sales across 10,000 terminals (100 each, none settled). */
const memory = async () => {
  const terminalCount = Number(values['memory-terminals']);
  const sales = Number(values['memory-sales']);
  const dir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
  const ledger = await spawnLedger(dir, { LEDGER_SCRYPT_COST: '1024' });
  const gauge = (metrics: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)`, 'm').exec(metrics)?.[1] ?? NaN);
  const report = async (what: string) => {
    const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
    const heap = (thread: string) => {
      const of = (kind: string) => int(gauge(metrics, `ledger_thread_heap_bytes\\{thread="${thread}",kind="${kind}"\\}`) / 2 ** 20);
      return `${thread} heap ${of('used')} of ${of('total')} MB, external ${of('external')} MB`;
    };
    console.log(
      `memory: ${what}: RSS ${int(rssMb(ledger.child.pid!))} MB (${heap('main')}, ${heap('background')}); ` +
        `terminal state held: ${int(gauge(metrics, 'ledger_terminal_cache_entries'))} entries`,
    );
  };
  try {
    const merchantId = 'MMEMORY00000001';
    const t0 = performance.now();
    const terminals = await openTerminals(ledger.url, terminalCount, 'M', merchantId, 50);
    await report(`${int(terminalCount)} terminals registered and signed on in ${int((performance.now() - t0) / 1000)} s`);
    for (let quarter = 1; quarter <= 4; quarter++) {
      const r = await driveSales(ledger.url, terminals, { amount: sales / 4, connections: 200 });
      await report(`${int((quarter * sales) / 4)} sales (${int(r.salesPerSecond)} sales/s, p99 ${r.p99Ms} ms, failures ${r.failures})`);
    }
    console.log('memory: budget of held terminal state: LEDGER_TERMINAL_CACHE_ENTRIES (default 500,000 entries)');
  } finally {
    await ledger.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
};

/** A consumer replica killed under load: how long its partitions stand still before another takes them. */
const takeover = () =>
  withCluster(async (server, kafka) => {
    const env = { KAFKA_BROKERS: kafka.brokers.join(','), DATABASE_URL: await freshDatabase(server, `takeover_${Date.now()}`), KAFKA_PARTITIONS: '6', LEDGER_SCRYPT_COST: '1024' };
    const apps: LedgerProcess[] = [];
    const admin = new Kafka({ clientId: 'bench-takeover', brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    try {
      apps.push(await spawnApp('terminal-gateway', env), await spawnApp('settlement', env));
      const [r0, r1] = await Promise.all([spawnApp('reconciliation', env), spawnApp('reconciliation', env)]);
      apps.push(r0, r1);
      const terminals = await openTerminals(apps[0].url, 50, 'T', 'MTAKEOVER000001');
      await admin.connect();
      const load = driveSales(apps[0].url, terminals, { seconds: 30 });
      await sleep(8_000);
      // Which partitions the victim holds, and where their committed offsets stand.
      const [group] = (await admin.describeGroups(['reconciliation'])).groups;
      const assignments = group.members.map((m) => ({ id: m.memberId, host: m.clientHost, topics: AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {} }));
      const offsets = async () => {
        const out = new Map<string, bigint>();
        for (const { topic, partitions } of await admin.fetchOffsets({ groupId: 'reconciliation', topics: ['pos.terminal.events.v1'] }))
          for (const p of partitions) out.set(`${topic}/${p.partition}`, BigInt(p.offset));
        return out;
      };
      const before = await offsets();
      const killedAt = performance.now();
      await r1.kill('SIGKILL');
      // Every partition that stood still since the kill must move again; the first ones to move were the survivor's.
      const still = new Set(before.keys());
      const movedAt = new Map<string, number>();
      while (still.size > 0 && performance.now() - killedAt < 60_000) {
        const now = await offsets();
        for (const k of [...still])
          if ((now.get(k) ?? 0n) > (before.get(k) ?? 0n)) {
            still.delete(k);
            movedAt.set(k, performance.now() - killedAt);
          }
        await sleep(100);
      }
      const times = [...movedAt.values()].sort((a, b) => a - b);
      console.log(`takeover: ${group.members.length} members (${assignments.map((a) => Object.values(a.topics).flat().length).join(' + ')} partitions, both topics), one killed with SIGKILL`);
      console.log(`takeover: partitions moving again after the kill (ms): ${times.map(int).join(', ')}; the killed replica's stood still for at most ${int(times.at(-1) ?? NaN)} ms (session timeout ${6_000} ms)`);
      const r = await load;
      console.log(`takeover: meanwhile ${int(r.salesPerSecond)} sales/s, p99 ${r.p99Ms} ms, failures ${r.failures}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
      for (const a of apps) await a.kill('SIGTERM');
    }
  });

const main = async () => {
  if (values.series === 'throughput') {
    if (values.deployment !== 'microservices') await embeddedThroughput();
    if (values.deployment !== 'embedded') await microservicesThroughput();
  } else if (values.series === 'cost') await costCurve();
  else if (values.series === 'memory') await memory();
  else if (values.series === 'takeover') await takeover();
  else throw new Error(`unknown series ${values.series}: throughput, cost, memory or takeover`);
};

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
