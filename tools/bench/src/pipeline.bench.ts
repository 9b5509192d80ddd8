/**
 * Benchmark (prints figures; not a test): raw kafkajs produce and consume
 * throughput on the same broker and topic layout, beside the pipeline's
 * end-to-end events per second (terminal HTTP -> gateway store -> outbox ->
 * Kafka -> reconciliation projections in PostgreSQL), as a ratio. Medians of
 * several runs. Uses KAFKA_BROKERS/DATABASE_URL if set, else starts
 * containers like the integration tests do.
 *
 *   npm run bench -- --runs 3 --messages 5000 --sales 1500
 */
import { parseArgs } from 'node:util';
import { bearer, type LedgerProcess, spawnApp, TEST_TOKENS } from '@pos/testing/processes';
import { startKafka, startPostgres } from '@pos/testing/containers';
import { kafkaRaw } from './load/baselines';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    messages: { type: 'string', default: '5000' },
    sales: { type: 'string', default: '1500' },
    terminals: { type: 'string', default: '10' },
    partitions: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '10' },
  },
});
const RUNS = Number(values.runs);
const MESSAGES = Number(values.messages);
const SALES = Number(values.sales);
const TERMINALS = Number(values.terminals);
const PARTITIONS = Number(values.partitions);
const CONCURRENCY = Number(values.concurrency);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const post = async (url: string, body: unknown, auth: string) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, string>;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

/** The pipeline: SALES sales over HTTP, until reconciliation's daily totals show every one. */
const pipeline = async (env: Record<string, string>, run: number) => {
  const apps: LedgerProcess[] = [];
  try {
    const [gateway, , reconciliation] = await Promise.all((['terminal-gateway', 'settlement', 'reconciliation'] as const).map((a) => spawnApp(a, { ...env, LEDGER_SCRYPT_COST: '1024' })));
    apps.push(gateway, reconciliation);
    const merchantId = `MB${String(run).padStart(2, '0')}${String(Date.now() % 1e11).padStart(11, '0')}`.slice(0, 15);
    const terminals: Array<{ terminalId: string; apiKey: string; stan: number; businessDay: string }> = [];
    for (let t = 0; t < TERMINALS; t++) {
      const terminalId = `B${String(run).padStart(2, '0')}${String(t).padStart(5, '0')}`;
      const { apiKey } = await post(`${gateway.url}/v1/admin/terminals`, { terminalId, merchantId, merchantName: 'Bench', currencies: [{ currency: 'CNY', maxAmount: 100_000_000 }], operators: [{ operatorId: '01', password: '1234' }] }, TEST_TOKENS.operations);
      const { businessDay } = await post(`${gateway.url}/v1/terminals/${terminalId}/sign-on`, { stan: '000001', operatorId: '01', password: '1234' }, apiKey);
      terminals.push({ terminalId, apiKey, stan: 1, businessDay: businessDay as string });
    }
    const businessDay = terminals[0].businessDay;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        // One worker per terminal subset: a terminal sends one request at a time, as real ones do.
        const mine = terminals.filter((_, i) => i % CONCURRENCY === w);
        while (mine.length > 0 && next < SALES) {
          next++;
          const t = mine[next % mine.length];
          t.stan++;
          await post(`${gateway.url}/v1/terminals/${t.terminalId}/sales`, { stan: String(t.stan).padStart(6, '0'), batchNo: '000001', amount: 1000 + t.stan, currency: 'CNY', method: 'QR', qr: { payerToken: 'bench-payer-token' } }, t.apiKey);
        }
      }),
    );
    const accepted = performance.now();
    for (;;) {
      const { summary } = (await (await fetch(`${reconciliation.url}/v1/reconciliation/daily-totals?businessDay=${businessDay}&merchantId=${merchantId}`, { headers: bearer('auditor') })).json()) as { summary: Array<{ salesCount: number }> };
      if ((summary[0]?.salesCount ?? 0) >= SALES) break;
      await sleep(20);
    }
    const projected = performance.now();
    return { httpPerSecond: SALES / ((accepted - t0) / 1000), endToEndPerSecond: SALES / ((projected - t0) / 1000), lagMs: projected - accepted };
  } finally {
    for (const a of apps) await a.kill('SIGTERM');
  }
};

const main = async () => {
  let brokers = process.env.KAFKA_BROKERS?.split(',');
  let databaseUrl = process.env.DATABASE_URL;
  const stops: Array<() => Promise<void>> = [];
  if (!brokers || !databaseUrl) {
    const [p, k] = await Promise.all([startPostgres({ durable: true }), startKafka({ numPartitions: PARTITIONS })]);
    stops.push(p.stop, k.stop);
    brokers = k.brokers;
    databaseUrl = p.connectionString;
  }
  try {
    const raw = [];
    const pipe = [];
    for (let run = 1; run <= RUNS; run++) {
      const db = `bench_${run}_${Date.now()}`;
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${db}`);
      await admin.end();
      const url = new URL(databaseUrl);
      url.pathname = `/${db}`;
      raw.push(await kafkaRaw(brokers, PARTITIONS, MESSAGES));
      pipe.push(await pipeline({ KAFKA_BROKERS: brokers.join(','), DATABASE_URL: url.toString(), KAFKA_PARTITIONS: String(PARTITIONS) }, run));
      console.log(`run ${run}: raw produce ${Math.round(raw[run - 1].produce)} msg/s, raw consume ${Math.round(raw[run - 1].consume)} msg/s, pipeline ${Math.round(pipe[run - 1].endToEndPerSecond)} events/s end to end (HTTP ${Math.round(pipe[run - 1].httpPerSecond)}/s, projections ${Math.round(pipe[run - 1].lagMs)} ms behind at the end)`);
    }
    const rp = median(raw.map((r) => r.produce));
    const rc = median(raw.map((r) => r.consume));
    const pe = median(pipe.map((p) => p.endToEndPerSecond));
    console.log('');
    console.log(`medians of ${RUNS} runs (${MESSAGES} raw messages, ${SALES} sales, ${TERMINALS} terminals, ${PARTITIONS} partitions):`);
    console.log(`  raw kafkajs produce (idempotent, acks=all, batches of 1,000):${Math.round(rp)} msg/s`);
    console.log(`  raw kafkajs consume (eachBatch, one commit per batch):     ${Math.round(rc)} msg/s`);
    console.log(`  pipeline, gateway HTTP to projections:                     ${Math.round(pe)} events/s`);
    console.log(`  ratio pipeline / raw consume: ${(Math.round((pe / rc) * 1000) / 1000).toString()}   pipeline / raw produce: ${(Math.round((pe / rp) * 1000) / 1000).toString()}`);
  } finally {
    for (const stop of stops) await stop();
  }
};

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
