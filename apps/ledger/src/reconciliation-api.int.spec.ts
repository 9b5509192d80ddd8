import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '@pos/platform';
import { type RunningProcess, startProcess } from '@pos/runtime';
import { ledgerPlan } from './ledger';

/** The reconciliation API on the real embedded ledger: refusals answer the codes docs/errors.md lists, and write nothing. */
describe('reconciliation API refuses bad input with the documented code and changes nothing', () => {
  let ledger: RunningProcess;
  let dir: string;
  const ADMIN = 'Bearer dev-admin-token';
  const position = () => ledger.runtime.store('reconciliation').lastPosition();

  const send = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${ledger.url}${path}`, {
      method,
      headers: { authorization: ADMIN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  /** Asserts a refusal with its code, and that reconciliation's store did not move. */
  const refused = async (method: 'GET' | 'POST', path: string, body: unknown, status: number, code: string) => {
    const before = await position();
    const res = await send(method, path, body);
    expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
    expect(res.body.error, `${method} ${path} ${JSON.stringify(body)}`).toMatchObject({ code });
    expect(typeof res.body.error.message).toBe('string');
    expect(await position()).toBe(before);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-reconciliation-api-'));
    ledger = await startProcess(ledgerPlan, { ...readEnv({}), port: 0, iso8583Port: 0, dataDir: dir, scryptCost: 1024 }, {});
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('breaks: the values the break rules judge answer their own codes, empty or blank alike', () => {
    const id = 'abcdef0123456789abcdef01';
    const resolve = (body: unknown, status: number, code: string) => refused('POST', `/v1/reconciliation/breaks/${id}/resolve`, body, status, code);
    const assign = (body: unknown, status: number, code: string) => refused('POST', `/v1/reconciliation/breaks/${id}/assign`, body, status, code);

    it('resolving: a reason people may not give, an empty or blank note', async () => {
      await resolve({ reason: 'CLEARED_ON_RERUN', note: 'x' }, 400, 'BREAK_RESOLUTION_INVALID');
      await resolve({ reason: 'NOT_A_REASON', note: 'x' }, 400, 'BREAK_RESOLUTION_INVALID');
      await resolve({ reason: 'WRITTEN_OFF', note: '' }, 400, 'BREAK_NOTE_REQUIRED');
      await resolve({ reason: 'WRITTEN_OFF', note: '   ' }, 400, 'BREAK_NOTE_REQUIRED');
      await resolve({ reason: 'WRITTEN_OFF', note: 'x'.repeat(2001) }, 400, 'BREAK_NOTE_REQUIRED');
    });

    it('assigning: an empty, blank or too long assignee', async () => {
      await assign({ assignee: '' }, 400, 'BREAK_ASSIGNEE_INVALID');
      await assign({ assignee: ' \t ' }, 400, 'BREAK_ASSIGNEE_INVALID');
      await assign({ assignee: 'a'.repeat(129) }, 400, 'BREAK_ASSIGNEE_INVALID');
    });

    it('a body of the wrong shape is REQUEST_INVALID; a well-formed command for an unknown break is BREAK_UNKNOWN', async () => {
      await resolve({ reason: 'WRITTEN_OFF' }, 400, 'REQUEST_INVALID');
      await resolve({ reason: 7, note: 'x' }, 400, 'REQUEST_INVALID');
      await resolve({ reason: 'WRITTEN_OFF', note: 'x', extra: 1 }, 400, 'REQUEST_INVALID');
      await assign({}, 400, 'REQUEST_INVALID');
      await assign({ assignee: 'ops-anna', note: 7 }, 400, 'REQUEST_INVALID');
      await resolve({ reason: 'WRITTEN_OFF', note: 'small difference' }, 404, 'BREAK_UNKNOWN');
      await assign({ assignee: 'ops-anna' }, 404, 'BREAK_UNKNOWN');
    });
  });

  describe('queries: a business day that is not a calendar date, and filters outside their values, are QUERY_INVALID', () => {
    const days = ['2026-13-45', '2026-02-30', '2026-11-31', '20261124', ''];
    const withDay = (day: string) => [
      `/v1/reconciliation/daily-totals?businessDay=${day}`,
      `/v1/reconciliation/breaks?businessDay=${day}`,
      `/v1/reconciliation/clearing-files?businessDay=${day}`,
      `/v1/reconciliation/reconciliation-report?businessDay=${day}`,
      `/v1/reconciliation/host-ledger?businessDay=${day}`,
      `/v1/reconciliation/day-report?businessDay=${day}`,
      `/v1/reconciliation/audit-trail?businessDay=${day}&terminalId=T0000001`,
    ];

    it('refuses every read of a day that does not exist', async () => {
      for (const day of days) for (const path of withDay(day)) await refused('GET', path, undefined, 400, 'QUERY_INVALID');
      await refused('GET', '/v1/reconciliation/audit-trail/T0000001/2026-13-45', undefined, 400, 'QUERY_INVALID');
      await refused('POST', '/v1/reconciliation/days/2026-02-30/reconcile', {}, 400, 'QUERY_INVALID');
    });

    it('refuses a break status or type that does not exist', async () => {
      await refused('GET', '/v1/reconciliation/breaks?businessDay=2026-11-24&status=__main__', undefined, 400, 'QUERY_INVALID');
      await refused('GET', '/v1/reconciliation/breaks?businessDay=2026-11-24&status=open', undefined, 400, 'QUERY_INVALID');
      await refused('GET', '/v1/reconciliation/breaks?businessDay=2026-11-24&type=NOT_A_BREAK', undefined, 400, 'QUERY_INVALID');
    });

    it('answers the same reads of a real day', async () => {
      for (const path of withDay('2026-11-24')) expect((await send('GET', path)).status, path).toBe(200);
      const breaks = await send('GET', '/v1/reconciliation/breaks?businessDay=2024-02-29&status=OPEN&type=LATE_PRESENTMENT');
      expect(breaks).toEqual({ status: 200, body: { breaks: [] } });
    });
  });
});
