import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, type LedgerProcess, runBuilt, spawnLedger } from '@pos/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDay } from './simulate-day';

const ADMIN = bearer('finance');
const BREAK_TYPES = [
  'AMOUNT_MISMATCH', 'BATCH_TOTALS_MISMATCH', 'CURRENCY_MISMATCH', 'DUPLICATE_AT_ACQUIRER', 'DUPLICATE_AT_HOST', 'FEE_MISMATCH', 'LATE_PRESENTMENT',
  'MISSING_AT_ACQUIRER', 'MISSING_AT_HOST', 'STATUS_MISMATCH',
];

/** A built tool as its own process: the clearing-file generator or ledger-audit. */
const tool = (name: 'audit' | 'clearing', args: readonly string[], env: Record<string, string> = {}) => runBuilt(`tools/${name}/main.js`, args, env);

const http = async (url: string, init: RequestInit = { headers: ADMIN }) => {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as any };
};

/** One ledger with a simulated day (some terminals charge a card twice), ready for clearing files. */
const ledgerWithDay = async (seed: number, terminals = 8) => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-clearing-'));
  const ledger = await spawnLedger(dir);
  const day = await runDay({ url: ledger.url, terminals, transactions: 40, unbalancedEvery: 4, duplicateEvery: 3, seed, log: () => undefined });
  expect(day.ok, JSON.stringify(day.mismatches)).toBe(true);
  const audit = (args: readonly string[]) => tool('audit', ['--no-progress', ...args], { LEDGER_DATA_DIR: dir });
  return { dir, ledger, businessDay: day.businessDay, audit };
};

const generate = async (ledger: LedgerProcess, businessDay: string, seed: number, inject: string) => {
  const out = mkdtempSync(join(tmpdir(), 'clearing-files-'));
  const args = ['--url', ledger.url, '--business-day', businessDay, '--seed', String(seed), '--out', out];
  const run = await tool('clearing', inject ? [...args, '--inject', inject] : args);
  expect(run.code, run.stderr).toBe(0);
  const manifest = JSON.parse(readFileSync(join(out, 'injected.json'), 'utf8'));
  const files = readdirSync(out).filter((f) => f.endsWith('.csv')).sort().map((f) => join(out, f));
  return { out, manifest, files };
};

