import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppName, type LedgerProcess, runBuilt, spawnApp, spawnLedger, TEST_TOKENS, workspaceRoot } from '@pos/testing';
import { CURRENCIES } from '@pos/money';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonEnv, run } from './python-env';

/**
 * The served OpenAPI documents, checked by tools nobody here wrote: openapi-spec-validator says
 * each is valid OpenAPI 3.1, and schemathesis fuzzes the embedded ledger from it, once with a
 * terminal's API key and once with back-office tokens, each operation with a token of a role
 * its security requirement names. A run fails on any 5xx, any answer
 * the document does not describe (status, content type, schema) and any request the document
 * calls invalid that the server accepts.
 */
const ROOT = workspaceRoot();
/** Two terminals: one takes transactions and is never settled, the other goes through batches (so neither's state starves the other's requests). */
const FUZZ_TERMINAL = 'TQA00001';
const BATCH_TERMINAL = 'TQA00002';
const FUZZ_MERCHANT = 'MQA000000000001';
/** Bounded so both runs take about a minute on two cores; raise with LEDGER_FUZZ_EXAMPLES for a deeper look. */
const MAX_EXAMPLES = Number(process.env.LEDGER_FUZZ_EXAMPLES ?? 80);
const SEED = process.env.LEDGER_FUZZ_SEED ?? '20261201';
const REPORTS = join(ROOT, '.cache', 'api-check');
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
let batchTerminalKey: string;
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
  const imported = await fetch(`${ledger.url}/v1/reconciliation/clearing-files`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKENS.finance}`, 'content-type': 'text/csv' }, body: csv });
  expect(imported.status).toBe(201);
  const run = await post(`/v1/reconciliation/days/${businessDay}/reconcile`, TEST_TOKENS.finance, {});
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
  mkdirSync(REPORTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'ledger-openapi-'));
  ledger = await spawnLedger(join(dir, 'ledger'), { LEDGER_SCRYPT_COST: '1024' });
  ledgerDoc = (await (await fetch(`${ledger.url}/docs-json`)).json()) as Doc;
  seeded = await seedDay();
  // As many currencies as a terminal may have, at the highest limit the document allows: a generated sale is refused for what is wrong with it, not for the terminal's set-up.
  const currencies = ledgerDoc.paths['/v1/admin/terminals'].post.requestBody.content['application/json'].schema.properties.currencies;
  const limits = currencies.items.properties;
  const maxAmount = String(limits.maxAmount.anyOf.find((s: { type: string }) => s.type === 'integer').maximum);
  expect(limits.currency.enum).toEqual(Object.keys(CURRENCIES));
  const register = async (terminalId: string) => {
    const registered = await post('/v1/admin/terminals', TEST_TOKENS.operations, {
      terminalId, merchantId: FUZZ_MERCHANT, merchantName: 'Fuzz shop',
      currencies: Object.keys(CURRENCIES).slice(0, currencies.maxItems).map((currency) => ({ currency, maxAmount })),
      operators: [{ operatorId: '01', password: '1234' }],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const key: string = registered.body.apiKey;
    expect((await post(`/v1/terminals/${terminalId}/sign-on`, key, { stan: '000001', operatorId: '01', password: '1234' })).status).toBe(200);
    return key;
  };
  terminalKey = await register(FUZZ_TERMINAL);
  batchTerminalKey = await register(BATCH_TERMINAL);
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
    const apps = ['terminal-gateway', 'settlement', 'reconciliation'];
    // Every service signs in (a session made on one is taken by all) and answers the operations
    // routes for itself, as health: those are in every document; the rest add up to the ledger's.
    const everywhere = (id: string) => id.endsWith(' /v1/session') || id.includes(' /v1/ops/');
    const shared = ids(ledgerDoc).filter(everywhere).sort();
    expect(shared.filter((id) => id.endsWith(' /v1/session'))).toEqual(['delete /v1/session', 'get /v1/session', 'post /v1/session']);
    expect(shared.filter((id) => id.includes(' /v1/ops/'))).toHaveLength(3);
    for (const app of apps) expect(ids(docs[app]).filter(everywhere).sort(), app).toEqual(shared);
    expect(apps.flatMap((app) => ids(docs[app]).filter((id) => !everywhere(id))).sort()).toEqual(ids(ledgerDoc).filter((id) => !everywhere(id)).sort());
  });

  it('declare every path parameter, a schema for every answer, and the error body with its codes for 4xx and 5xx', () => {
    const ops = operations(ledgerDoc);
    expect(ops.length).toBeGreaterThanOrEqual(26);
    const documented = new Set<string>();
    for (const { path, method, op } of ops) {
      const id = `${method} ${path}`;
      const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name).sort();
      expect(declared, id).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
      const success = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect(success, id).toHaveLength(1);
      // 204 (sign-out) has no body; every other success answers a JSON object.
      const answer = op.responses[success[0]].content?.['application/json'].schema;
      if (success[0] === '204') expect(op.responses[success[0]].content, id).toBeUndefined();
      else expect(answer.type === 'object' || answer.oneOf?.every((s: any) => s.type === 'object'), id).toBe(true);
      for (const status of ['400', '413', '500']) {
        const error = op.responses[status]?.content['application/json'].schema;
        expect(error?.properties.error.required, `${id} ${status}`).toEqual(['code', 'message', 'responseCode']);
        expect(error.properties.error.properties.code.enum.length, `${id} ${status}`).toBeGreaterThan(0);
      }
      for (const [status, response] of Object.entries<any>(op.responses))
        if (!status.startsWith('2')) for (const code of response.content['application/json'].schema.properties.error.properties.code.enum) documented.add(code);
      if (op.security) expect(op.responses['401'].content['application/json'].schema.properties.error.properties.code.enum, id).toEqual(expect.arrayContaining([expect.stringMatching(/UNAUTHENTICATED$/)]));
    }
    // docs/errors.md, the catalogue people read, names every code an operation can answer.
    const catalogue = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
    expect([...documented].filter((code) => !catalogue.includes(`\`${code}\``))).toEqual([]);
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
        method: 'POST', headers: { authorization: `Bearer ${op === sale ? terminalKey : TEST_TOKENS.operations}`, 'content-type': 'application/json' }, body: text,
      });
      refusals.push(`${res.status} ${((await res.json()) as any).error?.code}`);
    }
    expect(refusals).toEqual(['400 CURRENCY_UNKNOWN', '400 AMOUNT_INVALID', '400 AMOUNT_INVALID', '400 AMOUNT_INVALID', '400 REQUEST_INVALID']);
  });
});

