import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, type LedgerProcess, runBuilt, spawnApp, spawnLedger, TEST_TOKENS } from '@pos/testing';
import { startKafka, startPostgres, type StartedKafka, type StartedPostgres } from '@pos/testing/containers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DayReport, runDay } from './simulate-day';

/** The built CLI as its own process, the way an operator or a cron job runs it. */
const audit = (args: readonly string[], env: Record<string, string>) => runBuilt('tools/audit/main.js', ['--no-progress', ...args], env);

const getJson = async (url: string) => (await fetch(url, { headers: bearer('auditor') })).json() as Promise<any>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DAY = { adminToken: TEST_TOKENS.operations, terminals: 6, transactions: 40, unbalancedEvery: 3, log: () => undefined };
/** Settlement lines (BatchSettled, PayoutScheduled) not preceded by their batch's BatchClosed; throws when a trail has none to check. */
const effectsBeforeCauses = (lines: any[]) => {
  const batch = (l: any) => `${l.terminalId}|${l.batchNo}`;
  const effects = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.type === 'BatchSettled' || l.type === 'PayoutScheduled');
  if (effects.length === 0) throw new Error('no settlement in the trail');
  return effects.filter(({ l, i }) => !lines.slice(0, i).some((c) => c.type === 'BatchClosed' && batch(c) === batch(l))).map(({ l }) => `${l.type} ${batch(l)}`);
};
const PROJECTIONS = ['daily-totals', 'audit-trail', 'host-ledger', 'breaks', 'ledger-balances', 'terminal-list'];

