import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './main';

/** Runs the CLI in-process; every case here is refused before any store is opened. */
describe('ledger-audit refuses what it cannot run exactly, with exit code 2 and a stable code', () => {
  let stderr: string;
  beforeEach(() => {
    stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  const run = async (...argv: string[]) => ({ code: await main(['--data-dir', '/nonexistent/ledger-audit', ...argv]), stderr });

  it.each([
    ['a day past the end of the month', '2026-11-31T23:59:59Z'],
    ['a February 30th', '2026-02-30T10:00:00Z'],
    ['an hour 24', '2026-11-24T24:00:00Z'],
    ['sub-millisecond digits, which would be dropped', '2026-11-24T10:00:00.1234567Z'],
    ['no zone', '2026-11-24T10:00:00'],
    ['no seconds', '2026-11-24T10:00Z'],
  ])('an instant with %s', async (_what, at) => {
    const r = await run('as-of', 'daily-totals', '--at', at);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error INSTANT_INVALID: option --at <instant>: .*'${at.replace(/[.+]/g, '\\$&')}'`));
  });

  it('takes an instant to the millisecond, or with zeros past it, before it looks for data', async () => {
    for (const at of ['2026-11-24T10:00:00.123+08:00', '2026-11-24T10:00:00.123000Z']) expect((await run('as-of', 'daily-totals', '--at', at)).stderr).toMatch(/^error DATA_NOT_FOUND:/);
  });

  it('a replay whose --until-time is before its --from-time', async () => {
    const r = await run('replay', 'daily-totals', '--from-time', '2026-11-24T10:00:00Z', '--until-time', '2026-11-24T09:59:59.999Z');
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toMatch(/^error TIME_RANGE_INVALID: --until-time 2026-11-24T09:59:59.999Z is before --from-time 2026-11-24T10:00:00.000Z/);
  });

  it.each([
    [['no-such-command'], 'COMMAND_UNKNOWN', /unknown command 'no-such-command'/],
    [['trail', '--business-day', '2026-11-24', '--colour'], 'OPTION_UNKNOWN', /--colour/],
    [['as-of', 'daily-totals'], 'OPTIONS_MISSING', /--at/],
    [['rebuild'], 'ARGUMENT_MISSING', /projection/],
    [['trail', '--business-day', '2026-02-30', '--terminal', 'T0000001'], 'BUSINESS_DAY_INVALID', /option --business-day <day>: .*'2026-02-30'/],
    [['trail', '--business-day', '2026-11-24', '--terminal', 't1'], 'TERMINAL_ID_INVALID', /option --terminal <id>/],
    [['trail', '--business-day', '2026-11-24', '--merchant', 'M0000000000001'], 'MERCHANT_ID_INVALID', /option --merchant <id>: expected a merchant id \(15 capital letters or digits\), got 'M0000000000001'/],
    [['trail', '--business-day', '2026-11-24', '--terminal', 'T0000001', '--batch', '000000'], 'BATCH_NO_INVALID', /option --batch <no>: expected a batch number \(6 digits, 000001 to 999999\), got '000000'/],
    [['rebuild', 'daily-totals', '--batch-size', '0'], 'NUMBER_INVALID', /option --batch-size <n>/],
    [['reconcile', '--business-day', '2026-11-24', '--fee-tolerance', 'x'], 'OPTION_INVALID', /option --fee-tolerance <minor>/],
    [[], 'COMMAND_MISSING', /no command given/],
  ])('%j', async (argv, code, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^(?:[\\s\\S]*\\n)?error ${code}: `));
    expect(r.stderr).toMatch(message);
  });
});