describe('refusals the body parser makes', () => {
  it('answer documented codes: a charset or content encoding the host cannot read is MEDIA_TYPE_UNSUPPORTED (30), not HTTP_415', async () => {
    const answers = [];
    for (const headers of [{ 'content-type': 'application/json; charset=latin-9' }, { 'content-type': 'application/json', 'content-encoding': 'br2' }]) {
      const res = await fetch(`${ledger.url}/v1/terminals/${FUZZ_TERMINAL}/sign-off`, { method: 'POST', headers: { authorization: `Bearer ${terminalKey}`, ...headers }, body: '{"stan":"000777"}' });
      const { error } = (await res.json()) as any;
      answers.push(`${res.status} ${error.code} ${error.responseCode}`);
    }
    expect(answers).toEqual(['415 MEDIA_TYPE_UNSUPPORTED 30', '415 MEDIA_TYPE_UNSUPPORTED 30']);
    const documented = ledgerDoc.paths['/v1/terminals/{terminalId}/sign-off'].post.responses['415'].content['application/json'].schema;
    expect(documented.properties.error.properties.code.enum).toEqual(['MEDIA_TYPE_UNSUPPORTED']);
  });
});

/**
 * Per operation, a back-office token of the first role its security requirement names (the
 * document says who may call it; the int tests try every other role on every route).
 */
const roleTokens = () =>
  operations(ledgerDoc).flatMap(({ path, method, op }) => {
    const role = (op.security ?? []).flatMap((s: Record<string, string[]>) => s.backOffice ?? [])[0] as keyof typeof TEST_TOKENS | undefined;
    // One filter, the operation's name: separate path and method filters would each match on their own.
    return role ? ['[[operations]]', `include-name = "${method.toUpperCase()} ${path}"`, `headers = { Authorization = "Bearer ${TEST_TOKENS[role]}" }`] : [];
  });

/** schemathesis's configuration: real identifiers often (so requests reach the ledger's logic), generated ones otherwise. */
const fuzzConfig = (name: string, terminalId: string, backOffice: boolean) => {
  const day = seeded.businessDay;
  const values = (list: readonly (string | number)[]) => `{ values = [${list.map((v) => JSON.stringify(v)).join(', ')}] }`;
  const bind = (key: string, dictionary: string, probability: number) => `"${key}" = { dictionary = "${dictionary}", probability = ${probability} }`;
  const toml = [
    `[generation]`,
    `max-examples = ${MAX_EXAMPLES}`,
    `[dictionaries]`,
    `terminals = ${values([FUZZ_TERMINAL, ...seeded.terminals])}`,
    `cards = ${values(['4111111111111111', '5555555555554444'])}`,
    `merchants = ${values([FUZZ_MERCHANT, ...seeded.merchants])}`,
    `days = ${values([day])}`,
    `breaks = ${values(seeded.breakIds.length ? seeded.breakIds : ['0'.repeat(24)])}`,
    `batches = ${values(['000001', '000002'])}`,
    `operators = ${values(['01'])}`,
    `passwords = ${values(['1234'])}`,
    `[parameters]`,
    // The terminal whose key the run holds, in every phase; unknown terminals are the int tests' part.
    `"path.terminalId" = "${terminalId}"`,
    bind('path.operatorId', 'operators', 0.8),
    bind('query.terminalId', 'terminals', 0.7),
    bind('query.merchantId', 'merchants', 0.7),
    bind('path.businessDay', 'days', 0.8),
    bind('query.businessDay', 'days', 0.8),
    bind('path.breakId', 'breaks', 0.8),
    bind('body.batchNo', 'batches', 0.8),
    bind('body.operatorId', 'operators', 0.6),
    bind('body.password', 'passwords', 0.6),
    bind('body.card.pan', 'cards', 0.7),
    ...(backOffice ? roleTokens() : []),
  ].join('\n');
  const file = join(dir, `${name}.schemathesis.toml`);
  writeFileSync(file, `${toml}\n`);
  return file;
};

