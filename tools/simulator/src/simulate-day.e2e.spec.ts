import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerProcess, spawnLedger } from '@pos/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDay } from './simulate-day';

/** The acceptance day: 20 terminals x 200 transactions against the ledger as a separate process. */
describe('a full business day of 20 terminals on the embedded ledger', () => {
  let ledger: LedgerProcess;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-day-'));
    ledger = await spawnLedger(dir);
  });
  afterAll(async () => {
    await ledger.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with daily totals, fees and net equal to the terminals own record and every journal balanced', async () => {
    const report = await runDay({ url: ledger.url, terminals: 20, transactions: 200, seed: 2026, unbalancedEvery: 4, log: () => undefined });
    expect(report.errors).toEqual([]);
    expect(report.mismatches).toEqual([]);
    expect(report.journalsBalanced).toBe(true);
    expect(report.settlementsChecked).toBe(20);
    expect(report.unbalancedTerminals).toBe(5);
    expect(report.ok).toBe(true);
    console.log(`simulated day: ${report.transactions} transactions, ${Math.round(report.transactionsPerSecond)} tx/s`);
  });
});