describe('ledger-audit on the embedded ledger', () => {
  let ledger: LedgerProcess;
  const dir = mkdtempSync(join(tmpdir(), 'ledger-audit-'));
  const env = { LEDGER_DATA_DIR: dir };

  beforeAll(async () => {
    ledger = await spawnLedger(dir);
  });
  afterAll(async () => {
    await ledger?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('rebuilds every projection after a simulated day to the live digest, swaps it, and the API serves the same totals', async () => {
    const day = await runDay({ ...DAY, url: ledger.url, seed: 7001 });
    expect(day.ok).toBe(true);
    const before = await getJson(`${ledger.url}/v1/reconciliation/daily-totals?businessDay=${day.businessDay}`);
    for (const p of PROJECTIONS) {
      const run = await audit(['rebuild', p, '--json'], env);
      expect(run.code, run.stderr).toBe(0);
      const report = run.json();
      expect(report).toMatchObject({ projection: p, equal: true, swapped: true, outcome: 'SWAPPED', generation: 2 });
      expect(report.rebuilt.digest).toBe(report.live.digest);
      // breaks is fed by reconciliation's own events: none before a clearing file is matched.
      if (p !== 'breaks') expect(report.counts.applied).toBeGreaterThan(0);
    }
    expect(await getJson(`${ledger.url}/v1/reconciliation/daily-totals?businessDay=${day.businessDay}`)).toEqual(before);
    const listed = await audit(['projections', '--json'], env);
    expect(listed.json().map((p: any) => [p.projection, p.generation])).toEqual(PROJECTIONS.map((p) => [p, 2]));
  });

  it('gives a projection as of a past instant equal to the live digest taken at that instant', async () => {
    const snapshot = (await audit(['digest', 'daily-totals', '--json'], env)).json();
    await sleep(50);
    const instant = new Date().toISOString();
    await sleep(50);
    const later = await runDay({ ...DAY, terminals: 3, url: ledger.url, seed: 7002 });
    expect(later.ok).toBe(true);
    expect((await audit(['digest', 'daily-totals', '--json'], env)).json().digest).not.toBe(snapshot.digest);
    const asOf = await audit(['as-of', 'daily-totals', '--at', instant, '--format', 'json'], env);
    expect(asOf.code, asOf.stderr).toBe(0);
    expect(asOf.json().digest).toEqual({ documents: snapshot.documents, digest: snapshot.digest });
  });

  it('exports a terminal day trail and a day report, and refuses unknown names and malformed options with exit code 2', async () => {
    const totals = (await audit(['as-of', 'daily-totals', '--at', new Date().toISOString(), '--format', 'json'], env)).json().documents;
    const { terminalId, merchantId, businessDay: day } = totals[0].doc;
    const trail = await audit(['trail', '--terminal', terminalId, '--business-day', day, '--format', 'json'], env);
    expect(trail.code, trail.stderr).toBe(0);
    const trailJson = trail.json();
    expect(trailJson.lines.length).toBeGreaterThan(5);
    expect(trailJson.lines.map((l: any) => l.type)).toContain('BatchClosed');
    // The settlement a BatchClosed caused shares its occurred-at, and is listed after it.
    expect(effectsBeforeCauses(trailJson.lines)).toEqual([]);
    const merchantLines = (await getJson(`${ledger.url}/v1/reconciliation/audit-trail?businessDay=${day}&merchantId=${merchantId}`)).lines;
    expect(effectsBeforeCauses(merchantLines)).toEqual([]);
    const csv = await audit(['trail', '--merchant', merchantId, '--business-day', day, '--format', 'csv'], env);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\n')[0]).toMatch(/type/);
    const report = await audit(['report', '--business-day', day, '--format', 'json'], env);
    expect(report.code, report.stderr).toBe(0);
    expect(report.json().ok).toBe(true);
    expect(report.json().counts).toMatchObject({ batches: 9, closed: 9 });
    // The service answers the same over HTTP.
    expect(await getJson(`${ledger.url}/v1/reconciliation/day-report?businessDay=${day}`)).toEqual(report.json());
    const merchantTrail = await getJson(`${ledger.url}/v1/reconciliation/audit-trail?businessDay=${day}&merchantId=${merchantId}`);
    expect(merchantTrail.lines.length).toBe(csv.stdout.trim().split('\n').length - 1);
    const refused = await fetch(`${ledger.url}/v1/reconciliation/day-report?businessDay=2026-1-1`, { headers: bearer('auditor') });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).error.code).toBe('QUERY_INVALID');

    const unknown = await audit(['rebuild', 'no-such-projection'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/PROJECTION_UNKNOWN/);
    const noTerminal = await audit(['trail', '--terminal', 'ZZZZZZZZ', '--business-day', day], env);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toMatch(/TRAIL_NOT_FOUND/);
    const badInstant = await audit(['as-of', 'daily-totals', '--at', 'yesterday 18:00'], env);
    expect(badInstant.code).toBe(2);
    expect(badInstant.stderr).toMatch(/ISO-8601 instant/);
    const badDay = await audit(['verify', '--business-day', '2026-13-45'], env);
    expect(badDay.code).toBe(2);
    expect(badDay.stderr).toMatch(/^error BUSINESS_DAY_INVALID: option --business-day/);
    const rolledOver = await audit(['as-of', 'daily-totals', '--at', '2026-11-31T23:59:59Z'], env);
    expect([rolledOver.code, rolledOver.stderr]).toEqual([2, expect.stringMatching(/^error INSTANT_INVALID: /)]);
    // A view of a day or terminal the projection holds nothing of is refused, as trail and report refuse one.
    const now = new Date().toISOString();
    for (const scope of [['--terminal', 'ZZZZZZZZ'], ['--business-day', '2020-01-01'], ['--business-day', day, '--merchant', 'ZZZZZZZZZZZZZZZ']]) {
      const empty = await audit(['as-of', 'daily-totals', '--at', now, ...scope], env);
      expect([empty.code, empty.stderr], scope.join(' ')).toEqual([2, expect.stringMatching(/^error DOCUMENTS_NOT_FOUND: daily-totals as of .* holds no documents of/)]);
    }
    const unknownCommand = await audit(['rebuilt', 'daily-totals'], env);
    expect([unknownCommand.code, unknownCommand.stderr]).toEqual([2, expect.stringMatching(/^error COMMAND_UNKNOWN: unknown command 'rebuilt'/)]);
    expect((await audit(['--help'], env)).code).toBe(0);
    expect((await audit(['rebuild', '--help'], env)).stdout).toMatch(/--compare-only/);
    const noData = await audit(['verify', '--data-dir', join(dir, 'nowhere')], env);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/DATA_NOT_FOUND/);
  });

  it('catches an event edited and an event deleted in the store file, with the exact stream and version', async () => {
    const ok = await audit(['verify', '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json().ok).toBe(true);
    const db = new DatabaseSync(join(dir, 'terminal-gateway.db'));
    try {
      // Someone with database access adds a digit to a sale's amount.
      const sale = db.prepare("SELECT stream_id, version, payload FROM events WHERE type = 'TransactionCompleted' ORDER BY position LIMIT 1 OFFSET 10").get() as { stream_id: string; version: number; payload: string };
      const stream = sale.stream_id;
      const payload = JSON.parse(sale.payload);
      db.prepare('UPDATE events SET payload = ? WHERE stream_id = ? AND version = ?').run(JSON.stringify({ ...payload, amount: `1${payload.amount}` }), stream, sale.version);
      const edited = await audit(['verify', '--terminal', stream.slice('terminal-'.length), '--json'], env);
      expect(edited.code).toBe(1);
      expect(edited.json().broken).toEqual([expect.objectContaining({ streamId: stream, brokenAtVersion: sale.version, code: 'EVENT_CONTENT_ALTERED' })]);

      const { stream_id: other } = db.prepare("SELECT stream_id FROM events WHERE stream_id LIKE 'terminal-%' AND stream_id <> ? AND version = 9").get(stream) as { stream_id: string };
      db.prepare('DELETE FROM outbox WHERE position IN (SELECT position FROM events WHERE stream_id = ? AND version = 9)').run(other);
      db.prepare('DELETE FROM events WHERE stream_id = ? AND version = 9').run(other);
      const deleted = await audit(['verify', '--service', 'terminal-gateway', '--json'], env);
      expect(deleted.code).toBe(1);
      expect(deleted.json().broken).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ streamId: stream, brokenAtVersion: sale.version }),
          expect.objectContaining({ streamId: other, brokenAtVersion: 9, code: 'EVENT_MISSING' }),
        ]),
      );
      const table = await audit(['verify', '--service', 'terminal-gateway'], env);
      expect(table.stdout).toMatch(/2 BROKEN/);
    } finally {
      db.close();
    }
  });
});