/** What the fuzzer's requests got, per operation and status (from its HAR report): how deep it reached. */
const answered = (har: string) => {
  const ops = Object.keys(ledgerDoc.paths).map((path) => ({ path, re: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]*')}(\\?|$)`) }));
  const counts = new Map<string, Map<number, number>>();
  const { log } = JSON.parse(readFileSync(har, 'utf8').replace(/^[^{]*/, '')) as { log: { entries: { request: { method: string; url: string }; response: { status: number } }[] } };
  for (const { request, response } of log.entries) {
    const path = new URL(request.url).pathname + (new URL(request.url).search ? '?' : '');
    const template = ops.find((o) => o.re.test(path))?.path;
    // Methods the document does not name (the fuzzer tries them too) are counted together.
    const op = template && ledgerDoc.paths[template][request.method.toLowerCase()] ? `${request.method} ${template}` : 'undocumented method or path';
    const byStatus = counts.get(op) ?? new Map<number, number>();
    counts.set(op, byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1));
  }
  return [...counts].sort().map(([op, byStatus]) => `  ${op}: ${[...byStatus].sort().map(([status, n]) => `${status}×${n}`).join(' ')}`).join('\n');
};

/** The summary schemathesis prints last: operations, test cases, failures, seconds. */
const summaryOf = (output: string) => output.slice(output.lastIndexOf('\n', output.lastIndexOf(' SUMMARY '))).trim();

/** With a terminal's key (on every operation), or with `backOffice` tokens: each operation a token of its role. */
const fuzz = async (name: string, token: string | 'backOffice', terminalId: string, only: string[] = []) => {
  const r = await run(
    py.bin('schemathesis'),
    [
      '--config-file', fuzzConfig(name, terminalId, token === 'backOffice'), 'run', `${ledger.url}/docs-json`,
      ...(token === 'backOffice' ? [] : ['--header', `Authorization: Bearer ${token}`]), '--checks', CHECKS, ...only,
      '--phases', 'examples,coverage,fuzzing', '--seed', SEED, '--workers', '1', '--no-color', '--suppress-health-check', 'all',
      // Every request and answer, kept for a look after the run (.cache is ignored by git).
      '--report', 'har', '--report-har-path', join(REPORTS, `${name}.har`),
    ],
    { timeoutMs: 300_000, cwd: dir },
  );
  console.log(`schemathesis with ${name} credentials (${Math.round(r.seconds)} s):\n${summaryOf(r.stdout)}\nanswers by operation:\n${answered(join(REPORTS, `${name}.har`))}`);
  if (r.code !== 0) console.log(r.stdout.slice(0, 20_000), r.stderr.slice(-5_000));
  return r;
};

const LIFECYCLE = '^/v1/terminals/[^/]+/(sign-on|sign-off|settlement|batch-upload)';

describe('schemathesis against the embedded ledger', () => {
  it('finds nothing with a terminal API key: transactions and reads on one terminal, sign-on to sign-off on another', async () => {
    const transactions = await fuzz('terminal', terminalKey, FUZZ_TERMINAL, ['--exclude-path-regex', LIFECYCLE]);
    const batches = await fuzz('terminal-batches', batchTerminalKey, BATCH_TERMINAL, ['--include-path-regex', LIFECYCLE]);
    expect(transactions.stdout).toMatch(/Tested: [23]\d/);
    expect(batches.stdout).toMatch(/Tested: 5/);
    expect([transactions.code, batches.code]).toEqual([0, 0]);
  });

  it('finds nothing with back-office tokens, each operation called with a role its security requirement names', async () => {
    const config = readFileSync(fuzzConfig('back-office', FUZZ_TERMINAL, true), 'utf8');
    expect(config).toContain(`include-name = "POST /v1/admin/terminals"\nheaders = { Authorization = "Bearer ${TEST_TOKENS.operations}" }`);
    expect(config).toContain(`include-name = "POST /v1/reconciliation/breaks/{breakId}/resolve"\nheaders = { Authorization = "Bearer ${TEST_TOKENS.finance}" }`);
    const r = await fuzz('back-office', 'backOffice', FUZZ_TERMINAL);
    // Each operation was called in a role it allows: the fuzzer met no 403 (ADMIN_FORBIDDEN).
    expect(answered(join(REPORTS, 'back-office.har'))).not.toMatch(/ 403×/);
    expect(r.stdout).toMatch(/Tested: [34]\d/);
    expect(r.code).toBe(0);
  });
});
