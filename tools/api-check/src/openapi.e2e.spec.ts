import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppName, type LedgerProcess, runBuilt, spawnApp, spawnLedger, workspaceRoot } from '@pos/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonEnv, run } from './python-env';

/**
 * The served OpenAPI documents, checked by tools nobody here wrote: openapi-spec-validator says
 * each is valid OpenAPI 3.1, and schemathesis fuzzes the embedded ledger from it, once with a
 * terminal's API key and once with the back office's token. A run fails on any 5xx, any answer
 * the document does not describe (status, content type, schema) and any request the document
 * calls invalid that the server accepts.
 */
const ROOT = workspaceRoot();
const ADMIN = 'dev-admin-token';
const FUZZ_TERMINAL = 'TQA00001';
const FUZZ_MERCHANT = 'MQA000000000001';
/** Bounded so both runs take about a minute on two cores; raise with LEDGER_FUZZ_EXAMPLES for a deeper look. */
const MAX_EXAMPLES = Number(process.env.LEDGER_FUZZ_EXAMPLES ?? 40);
const SEED = process.env.LEDGER_FUZZ_SEED ?? '20261201';
const CHECKS = [
  'not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_headers_conformance', 'response_schema_conformance',
  'negative_data_rejection', 'ignored_auth', 'missing_required_header',
].join(',');

type Doc = { openapi: string; paths: Record<string, Record<string, any>> };

let py: { bin: (name: string) => string };
let dir: string;
let ledger: LedgerProcess;
let ledgerDoc: Doc;
let terminalKey: string;
let seeded: { businessDay: string; terminals: string[]; merchants: string[]; breakIds: string[] };

const post = async (path: string, token: string, body: unknown) => {
  const res = await fetch(`${ledger.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};

const saveDoc = (name: string, doc: unknown) => {
  const file = join(dir, `${name}.openapi.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
};

/** A simulated day, a clearing file with breaks and a reconciliation run: the read side then answers with real data. */
const seedDay = async () => {
  const day = await runBuilt('tools/simulator/main.js', ['--url', ledger.url, '--terminals', '3', '--transactions', '12', '--seed', '11', '--unbalanced-every', '2', '--json']);
  expect(day.code, day.stderr).toBe(0);
  const report = day.json();
  const businessDay: string = report.businessDay;
  const out = join(dir, 'clearing');
  const files = await runBuilt('tools/clearing/main.js', ['--url', ledger.url, '--business-day', businessDay, '--seed', '3', '--inject', 'MISSING_AT_HOST,AMOUNT_MISMATCH', '--out', out]);
  expect(files.code, files.stderr).toBe(0);
  const csv = readFileSync(join(out, `clearing-${businessDay}.csv`));
  const imported = await fetch(`${ledger.url}/v1/reconciliation/clearing-files`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'text/csv' }, body: csv });
  expect(imported.status).toBe(201);
  const run = await post(`/v1/reconciliation/days/${businessDay}/reconcile`, ADMIN, {});
  expect(run.status).toBe(201);
  const expected = report.expected as { terminalId: string; merchantId: string }[];
  return {
    businessDay,
    terminals: [...new Set(expected.map((e) => e.terminalId))],
    merchants: [...new Set(expected.map((e) => e.merchantId))],
    breakIds: (run.body.breaks as { breakId: string }[]).map((b) => b.breakId),
  };
};

beforeAll(async () => {
  py = await pythonEnv(ROOT);
  dir = mkdtempSync(join(tmpdir(), 'ledger-openapi-'));
  ledger = await spawnLedger(join(dir, 'ledger'), { LEDGER_SCRYPT_COST: '1024' });
  ledgerDoc = (await (await fetch(`${ledger.url}/docs-json`)).json()) as Doc;
  seeded = await seedDay();
  const registered = await post('/v1/admin/terminals', ADMIN, {
    terminalId: FUZZ_TERMINAL, merchantId: FUZZ_MERCHANT, merchantName: 'Fuzz shop',
    currencies: [{ currency: 'CNY', maxAmount: '5000000' }, { currency: 'JPY', maxAmount: 900000 }],
    operators: [{ operatorId: '01', password: '1234' }],
  });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  terminalKey = registered.body.apiKey;
  expect((await post(`/v1/terminals/${FUZZ_TERMINAL}/sign-on`, terminalKey, { stan: '000001', operatorId: '01', password: '1234' })).status).toBe(200);
});

afterAll(async () => {
  await ledger?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const operations = (doc: Doc) => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));

