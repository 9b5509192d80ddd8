import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, type LedgerProcess, spawnLedger } from '@pos/testing';
import { afterAll, describe, expect, it } from 'vitest';

const T = 'T0000042';
const M = 'M00000000000042';
const PAN = '4111111111111111';

interface Answer {
  status: number;
  body: Record<string, any>;
}

const post = async (url: string, path: string, body: unknown, auth: string): Promise<Answer> => {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

const waitFor = async <T>(probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the read side');
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * SIGKILL in the middle of a day: whatever the host acknowledged must be
 * there after restart, the batch goes on, and the projections catch up
 * without counting anything twice.
 */
describe('the ledger survives SIGKILL mid-day', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-kill-'));
  let ledger: LedgerProcess | undefined;
  afterAll(async () => {
    await ledger?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged transaction, continues the batch and projects each one exactly once', async () => {
    ledger = await spawnLedger(dir);
    const reg = await post(
      ledger.url, '/v1/admin/terminals',
      { terminalId: T, merchantId: M, merchantName: 'Kill test', currencies: [{ currency: 'CNY', maxAmount: 10_000_000 }], operators: [{ operatorId: '01', password: '4321' }] },
      'dev-admin-token',
    );
    const key = reg.body.apiKey as string;
    let stan = 0;
    const next = () => String(++stan).padStart(6, '0');
    expect((await post(ledger.url, `/v1/terminals/${T}/sign-on`, { stan: next(), operatorId: '01', password: '4321' }, key)).body.responseCode).toBe('00');

    // Sales keep flowing while the process is killed; the terminal remembers which were answered.
    const bodies = Array.from({ length: 80 }, (_, i) => ({ stan: next(), batchNo: '000001', amount: 1_000 + i, currency: 'CNY', method: 'BANK_CARD', card: { pan: PAN } }));
    const answered = new Map<string, string>();
    let killed = false;
    const flow = (async () => {
      for (const body of bodies) {
        if (killed) return;
        try {
          const res = await post(ledger!.url, `/v1/terminals/${T}/sales`, body, key);
          if (res.body.responseCode === '00') answered.set(body.stan, res.body.rrn);
        } catch {
          return; // connection reset by the kill: this one is unanswered
        }
      }
    })();
    await waitFor(async () => (answered.size >= 40 ? true : undefined));
    killed = true;
    await ledger.kill('SIGKILL');
    await flow;
    const acknowledged = new Map(answered);
    expect(acknowledged.size).toBeGreaterThanOrEqual(40);

    ledger = await spawnLedger(dir);
    // Signing on again: the host answers the same open batch.
    expect((await post(ledger.url, `/v1/terminals/${T}/sign-on`, { stan: next(), operatorId: '01', password: '4321' }, key)).body).toMatchObject({ responseCode: '00', batchNo: '000001' });

    // The terminal retries everything it sent: an acknowledged sale returns its original RRN, the rest are captured now.
    for (const body of bodies) {
      const res = await post(ledger.url, `/v1/terminals/${T}/sales`, body, key);
      expect(res.body.responseCode).toBe('00');
      if (acknowledged.has(body.stan)) expect(res.body.rrn).toBe(acknowledged.get(body.stan));
    }

    // The terminal's totals for all 80 sales balance: nothing acknowledged was lost, nothing was doubled.
    const total = bodies.reduce((s, b) => s + BigInt(b.amount), 0n);
    const settle = await post(
      ledger.url, `/v1/terminals/${T}/settlement`,
      { stan: next(), batchNo: '000001', operatorId: '01', password: '4321', totals: [{ currency: 'CNY', debitCount: 80, debitAmount: total.toString(), creditCount: 0, creditAmount: 0 }] },
      key,
    );
    expect(settle.body).toMatchObject({ responseCode: '00', result: 'BALANCED', nextBatchNo: '000002' });

    const businessDay = settle.body.businessDay as string;
    const row = await waitFor(async () => {
      const res = await fetch(`${ledger!.url}/v1/reconciliation/daily-totals?businessDay=${businessDay}&merchantId=${M}`, { headers: bearer('auditor') });
      const rows = ((await res.json()) as { rows: Array<Record<string, any>> }).rows;
      return rows[0]?.settledBatches === 1 ? rows[0] : undefined;
    });
    expect(row).toMatchObject({ salesCount: 80, salesAmount: total.toString(), settledBatches: 1 });
    // 60 bps per sale, half-up: recomputed here from the amounts, not read from the ledger.
    const fees = bodies.reduce((s, b) => s + (BigInt(b.amount) * 60n * 2n + 10_000n) / 20_000n, 0n);
    expect(row.fees).toBe(fees.toString());

    // The ledger balances projection (a checkpointed subscription over settlement's own events) agrees.
    const balances = await waitFor(async () => {
      const res = await fetch(`${ledger!.url}/v1/settlement/balances?merchantId=${M}`, { headers: bearer('auditor') });
      const rows = ((await res.json()) as { balances: Array<{ account: string; debit: string; credit: string }> }).balances;
      return rows.length === 3 ? Object.fromEntries(rows.map((r) => [r.account, r])) : undefined;
    });
    expect(balances.SCHEME_RECEIVABLE).toMatchObject({ debit: total.toString(), credit: '0' });
    expect(balances.MERCHANT_PAYABLE).toMatchObject({ debit: '0', credit: (total - fees).toString() });
    expect(balances.FEE_INCOME).toMatchObject({ debit: '0', credit: fees.toString() });

    const trail = await (await fetch(`${ledger.url}/v1/reconciliation/audit-trail/${T}/${businessDay}`, { headers: bearer('auditor') })).json() as { entries: Array<{ type: string; eventId: string }> };
    const completed = trail.entries.filter((e) => e.type === 'TransactionCompleted');
    expect(completed).toHaveLength(80);
    expect(new Set(trail.entries.map((e) => e.eventId)).size).toBe(trail.entries.length);
  });
});