describe('ledger-audit on the microservice deployment (Kafka and PostgreSQL)', () => {
  let pgServer: StartedPostgres;
  let kafka: StartedKafka;
  const processes: LedgerProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    [pgServer, kafka] = await Promise.all([startPostgres(), startKafka()]);
    env = { KAFKA_BROKERS: kafka.brokers.join(','), DATABASE_URL: pgServer.connectionString, KAFKA_PARTITIONS: '3' };
  });
  afterAll(async () => {
    for (const p of processes) await p.kill('SIGTERM');
    await Promise.all([pgServer?.stop(), kafka?.stop()]);
  });

  it('rebuilds every projection while the simulator trades, swaps each, and every one stays equal to live after the day', async () => {
    const [gateway, settlement, reconciliation] = await Promise.all((['terminal-gateway', 'settlement', 'reconciliation'] as const).map((app) => spawnApp(app, env)));
    processes.push(gateway, settlement, reconciliation);
    const urls = { url: gateway.url, settlementUrl: settlement.url, reconciliationUrl: reconciliation.url };
    const first = await runDay({ ...DAY, ...urls, seed: 8101 });
    expect(first.ok, JSON.stringify({ errors: first.errors, mismatches: first.mismatches.slice(0, 10) })).toBe(true);
    // Every projection the catalogue lists, so one added later is rebuilt here too.
    const catalogue: string[] = (await audit(['projections', '--json'], env)).json().map((p: any) => p.projection);
    expect(catalogue).toEqual(expect.arrayContaining(PROJECTIONS));

    // Live traffic continues while every projection is rebuilt from the topics and stores the services
    // wrote: days of a few terminals (two at a time, so terminals registered before a handover go on
    // selling, reversing and settling past it), one after another until every rebuild has finished.
    let rebuilding = true;
    const days: DayReport[] = [];
    const traffic = (async () => {
      for (let seed = 8102; rebuilding; seed++) days.push(await runDay({ ...DAY, terminals: 4, concurrency: 2, ...urls, seed }));
    })();
    await sleep(1_000);
    // Meanwhile the first day is matched against an acquirer file, so breaks (fed by reconciliation's own events) move too.
    const matching = (async () => {
      const out = mkdtempSync(join(tmpdir(), 'clearing-files-'));
      const generated = await runBuilt('tools/clearing/main.js', ['--url', reconciliation.url, '--business-day', first.businessDay, '--seed', '5', '--inject', 'AMOUNT_MISMATCH,FEE_MISMATCH', '--out', out], env);
      expect(generated.code, generated.stderr).toBe(0);
      const imported = await audit(['clearing', 'import', join(out, `clearing-${first.businessDay}.csv`), '--json'], env);
      expect(imported.code, imported.stderr).toBe(0);
      const reconciled = await audit(['reconcile', '--business-day', first.businessDay, '--json'], env);
      expect(reconciled.code, reconciled.stderr).toBe(1);
      rmSync(out, { recursive: true, force: true });
      return reconciled.json().breaks.length as number;
    })();
    const rebuilds = await Promise.all(catalogue.map((p) => audit(['rebuild', p, '--json', '--batch-size', '50'], env))).finally(() => (rebuilding = false));
    expect(await matching).toBeGreaterThanOrEqual(2);
    await traffic;
    for (const d of days) expect(d.ok, JSON.stringify({ seed: d.seed, errors: d.errors, mismatches: d.mismatches.slice(0, 10) })).toBe(true);
    for (const [i, run] of rebuilds.entries()) {
      expect(run.code, `${catalogue[i]}: ${run.stderr} ${run.stdout.slice(0, 2000)}`).toBe(0);
      expect(run.json()).toMatchObject({ projection: catalogue[i], equal: true, outcome: 'SWAPPED', generation: 2 });
    }
    // After the day: a fresh comparison of every projection still finds live equal to a rebuild.
    for (const p of catalogue) {
      const run = await audit(['rebuild', p, '--compare-only', '--json'], env);
      expect(run.code, `${p}: ${run.stderr} ${run.stdout.slice(0, 2000)}`).toBe(0);
      expect(run.json()).toMatchObject({ equal: true, outcome: 'COMPARED_EQUAL' });
      expect(run.json().live.documents, p).toBeGreaterThan(0);
    }
    const scan = await audit(['scan', '--json'], env);
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.json().messages).toBeGreaterThan(days.reduce((n, d) => n + d.transactions, first.transactions));
  });

  it('catches an event edited and one deleted directly in PostgreSQL, with the exact stream and version', async () => {
    expect((await audit(['verify', '--json'], env)).json().ok).toBe(true);
    const client = new pg.Client({ connectionString: pgServer.connectionString });
    await client.connect();
    try {
      const { rows: [edit] } = await client.query("SELECT stream_id, version FROM terminal_gateway.events WHERE type = 'TransactionCompleted' ORDER BY position LIMIT 1 OFFSET 10");
      await client.query("UPDATE terminal_gateway.events SET payload = jsonb_set(payload, '{amount}', '\"999999\"') WHERE stream_id = $1 AND version = $2", [edit.stream_id, edit.version]);
      const { rows: [del] } = await client.query("SELECT stream_id FROM settlement.events WHERE version = 1 ORDER BY stream_id LIMIT 1");
      await client.query('DELETE FROM settlement.outbox WHERE stream_id = $1 AND first_version = 1', [del.stream_id]);
      await client.query('DELETE FROM settlement.events WHERE stream_id = $1 AND version = 1', [del.stream_id]);
      const run = await audit(['verify', '--json'], env);
      expect(run.code).toBe(1);
      expect(run.json().broken).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ service: 'terminal-gateway', streamId: edit.stream_id, brokenAtVersion: edit.version, code: 'EVENT_CONTENT_ALTERED' }),
          expect.objectContaining({ service: 'settlement', streamId: del.stream_id, brokenAtVersion: 1 }),
        ]),
      );
      expect(run.json().broken).toHaveLength(2);
    } finally {
      await client.end();
    }
  });
});