describe('the OpenAPI documents', () => {
  it('are valid OpenAPI 3.1 by openapi-spec-validator: the embedded ledger and each microservice, whose operations make up the ledger', async () => {
    const docs: Record<string, Doc> = { ledger: ledgerDoc };
    for (const app of ['terminal-gateway', 'settlement', 'reconciliation'] as AppName[]) {
      const alone = await spawnApp(app, { LEDGER_DATA_DIR: join(dir, app), KAFKA_BROKERS: '', DATABASE_URL: '' });
      try {
        docs[app] = (await (await fetch(`${alone.url}/docs-json`)).json()) as Doc;
      } finally {
        await alone.kill('SIGTERM');
      }
    }
    for (const [name, doc] of Object.entries(docs)) {
      expect(doc.openapi, name).toMatch(/^3\.1\.\d+$/);
      const checked = await run(py.bin('openapi-spec-validator'), [saveDoc(name, doc)], { timeoutMs: 120_000 });
      expect(checked.stdout + checked.stderr, name).toMatch(/: OK\s*$/);
      expect(checked.code, name).toBe(0);
    }
    const ids = (doc: Doc) => operations(doc).map((o) => `${o.method} ${o.path}`);
    expect(['terminal-gateway', 'settlement', 'reconciliation'].flatMap((app) => ids(docs[app])).sort()).toEqual(ids(ledgerDoc).sort());
  });

  it('declare every path parameter, a schema for every answer, and the error body with its codes for 4xx and 5xx', () => {
    const ops = operations(ledgerDoc);
    expect(ops.length).toBeGreaterThanOrEqual(26);
    for (const { path, method, op } of ops) {
      const id = `${method} ${path}`;
      const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name).sort();
      expect(declared, id).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
      const success = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(success, id).toHaveLength(1);
      const answer = op.responses[success[0]].content['application/json'].schema;
      expect(answer.type === 'object' || answer.oneOf?.every((s: any) => s.type === 'object'), id).toBe(true);
      for (const status of ['400', '413', '500']) {
        const error = op.responses[status]?.content['application/json'].schema;
        expect(error?.properties.error.required, `${id} ${status}`).toEqual(['code', 'message', 'responseCode']);
        expect(error.properties.error.properties.code.enum.length, `${id} ${status}`).toBeGreaterThan(0);
      }
      if (op.security) expect(op.responses['401'].content['application/json'].schema.properties.error.properties.code.enum, id).toEqual(expect.arrayContaining([expect.stringMatching(/UNAUTHENTICATED$/)]));
    }
  });

  it('are no looser than the server: an empty currency, amount 0.0 or 1.5, a 13-character merchant id are schema-invalid, and refused', async () => {
    const sale = { path: '/v1/terminals/{terminalId}/sales', method: 'post' };
    const register = { path: '/v1/admin/terminals', method: 'post' };
    const body = (fields: string) => `{"stan":"000101","batchNo":"000001","method":"QR","qr":{"payerToken":"token-0001"},${fields}}`;
    // Written by hand: JSON.stringify would turn 0.0 into 0.
    const probes: [typeof sale, string][] = [
      [sale, body('"amount":100,"currency":"CNY"')],
      [sale, body('"amount":100,"currency":""')],
      [sale, body('"amount":0.0,"currency":"CNY"')],
      [sale, body('"amount":1.5,"currency":"CNY"')],
      [sale, body('"amount":"0100","currency":"CNY"')],
      [register, '{"terminalId":"T0000009","merchantId":"M000000000001","merchantName":"Shop","currencies":[{"currency":"CNY","maxAmount":"5000000"}],"operators":[{"operatorId":"01","password":"1234"}]}'],
    ];
    const file = join(dir, 'probes.json');
    writeFileSync(file, `[${probes.map(([op, text]) => `{"path":"${op.path}","method":"${op.method}","body":${text}}`).join(',')}]`);
    const probed = await run(py.bin('python'), [join(ROOT, 'tools', 'api-check', 'schema_probe.py'), saveDoc('ledger', ledgerDoc), file], { timeoutMs: 60_000 });
    expect(probed.code, probed.stderr).toBe(0);
    expect(JSON.parse(probed.stdout)).toEqual([true, false, false, false, false, false]);
    // And the server refuses each of them, with the code of what is wrong.
    const refusals = [];
    for (const [op, text] of probes.slice(1)) {
      const res = await fetch(`${ledger.url}${op.path.replace('{terminalId}', FUZZ_TERMINAL)}`, {
        method: 'POST', headers: { authorization: `Bearer ${op === sale ? terminalKey : ADMIN}`, 'content-type': 'application/json' }, body: text,
      });
      refusals.push(`${res.status} ${((await res.json()) as any).error?.code}`);
    }
    expect(refusals).toEqual(['400 CURRENCY_UNKNOWN', '400 AMOUNT_INVALID', '400 AMOUNT_INVALID', '400 AMOUNT_INVALID', '400 REQUEST_INVALID']);
  });
});

