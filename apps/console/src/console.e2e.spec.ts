import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, type LedgerProcess, runBuilt, spawnLedger, TEST_TOKENS } from '@pos/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAmount } from './app/format';
import { launchChromium, newContext, screenshot, seriousViolations, signIn } from './testing/browser';

// Browser tests of the operations console on the real embedded ledger (its own process), driven
// by a simulated day (the simulator's runDay, as its own process), in Debian's Chromium.
const ROLES = ['operations', 'finance', 'auditor'] as const;
// Every break type that lands in the day's own file (a late presentment arrives in the next day's).
const INJECT = ['MISSING_AT_ACQUIRER', 'MISSING_AT_HOST', 'AMOUNT_MISMATCH', 'FEE_MISMATCH', 'DUPLICATE_AT_ACQUIRER', 'STATUS_MISMATCH'];
const fmt = (minor: string, currency: string) => formatAmount(minor, currency, 'en-US');

const api = async (ledger: LedgerProcess, path: string, role: (typeof ROLES)[number] = 'auditor'): Promise<any> => {
  const res = await fetch(`${ledger.url}${path}`, { headers: bearer(role) });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json();
};

/** Text of a locator with the page's whitespace (and NBSPs from Intl) made plain spaces. */
const textOf = async (page: Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').replace(/\s+/g, ' ');
const plain = (s: string) => s.replace(/\s+/g, ' ');
/** The breaks queue's caption says how many rows it shows (a signal on the page, no script evaluated under its CSP). */
const breaksShown = (page: Page, n: number) => page.getByText(`${n} breaks shown`, { exact: true }).waitFor();

describe('the operations console in a real browser (embedded ledger)', () => {
  let dir: string;
  let ledger: LedgerProcess;
  let browser: Browser;
  let base: string;
  let day: string;
  // What the pages' scripts threw, and anything the ledger's Content-Security-Policy blocked.
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
    });
    return page;
  };
  const pageAs = async (role: (typeof ROLES)[number], path = 'day', viewport: 'desktop' | 'tablet' = 'desktop') => {
    const page = watch(await (await newContext(browser, viewport)).newPage());
    await signIn(page, base, TEST_TOKENS[role], path);
    return page;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-e2e-'));
    ledger = await spawnLedger(dir);
    // 8 terminals, every 4th settling unbalanced (an offline sale the host never saw), some charging a card twice.
    const sim = await runBuilt('tools/simulator/main.js', ['--url', ledger.url, '--terminals', '8', '--transactions', '30', '--unbalanced-every', '4', '--duplicate-every', '3', '--seed', '1313', '--json']);
    expect(sim.code, sim.stderr).toBe(0);
    day = sim.json().businessDay;
    // The ledger serves the console itself, at /console/ on its own origin.
    base = ledger.url;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await ledger?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in as each role, says who is signed in, and refuses a wrong token on the sign-in page', async () => {
    const page = watch(await (await newContext(browser)).newPage());
    await page.goto(`${base}/console/day`);
    await page.getByRole('heading', { name: 'Sign in to the ledger console' }).waitFor();
    await page.getByLabel('Back-office token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(plain((await alert.textContent()) ?? '')).toContain('ADMIN_UNAUTHENTICATED');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in-refused');

    for (const role of ROLES) {
      const p = await pageAs(role);
      expect(await p.locator('[data-role]').textContent()).toBe(role);
      await p.getByRole('heading', { level: 1, name: `Business day` }).waitFor();
      // The session cookie is HttpOnly: the page's scripts cannot read it.
      expect(await p.evaluate('document.cookie')).not.toContain('ledger_session');
      const cookie = (await p.context().cookies()).find((c) => c.name === 'ledger_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      await p.getByRole('button', { name: 'Sign out' }).click();
      await p.getByRole('heading', { name: 'Sign in to the ledger console' }).waitFor();
      await p.reload();
      await p.getByRole('heading', { name: 'Sign in to the ledger console' }).waitFor();
    }

    // A session that ends under an open page (here its cookie is gone) brings the sign-in page back, saying so,
    // and signing in again returns to the page asked for.
    const p = await pageAs('finance');
    await p.context().clearCookies();
    await p.getByRole('link', { name: 'Clearing and breaks' }).click();
    await p.getByRole('heading', { name: 'Sign in to the ledger console' }).waitFor();
    expect(await p.getByRole('status').textContent()).toMatch(/^Your session has ended/);
    await screenshot(p, 'sign-in-session-ended');
    await p.getByLabel('Back-office token').fill(TEST_TOKENS.finance);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Clearing and breaks' }).waitFor();
  });

  it('shows every unbalanced batch of the day with each difference, and the totals, as the day report answers them', async () => {
    const report = await api(ledger, `/v1/reconciliation/day-report?businessDay=${day}`);
    const daily = await api(ledger, `/v1/reconciliation/daily-totals?businessDay=${day}`);
    const unbalanced = report.merchants.flatMap((m: any) => m.terminals.flatMap((t: any) => t.batches.filter((b: any) => b.result === 'UNBALANCED').map((b: any) => ({ t, b }))));
    expect(unbalanced.length).toBeGreaterThan(0);

    const page = await pageAs('finance', `day?day=${day}`);
    await page.getByRole('heading', { name: `Business day ${day}` }).waitFor();
    for (const { t, b } of unbalanced) {
      const batch = `tbody[data-batch="${t.terminalId}/${b.batchNo}"]`;
      await page.locator(batch).waitFor();
      expect(await textOf(page, `${batch} > tr:first-child`)).toContain('Unbalanced');
      expect(b.differences.length).toBeGreaterThan(0);
      const rows = page.locator(`${batch} table.differences tbody tr`);
      expect(await rows.count()).toBe(b.differences.length);
      for (const [i, d] of b.differences.entries()) {
        const row = plain((await rows.nth(i).textContent()) ?? '');
        expect(row).toContain(d.note);
        if (d.stan) expect(row).toContain(d.stan);
        if (d.hostAmount) expect(row).toContain(plain(fmt(d.hostAmount, d.currency)));
        if (d.terminalAmount) expect(row).toContain(plain(fmt(d.terminalAmount, d.currency)));
      }
      for (const s of b.settlement?.totals ?? []) expect(await textOf(page, `${batch} > tr:first-child`)).toContain(plain(fmt(s.net, s.currency)));
      for (const p of b.payouts) expect(await textOf(page, `${batch} > tr:first-child`)).toContain(p.payoutDate);
    }
    // The day's totals per currency are the report's and the daily totals' own figures.
    const tables = await page.locator('table').allTextContents();
    for (const t of report.totals) {
      const table = plain(tables.find((x) => x.includes('Batches, fees and payouts per currency')) ?? '');
      for (const figure of [t.gross, t.fees, t.net, t.payouts]) expect(table).toContain(plain(fmt(figure, t.currency)));
    }
    for (const s of daily.summary) {
      const table = plain(tables.find((x) => x.includes('Daily totals per currency')) ?? '');
      for (const figure of [s.salesAmount, s.voidsAmount, s.refundsAmount, s.gross, s.fees, s.net]) expect(table).toContain(plain(fmt(figure, s.currency)));
    }
    // The chart is drawn, and its table gives each hour's sales by method.
    await page.locator('canvas[role="img"]').waitFor();
    expect(await page.locator('figure.chart tbody tr').count()).toBeGreaterThan(0);
    // Its hours add up to the day's sales per method in the daily totals.
    for (const method of ['BANK_CARD', 'QR']) {
      const rows = daily.rows.filter((r: any) => r.method === method && r.currency === 'CNY');
      const amount = rows.reduce((s: bigint, r: any) => s + BigInt(r.salesAmount), 0n);
      const count = rows.reduce((s: number, r: any) => s + r.salesCount, 0);
      expect(await textOf(page, `figure.chart tfoot td[data-method="${method}"]`), method).toBe(` ${plain(fmt(amount.toString(), 'CNY'))} (${count})`.trim());
    }
    await screenshot(page, 'day-unbalanced-batches');
  });

  let manifest: any;
  it('finance uploads a refused clearing file (line-numbered errors), then the day file with injected breaks, and reconciles', async () => {
    const out = mkdtempSync(join(tmpdir(), 'console-clearing-'));
    const gen = await runBuilt('tools/clearing/main.js', ['--url', ledger.url, '--business-day', day, '--seed', '77', '--inject', INJECT.join(','), '--out', out]);
    expect(gen.code, gen.stderr).toBe(0);
    manifest = JSON.parse(readFileSync(join(out, 'injected.json'), 'utf8'));
    expect(manifest.injected.map((i: any) => i.type).sort()).toEqual([...INJECT].sort());
    const [file] = readdirSync(out).filter((f) => f.endsWith('.csv')).map((f) => join(out, f));
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const bad = [...lines];
    bad[3] = bad[3].replace(/,CNY,/, ',XYZ,');
    bad[4] = bad[4].split(',').slice(0, 10).join(',');
    const badFile = join(out, 'bad.csv');
    writeFileSync(badFile, `${bad.join('\n')}\n`);

    const page = await pageAs('finance', `clearing?day=${day}`);
    await page.getByRole('heading', { name: 'Clearing and breaks' }).waitFor();
    await page.getByLabel('Clearing file (CSV)').setInputFiles(badFile);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('table', { name: 'Lines refused' }).waitFor();
    const refused = (await page.getByRole('table', { name: 'Lines refused' }).locator('tbody tr').allTextContents()).map(plain);
    expect(refused.some((r) => r.startsWith('4') && r.includes('CURRENCY_UNKNOWN'))).toBe(true);
    expect(refused.some((r) => r.startsWith('5') && r.includes('COLUMN_COUNT'))).toBe(true);
    await screenshot(page, 'clearing-refused-file');
    expect((await api(ledger, `/v1/reconciliation/clearing-files?businessDay=${day}`)).files).toEqual([]);

    await page.getByLabel('Clearing file (CSV)').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText(/^Imported: /).waitFor();
    // Only an XMLHttpRequest upload-progress event moves the bar off 0.
    expect(await page.locator('progress').getAttribute('value')).toBe('100');
    await page.locator('table[aria-label], table').filter({ hasText: 'Reference' }).first().waitFor();

    await page.getByRole('button', { name: `Reconcile ${day}` }).click();
    await page.getByText(/^Run finished: /).waitFor();
    await breaksShown(page, INJECT.length);
    const types = await page.locator('tr[data-break] th').allTextContents();
    expect(types.length).toBe(INJECT.length);
    await page.getByText('Not reconciled').waitFor();
    rmSync(out, { recursive: true, force: true });
  });

  it('an auditor sees everything and can change nothing: no write button, and the API refuses', async () => {
    const page = await pageAs('auditor', `clearing?day=${day}`);
    await breaksShown(page, INJECT.length);
    for (const name of ['Upload', 'Resolve', 'Assign', `Reconcile ${day}`]) expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    expect(await page.getByLabel('Clearing file (CSV)').count()).toBe(0);
    await page.goto(`${base}/console/terminals`);
    await page.getByRole('heading', { name: 'Terminals' }).waitFor();
    expect(await page.getByRole('link', { name: 'Register a terminal' }).count()).toBe(0);
    // Asked for directly, the write page is the refused page.
    await page.goto(`${base}/console/terminals/new`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    expect(plain((await page.getByRole('alert').textContent()) ?? '')).toContain('Registering a terminal was refused');
    expect(await page.getByLabel('Terminal ID (8 letters or digits)').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'refused-auditor');

    // The API refuses the auditor's write even with the session's own CSRF token; and a write without it is refused for anyone.
    const asAuditor = await page.evaluate(`(async () => {
      const s = await (await fetch('/v1/session')).json();
      const r = await fetch('/v1/reconciliation/days/${day}/reconcile', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken }, body: '{}' });
      return { status: r.status, body: await r.json() };
    })()`);
    expect(asAuditor).toMatchObject({ status: 403, body: { error: { code: 'ADMIN_FORBIDDEN' } } });
    const finance = await pageAs('finance', `clearing?day=${day}`);
    const noCsrf = await finance.evaluate(`(async () => {
      const r = await fetch('/v1/reconciliation/days/${day}/reconcile', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return { status: r.status, body: await r.json() };
    })()`);
    expect(noCsrf).toMatchObject({ status: 403, body: { error: { code: 'CSRF_INVALID' } } });
    const breaks = await api(ledger, `/v1/reconciliation/breaks?businessDay=${day}`);
    expect(breaks.breaks.map((b: any) => b.status)).toEqual(INJECT.map(() => 'OPEN'));
  });

  it('finance assigns a break and resolves every break, each with its history, until the day shows reconciled', async () => {
    const page = await pageAs('finance', `clearing?day=${day}`);
    await breaksShown(page, INJECT.length);
    const first = page.locator('tr[data-break]').first();
    const firstId = await first.getAttribute('data-break');
    await first.getByRole('button', { name: 'Assign', exact: true }).click();
    await first.getByLabel('Assignee').fill('anna.finance');
    await first.getByLabel('Note').fill('asking the acquirer');
    await first.getByRole('button', { name: 'Assign break' }).click();
    await page.locator(`tr[data-break="${firstId}"][data-status="ASSIGNED"]`).waitFor();

    // Filters: by status, then back to all.
    await page.getByLabel('Status').selectOption('ASSIGNED');
    await breaksShown(page, 1);
    await page.getByLabel('Status').selectOption('');
    await breaksShown(page, INJECT.length);
    await page.getByLabel('Type').selectOption(INJECT[0]);
    await breaksShown(page, 1);
    await page.getByLabel('Type').selectOption('');
    await breaksShown(page, INJECT.length);
    await screenshot(page, 'clearing-breaks-open');

    for (let resolved = 0; resolved < INJECT.length; resolved++) {
      const row = page.locator('tr[data-break]:not([data-status="RESOLVED"])').first();
      const id = await row.getAttribute('data-break');
      await row.getByRole('button', { name: 'Resolve', exact: true }).click();
      await row.getByLabel('Reason').selectOption(resolved % 2 ? 'WRITTEN_OFF' : 'ACQUIRER_CORRECTED');
      await row.getByLabel('Note').fill(`checked in the console (${resolved + 1})`);
      await row.getByRole('button', { name: 'Resolve break' }).click();
      await page.locator(`tr[data-break="${id}"][data-status="RESOLVED"]`).waitFor();
    }
    await page.locator('.day-state').getByText('Reconciled', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await textOf(page, '.day-state')).toContain(`Day ${day} reconciled at`);

    // The history of the assigned break: detected, assigned, resolved, each with who did it.
    await page.reload();
    const row = page.locator(`tr[data-break="${firstId}"]`);
    await row.getByText(/^History/).click();
    const history = (await row.locator('ol.history li').allTextContents()).map(plain);
    expect(history).toHaveLength(3);
    expect(history[1]).toMatch(/Assigned by LEDGER_FINANCE_TOKEN \(finance\): asking the acquirer/);
    expect(history[2]).toMatch(/Resolved by LEDGER_FINANCE_TOKEN \(finance\): ACQUIRER_CORRECTED: checked in the console \(1\)/);
    const report = await api(ledger, `/v1/reconciliation/reconciliation-report?businessDay=${day}`);
    expect(report).toMatchObject({ clean: true, breaks: { open: 0, resolved: INJECT.length } });
    await screenshot(page, 'clearing-reconciled');
  });

  it('shows a terminal\'s audit trail with running totals, hashes and a verified chain, and exports it as CSV', async () => {
    const report = await api(ledger, `/v1/reconciliation/day-report?businessDay=${day}`);
    const terminalId = report.merchants[0].terminals[0].terminalId;
    const trail = await api(ledger, `/v1/reconciliation/audit-trail?businessDay=${day}&terminalId=${terminalId}`);
    const page = await pageAs('auditor', `audit?day=${day}&scope=terminal&id=${terminalId}`);
    await page.getByRole('heading', { name: `Trail of terminal ${terminalId} on ${day}` }).waitFor();
    await page.getByText('Chain verifies').first().waitFor();
    const rows = page.locator('table.trail tbody tr');
    expect(await rows.count()).toBe(trail.lines.length);
    const last = trail.lines.at(-1);
    const lastRow = rows.nth(trail.lines.length - 1);
    expect(await lastRow.locator('code').getAttribute('title')).toBe(last.hash);
    for (const t of last.after) expect(plain((await lastRow.textContent()) ?? '')).toContain(plain(fmt(t.net, t.currency)));
    const chain = await api(ledger, `/v1/admin/terminals/${terminalId}/verify`);
    expect(chain.ok).toBe(true);
    const terminalLines = trail.lines.filter((l: any) => l.streamId === chain.streamId).length;
    expect(terminalLines).toBeGreaterThan(0);
    expect(await page.locator('table.trail').getByText('verified', { exact: true }).count()).toBe(terminalLines);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path()) as string, 'utf8').trimEnd().split('\r\n');
    expect(csv[0].split(',')).toEqual(expect.arrayContaining(['seq', 'occurredAt', 'type', 'hash', 'prevHash', 'runningTotalsAfter', 'chain']));
    expect(csv).toHaveLength(trail.lines.length + 1);
    expect(csv.at(-1)).toContain(last.hash);
    await screenshot(page, 'audit-terminal-trail');
  });

  it('operations registers a terminal (keys shown once), sees its state and unlocks a locked operator; an auditor sees it and cannot', async () => {
    const page = await pageAs('operations', 'terminals/new');
    await page.getByLabel('Terminal ID (8 letters or digits)').fill('CONSOLE1');
    await page.getByLabel('Merchant ID (15 letters or digits)').fill('MCONSOLE0000001');
    await page.getByLabel('Merchant name').fill('Console Shop');
    await page.getByLabel("Merchant's time zone (IANA)").fill('Europe/London');
    await page.getByLabel('Limit per transaction (CNY)').fill('500.00');
    await page.getByLabel('Operator ID (2–8 digits)').fill('01');
    await page.getByLabel('Operator password (4–32 characters)').fill('1234');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Terminal CONSOLE1 registered' }).waitFor();
    const apiKey = (await page.locator('dl.secrets dd code').first().textContent()) ?? '';
    expect(apiKey.length).toBeGreaterThan(16);
    await screenshot(page, 'terminal-registered');
    const registered = await api(ledger, '/v1/admin/terminals/CONSOLE1');
    expect(registered).toMatchObject({ merchantId: 'MCONSOLE0000001', merchantName: 'Console Shop', timeZone: 'Europe/London', state: 'REGISTERED' });

    // Three wrong passwords lock operator 01 out.
    const signOn = (stan: string, password: string) =>
      fetch(`${ledger.url}/v1/terminals/CONSOLE1/sign-on`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ stan, operatorId: '01', password }) });
    for (const stan of ['000001', '000002', '000003']) expect((await signOn(stan, '9999')).status).not.toBe(200);
    const row = page.locator('tr[data-terminal="CONSOLE1"]');
    await page.getByRole('link', { name: 'Back to the terminals' }).click();
    // The page is live: the lock shows once the list has followed the gateway's events.
    await row.getByRole('button', { name: 'Unlock operator 01' }).waitFor({ timeout: 30_000 });
    const auditor = await pageAs('auditor', 'terminals');
    await auditor.locator('tr[data-terminal="CONSOLE1"] [data-locked="01"]').waitFor({ timeout: 30_000 });
    expect(await auditor.getByRole('button', { name: /^Unlock operator/ }).count()).toBe(0);

    await row.getByRole('button', { name: 'Unlock operator 01' }).click();
    await page.getByText('Operator 01 of CONSOLE1 is unlocked.').waitFor();
    expect((await signOn('000004', '1234')).status).toBe(200);
    await row.getByText('Signed on', { exact: true }).waitFor({ timeout: 30_000 });
    // The last activity in the merchant's zone (London), UTC on hover.
    const last = row.locator('time');
    expect(await last.getAttribute('title')).toMatch(/ UTC$/);
    const shown = await api(ledger, '/v1/admin/terminals/CONSOLE1');
    expect(await last.getAttribute('datetime')).toBe(shown.lastActivityAt);
    expect(await last.textContent()).toBe(new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/London', dateStyle: 'short', timeStyle: 'medium' }).format(new Date(shown.lastActivityAt)));
    await screenshot(page, 'terminals');
  });

  it('operations rebuilds a projection and sees it swap to a new generation; an auditor has no rebuild button and the API refuses it', async () => {
    const before = (await api(ledger, '/v1/ops/projections')).projections;
    const target = before.find((p: any) => p.name === 'daily-totals') ?? before[0];
    const page = await pageAs('operations', 'projections');
    const row = page.locator(`tr[data-projection="${target.name}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-generation')).toBe(String(target.generation));
    await row.getByRole('button', { name: `Rebuild ${target.name}` }).click();
    await page.locator(`tr[data-projection="${target.name}"][data-generation="${target.generation + 1}"]`).waitFor({ timeout: 120_000 });
    await row.getByText('Swapped').waitFor();
    const after = (await api(ledger, '/v1/ops/projections')).projections.find((p: any) => p.name === target.name);
    expect(after).toMatchObject({ generation: target.generation + 1, digest: target.digest, state: 'LIVE', rebuild: { result: 'SWAPPED' } });
    await screenshot(page, 'projections-swapped');

    const auditor = await pageAs('auditor', 'projections');
    await auditor.locator(`tr[data-projection="${target.name}"]`).waitFor();
    expect(await auditor.getByRole('button', { name: /^Rebuild / }).count()).toBe(0);
    const refused = await auditor.evaluate(`(async () => {
      const s = await (await fetch('/v1/session')).json();
      const r = await fetch('/v1/ops/projections/${target.name}/rebuild', { method: 'POST', headers: { 'x-csrf-token': s.csrfToken } });
      return { status: r.status, body: await r.json() };
    })()`);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'ADMIN_FORBIDDEN' } } });
  });

  it('health shows readiness, consumer lag, outbox backlog and dead letters, refreshed live', async () => {
    const health = await api(ledger, '/v1/ops/health');
    const page = await pageAs('auditor', 'health');
    await page.locator('tr[data-service="ledger"]').getByText('ready', { exact: true }).waitFor();
    expect(await page.getByRole('region', { name: 'Consumer lag' }).locator('tbody tr').count()).toBe(health.consumers.length);
    expect(await page.getByRole('region', { name: 'Outbox backlog' }).locator('tbody tr').count()).toBe(health.outbox.length);
    for (const d of health.deadLetters) await page.locator(`tr[data-topic="${d.topic}"]`).waitFor();
    // Live: a newer answer replaces the shown one without a reload.
    const first = await page.locator('p[role="status"] time').getAttribute('datetime');
    await page.locator(`p[role="status"] time:not([datetime="${first}"])`).waitFor();
    await screenshot(page, 'health');
  });

  it('every page has no serious or critical accessibility violation at 1280 px and on a tablet (768 px); screenshots of each', async () => {
    const terminalId = (await api(ledger, `/v1/reconciliation/day-report?businessDay=${day}`)).merchants[0].terminals[0].terminalId;
    const PAGES = [
      { path: `day?day=${day}`, ready: 'canvas[role="img"]', name: 'day' },
      { path: `clearing?day=${day}`, ready: 'tr[data-break]', name: 'clearing' },
      { path: `audit?day=${day}&scope=terminal&id=${terminalId}`, ready: 'table.trail', name: 'audit' },
      { path: 'terminals/new', ready: 'form', name: 'register-terminal' },
      { path: 'terminals', ready: 'tr[data-terminal]', name: 'terminals' },
      { path: 'projections', ready: 'tr[data-projection]', name: 'projections' },
      { path: 'health', ready: 'tr[data-service]', name: 'health' },
    ];
    for (const viewport of ['desktop', 'tablet'] as const) {
      const page = await pageAs('operations', 'day', viewport);
      for (const p of PAGES) {
        await page.goto(`${base}/console/${p.path}`);
        await page.locator(p.ready).first().waitFor();
        await page.getByRole('status').filter({ hasText: /^Loading/ }).waitFor({ state: 'detached' });
        expect(await seriousViolations(page), `${p.name} at ${viewport}`).toEqual([]);
        await screenshot(page, `${p.name}-${viewport}`);
        // Nothing is wider than the screen: wide tables scroll inside their own box.
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), `${p.name} at ${viewport} fits the width`).toBe(true);
      }
    }
    expect(problems).toEqual([]);
  });
});
