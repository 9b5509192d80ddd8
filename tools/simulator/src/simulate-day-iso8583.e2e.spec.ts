import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerProcess, spawnLedger } from '@pos/testing';
import { freeLoopbackPort } from '@pos/testing/containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDay } from './simulate-day';

/** `--protocol iso8583`: the same business day, every terminal request an ISO 8583 message over TCP. */
describe('a business day of 12 terminals over ISO 8583 on the embedded ledger', () => {
  let ledger: LedgerProcess;
  let dir: string;
  let isoPort: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-iso-day-'));
    isoPort = await freeLoopbackPort();
    ledger = await spawnLedger(dir, { LEDGER_ISO8583_PORT: String(isoPort) });
  });
  afterAll(async () => {
    await ledger.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with daily totals, fees and journals equal to the terminals own record, unbalanced batches uploaded 0320 by 0320', async () => {
    const report = await runDay({
      url: ledger.url, protocol: 'iso8583', iso8583: `127.0.0.1:${isoPort}`, terminals: 12, transactions: 120, seed: 8583, unbalancedEvery: 3, log: () => undefined,
    });
    expect(report.errors).toEqual([]);
    expect(report.mismatches).toEqual([]);
    expect(report.journalsBalanced).toBe(true);
    expect(report.settlementsChecked).toBe(12);
    expect(report.unbalancedTerminals).toBe(4);
    expect(report.ok).toBe(true);
    // Every terminal request went over ISO 8583: sign-on, transactions, retries, settlement, each upload record, its end, sign-off.
    expect(report.protocol).toBe('iso8583');
    expect(report.isoMessages).toBeGreaterThan(report.transactions + report.retries + 12 * 3);
    expect(report.voids + report.refunds + report.reversals).toBeGreaterThan(0);
    console.log(`simulated day over ISO 8583: ${report.transactions} transactions, ${report.isoMessages} messages, ${Math.round(report.transactionsPerSecond)} tx/s`);
  });
});