/** schemathesis's configuration: real identifiers often (so requests reach the ledger's logic), generated ones otherwise. */
const fuzzConfig = (name: string) => {
  const day = seeded.businessDay;
  const values = (list: readonly (string | number)[]) => `{ values = [${list.map((v) => JSON.stringify(v)).join(', ')}] }`;
  const bind = (key: string, dictionary: string, probability: number) => `"${key}" = { dictionary = "${dictionary}", probability = ${probability} }`;
  const toml = [
    `[generation]`,
    `max-examples = ${MAX_EXAMPLES}`,
    `[dictionaries]`,
    `terminals = ${values([FUZZ_TERMINAL, ...seeded.terminals])}`,
    `merchants = ${values([FUZZ_MERCHANT, ...seeded.merchants])}`,
    `days = ${values([day])}`,
    `breaks = ${values(seeded.breakIds.length ? seeded.breakIds : ['0'.repeat(24)])}`,
    `batches = ${values(['000001', '000002'])}`,
    `operators = ${values(['01'])}`,
    `passwords = ${values(['1234'])}`,
    `[parameters]`,
    bind('path.terminalId', 'terminals', 0.9),
    bind('query.terminalId', 'terminals', 0.7),
    bind('query.merchantId', 'merchants', 0.7),
    bind('path.businessDay', 'days', 0.8),
    bind('query.businessDay', 'days', 0.8),
    bind('path.breakId', 'breaks', 0.8),
    bind('body.batchNo', 'batches', 0.8),
    bind('body.operatorId', 'operators', 0.6),
    bind('body.password', 'passwords', 0.6),
  ].join('\n');
  const file = join(dir, `${name}.schemathesis.toml`);
  writeFileSync(file, `${toml}\n`);
  return file;
};

/** What the ledger answered so far, per route and status (from its own metrics): how deep the fuzzing reached. */
const answered = async () => {
  const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
  const lines = [...metrics.matchAll(/^ledger_http_requests_total\{service="ledger",route="([^"]+)",status="(\d+)"\} (\d+)/gm)];
  const byRoute = new Map<string, string[]>();
  for (const [, route, status, n] of lines) if (route.includes('/v1/')) byRoute.set(route, [...(byRoute.get(route) ?? []), `${status}×${n}`]);
  return [...byRoute].map(([route, counts]) => `  ${route}: ${counts.join(' ')}`).join('\n');
};

/** The summary schemathesis prints last: operations, test cases, failures, seconds. */
const summaryOf = (output: string) => output.slice(output.lastIndexOf('= SUMMARY =') - 40).trim();

const fuzz = async (name: string, token: string) => {
  const r = await run(
    py.bin('schemathesis'),
    [
      '--config-file', fuzzConfig(name), 'run', `${ledger.url}/docs-json`, '--header', `Authorization: Bearer ${token}`, '--checks', CHECKS,
      '--phases', 'examples,coverage,fuzzing', '--seed', SEED, '--workers', '1', '--no-color', '--suppress-health-check', 'all',
      '--report', 'junit', '--report-junit-path', join(dir, `${name}.junit.xml`),
    ],
    { timeoutMs: 300_000, cwd: dir },
  );
  console.log(`schemathesis with ${name} credentials (${Math.round(r.seconds)} s):\n${summaryOf(r.stdout)}\n${await answered()}`);
  if (r.code !== 0) console.log(r.stdout.slice(0, 20_000), r.stderr.slice(-5_000));
  return r;
};

describe('schemathesis against the embedded ledger', () => {
  it('finds nothing with a terminal API key', async () => {
    const r = await fuzz('terminal', terminalKey);
    expect(r.stdout).toMatch(/Tested: 2\d/);
    expect(r.code).toBe(0);
  });

  it('finds nothing with the back-office token', async () => {
    const r = await fuzz('back-office', ADMIN);
    expect(r.stdout).toMatch(/Tested: 2\d/);
    expect(r.code).toBe(0);
  });
});