describe('three-way reconciliation against acquirer clearing files (embedded ledger)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  describe('a clean day', () => {
    let w: Awaited<ReturnType<typeof ledgerWithDay>>;
    beforeAll(async () => {
      w = await ledgerWithDay(5101);
      cleanups.push(async () => {
        await w.ledger.kill('SIGTERM');
        rmSync(w.dir, { recursive: true, force: true });
      });
    });

    it('imports the acquirer file once, finds no break, and reconciles the day', async () => {
      const { files, manifest } = await generate(w.ledger, w.businessDay, 1, '');
      expect(manifest.injected).toEqual([]);
      expect(files).toHaveLength(1);
      const first = await w.audit(['clearing', 'import', files[0], '--json']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.json()).toMatchObject({ status: 'IMPORTED', businessDay: w.businessDay });
      expect(first.json().records).toBeGreaterThan(250);
      const again = await w.audit(['clearing', 'import', files[0], '--json']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.json()).toMatchObject({ status: 'ALREADY_IMPORTED', fileId: first.json().fileId });
      expect((await w.audit(['clearing', 'files', '--business-day', w.businessDay, '--json'])).json()).toHaveLength(1);

      const run = await w.audit(['reconcile', '--business-day', w.businessDay, '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json().breaks).toEqual([]);
      expect(run.json()).toMatchObject({ reconciled: true, openBreaks: 0 });
      const matched = run.json().matched.reduce((n: number, m: any) => n + m.count, 0);
      expect(matched).toBe(first.json().records);

      // The service answers the same report once its projection caught up.
      let report: any;
      for (let i = 0; i < 50 && !report?.clean; i++) {
        report = (await http(`${w.ledger.url}/v1/reconciliation/reconciliation-report?businessDay=${w.businessDay}`)).body;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(report).toMatchObject({ clean: true, breaks: { open: 0, resolved: 0 } });
      expect(report.reconciledAt).toBeDefined();
      expect(report.merchants.length).toBeGreaterThan(1);

      // A day is reconciled once: running it again finds the same and records nothing.
      const rerun = await w.audit(['reconcile', '--business-day', w.businessDay, '--json']);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.json()).toMatchObject({ reconciled: true, recorded: false, runId: run.json().runId });
      const after = (await http(`${w.ledger.url}/v1/reconciliation/reconciliation-report?businessDay=${w.businessDay}`)).body;
      expect(after.reconciledAt).toBe(report.reconciledAt);
    });
  });

  describe('a day with every break type injected', () => {
    let w: Awaited<ReturnType<typeof ledgerWithDay>>;
    beforeAll(async () => {
      // Every injection lands on a batch of its own: more terminals than break types.
      w = await ledgerWithDay(5202, 12);
      cleanups.push(async () => {
        await w.ledger.kill('SIGTERM');
        rmSync(w.dir, { recursive: true, force: true });
      });
    });

    it('finds each injected break exactly once with its type, and nothing else', async () => {
      const { files, manifest } = await generate(w.ledger, w.businessDay, 77, 'all');
      expect(manifest.injected.map((i: any) => i.type).sort()).toEqual(BREAK_TYPES);
      expect(files).toHaveLength(2); // the late presentment arrives in the next day's file
      // One file through the CLI, the other through the service's HTTP API.
      expect((await w.audit(['clearing', 'import', files[0]])).code).toBe(0);
      const upload = await http(`${w.ledger.url}/v1/reconciliation/clearing-files`, { method: 'POST', headers: { ...ADMIN, 'content-type': 'text/csv' }, body: readFileSync(files[1]) });
      expect(upload.status, JSON.stringify(upload.body)).toBe(201);
      expect(upload.body.status).toBe('IMPORTED');

      const run = await http(`${w.ledger.url}/v1/reconciliation/days/${w.businessDay}/reconcile`, { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: '{}' });
      expect(run.status, JSON.stringify(run.body)).toBe(201);
      const breaks = run.body.breaks as any[];
      expect(breaks.map((b) => b.type).sort()).toEqual(BREAK_TYPES);
      for (const injected of manifest.injected) {
        const found = breaks.find((b) => b.type === injected.type);
        expect(found.terminalId, injected.type).toBe(injected.terminalId);
        if (injected.rrn) expect(found.rrn, injected.type).toBe(injected.rrn);
        if (injected.batchNo) expect(found.batchNo, injected.type).toBe(injected.batchNo);
      }
      expect(run.body).toMatchObject({ reconciled: false, openBreaks: 10 });

      // Running again finds the same breaks and records nothing new.
      const rerun = await w.audit(['reconcile', '--business-day', w.businessDay, '--json']);
      expect(rerun.code).toBe(1);
      expect(rerun.json().breaks.filter((b: any) => b.isNew)).toEqual([]);
      expect(new Set(rerun.json().breaks.map((b: any) => b.breakId))).toEqual(new Set(breaks.map((b) => b.breakId)));
    });

    it('takes a break through its lifecycle and reconciles the day when the last one is resolved', async () => {
      const open = (await w.audit(['breaks', 'list', '--business-day', w.businessDay, '--status', 'OPEN', '--json'])).json() as any[];
      expect(open).toHaveLength(10);
      const [first, ...rest] = open;
      const assign = await http(`${w.ledger.url}/v1/reconciliation/breaks/${first.breakId}/assign`, { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify({ assignee: 'ops-anna', note: 'call the acquirer' }) });
      expect(assign.status, JSON.stringify(assign.body)).toBe(201);
      expect(assign.body).toMatchObject({ status: 'ASSIGNED', assignee: 'ops-anna' });
      const badReason = await http(`${w.ledger.url}/v1/reconciliation/breaks/${first.breakId}/resolve`, { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'CLEARED_ON_RERUN', note: 'x' }) });
      expect(badReason.status).toBe(400);
      const noAdmin = await http(`${w.ledger.url}/v1/reconciliation/breaks/${first.breakId}/resolve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'WRITTEN_OFF', note: 'x' }) });
      expect(noAdmin.status).toBe(401);
      const resolved = await w.audit(['breaks', 'resolve', first.breakId, '--reason', 'ACQUIRER_CORRECTED', '--note', 'acquirer re-sent the line', '--actor', 'ops-anna']);
      expect(resolved.code, resolved.stderr).toBe(0);
      const twice = await w.audit(['breaks', 'resolve', first.breakId, '--reason', 'WRITTEN_OFF', '--note', 'again']);
      expect(twice.code).toBe(3);
      expect(twice.stderr).toMatch(/BREAK_ALREADY_RESOLVED/);

      let report = (await w.audit(['reconciliation-report', '--business-day', w.businessDay, '--json']));
      expect(report.code).toBe(1);
      for (const b of rest) expect((await w.audit(['breaks', 'resolve', b.breakId, '--reason', 'WRITTEN_OFF', '--note', 'test day'])).code).toBe(0);
      for (let i = 0; i < 50; i++) {
        report = await w.audit(['reconciliation-report', '--business-day', w.businessDay, '--json']);
        if (report.code === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(report.code, report.stdout).toBe(0);
      expect(report.json()).toMatchObject({ clean: true, breaks: { open: 0, resolved: 10 } });
      expect(report.json().reconciledAt).toBeDefined();
      const history = (await w.audit(['breaks', 'list', '--business-day', w.businessDay, '--json'])).json().find((b: any) => b.breakId === first.breakId).history;
      // Who did each step: the finance token over the API (its id, name and role), the operator at the CLI.
      const finance = { type: 'token', id: 'bootstrap-finance', name: 'LEDGER_FINANCE_TOKEN', role: 'finance' };
      expect(history.map((h: any) => [h.type, h.actor])).toEqual([
        ['ReconciliationBreakDetected', finance], ['ReconciliationBreakAssigned', finance], ['ReconciliationBreakResolved', { type: 'admin', id: 'ops-anna' }],
      ]);
    });

    it('refuses a bad file whole, with each line and reason, and changes nothing', async () => {
      const before = (await w.audit(['clearing', 'files', '--business-day', w.businessDay, '--json'])).json();
      const { files } = await generate(w.ledger, w.businessDay, 3, '');
      const lines = readFileSync(files[0], 'utf8').trimEnd().split('\n');
      lines[3] = lines[3].replace(/,CNY,/, ',XYZ,');
      lines[4] = lines[4].split(',').slice(0, 10).join(',');
      lines[5] = lines[5].replace(/,(\d+)\.(\d\d),CNY,/, ',$1.$2$2,CNY,');
      // merchant_id and terminal_id are a detail line's first two fields.
      lines[6] = ['M99999999999999', 'ZZZZ9999', ...lines[6].split(',').slice(2)].join(',');
      lines[7] = [lines[7].split(',')[0], 'ZZZZ9999', ...lines[7].split(',').slice(2)].join(',');
      const bad = join(tmpdir(), `bad-${Date.now()}.csv`);
      writeFileSync(bad, `${lines.join('\n')}\n`);
      const run = await w.audit(['clearing', 'import', bad, '--json']);
      expect(run.code).toBe(1);
      const errors = run.json().errors.map((e: any) => [e.line, e.code]);
      expect(errors).toEqual(expect.arrayContaining([[4, 'CURRENCY_UNKNOWN'], [5, 'COLUMN_COUNT'], [6, 'AMOUNT_INVALID'], [7, 'MERCHANT_UNKNOWN'], [8, 'TERMINAL_UNKNOWN']]));
      expect((await w.audit(['clearing', 'files', '--business-day', w.businessDay, '--json'])).json()).toEqual(before);

      const unknownDay = join(tmpdir(), `day-${Date.now()}.csv`);
      writeFileSync(unknownDay, readFileSync(files[0], 'utf8').replace(`,${w.businessDay},`, ',2001-01-01,'));
      const refused = await http(`${w.ledger.url}/v1/reconciliation/clearing-files`, { method: 'POST', headers: { ...ADMIN, 'content-type': 'text/csv' }, body: readFileSync(unknownDay) });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('CLEARING_FILE_REJECTED');
      expect(refused.body.error.details.errors[0]).toMatchObject({ line: 1, code: 'FILE_DAY_UNKNOWN' });
      rmSync(bad);
      rmSync(unknownDay);
    });
  });
});
