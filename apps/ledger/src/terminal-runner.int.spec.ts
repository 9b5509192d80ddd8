import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEDGER_EVENTS, TERMINAL_EVENTS, terminalStreamId } from '@pos/contracts';
import { SqliteServiceStore } from '@pos/embedded';
import { TerminalId } from '@pos/kernel';
import { LedgerMetrics } from '@pos/platform';
import { parseCommand, snapshotOf, type TerminalCommand, type TerminalSnapshot, type Written } from '@pos/terminal-domain';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GATEWAY_DOCS, type RequestOrigin, TerminalCommandRunner } from '@pos/terminal-application';

const T = TerminalId.parse('T0000001');
const NOW = new Date('2026-11-24T10:00:00.000Z');
const origin = (stan?: string, fingerprint?: string): RequestOrigin => ({ correlationId: 'c', actor: { type: 'terminal', id: T }, stan, fingerprint });
const fp = (stan: string, salt = 'body') => `fingerprint-${stan}-${salt}`;
const stanOf = (n: number) => String(n).padStart(6, '0');

describe('the terminal command runner on a real store', () => {
  let dir: string;
  let store: SqliteServiceStore;
  const runner = () => new TerminalCommandRunner(store, { now: () => NOW }, { scryptCost: 1024, terminalCacheEntries: 100_000 }, new LedgerMetrics({ defaultMetrics: false }));
  let stan = 0;
  let batchNo = '000001';

  // Commands are written with plain strings, and parsed as the edge parses a request.
  type WrittenCommand = Written<TerminalCommand>;
  const run = (r: TerminalCommandRunner, command: (s: string) => WrittenCommand, terminalId = T) => {
    const s = stanOf(++stan);
    return r.run(terminalId, origin(s, fp(s)), () => parseCommand(command(s)));
  };
  const sale = (amount: bigint) => (s: string): WrittenCommand => ({ type: 'Sale', stan: s, fingerprint: fp(s), batchNo, amount, currency: 'CNY', method: 'QR', hasQrToken: true });
  const settle = (count: number, amount: bigint) => (s: string): WrittenCommand => ({
    type: 'Settle', stan: s, fingerprint: fp(s), batchNo, operatorId: '01', passwordValid: true, totals: [{ currency: 'CNY', debitCount: count, debitAmount: amount, creditCount: 0, creditAmount: 0n }],
  });
  const open = async (r: TerminalCommandRunner, terminalId = T) => {
    await r.run(terminalId, origin(), () => parseCommand<TerminalCommand>({
      type: 'RegisterTerminal', terminalId, merchantId: 'M00000000000001', merchantName: 'Shop', currencies: [{ currency: 'CNY', maxAmount: 1_000_000n }], operatorIds: ['01'],
      pricing: { planId: 'p', mdrBps: { BANK_CARD: 60, QR: 38 }, refundReturnsFee: false, payoutSchedule: 'T1', rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' } },
    }));
    await run(r, (s) => ({ type: 'SignOn', stan: s, fingerprint: fp(s), operatorId: '01', passwordValid: true }), terminalId);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-'));
    store = new SqliteServiceStore(join(dir, 'gateway.db'));
    stan = 0;
    batchNo = '000001';
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a terminal from its latest snapshot: a cold runner reads only the tail, and agrees with a full replay', async () => {
    const a = runner();
    await open(a);
    for (let i = 0; i < 30; i++) await run(a, sale(100n));
    const closed = await run(a, settle(30, 3_000n));
    expect(closed).toMatchObject({ responseCode: '00', result: 'BALANCED', nextBatchNo: '000002' });
    batchNo = '000002';
    for (let i = 0; i < 5; i++) await run(a, sale(7n));
    const expected = snapshotOf((await a.load(T)).state);

    const snapshot = await store.getDocument<TerminalSnapshot>(GATEWAY_DOCS.snapshots, T);
    // Written with the batch close: registration, sign-on, 30 sales, settlement requested and closed.
    expect(snapshot?.version).toBe(34);
    const reads = vi.spyOn(store, 'readStream');
    const cold = await runner().load(T);
    expect(reads).toHaveBeenCalledWith(terminalStreamId(T), TERMINAL_EVENTS, 34);
    expect(snapshotOf(cold.state)).toEqual(expected);
    reads.mockRestore();

    // Without a snapshot the stream is read from its start, to the same state.
    await store.transaction((tx) => tx.documents.delete(GATEWAY_DOCS.snapshots, T));
    expect(snapshotOf((await runner().load(T)).state)).toEqual(expected);
  });

  it('refunds a sale of a closed batch from the store, and keeps its refunded tally there', async () => {
    const a = runner();
    await open(a);
    const { rrn } = (await run(a, sale(10_000n))) as { rrn: string };
    await run(a, settle(1, 10_000n));
    batchNo = '000002';
    const refund = (amount: bigint) => (s: string): WrittenCommand => ({ type: 'Refund', stan: s, fingerprint: fp(s), batchNo, originalRrn: rrn, amount });
    expect(await run(a, refund(4_000n))).toMatchObject({ responseCode: '00', kind: 'REFUND' });
    // A cold runner (another replica, a restart) finds the sale and its tally in the store.
    await expect(run(runner(), refund(6_001n))).rejects.toMatchObject({ code: 'REFUND_EXCEEDS_ORIGINAL', details: { refundable: '6000' } });
    expect(await store.getDocument(GATEWAY_DOCS.settledSales, `${T}|${rrn}`)).toMatchObject({ rrn, amount: 10_000n, refunded: 4_000n });
    expect(await run(runner(), refund(6_000n))).toMatchObject({ responseCode: '00' });
    expect(await store.getDocument(GATEWAY_DOCS.settledSales, `${T}|${rrn}`)).toMatchObject({ refunded: 10_000n });
  });

  it('answers a retried request from the event that answered it, also on a runner that never saw it', async () => {
    const a = runner();
    await open(a);
    const s = stanOf(++stan);
    const first = await a.run(T, origin(s, fp(s)), () => parseCommand(sale(1_234n)(s)));
    const before = (await store.readStream(terminalStreamId(T), LEDGER_EVENTS)).length;
    const again = await runner().run(T, origin(s, fp(s)), () => parseCommand(sale(1_234n)(s)));
    expect(again).toEqual(first);
    await expect(runner().run(T, origin(s, fp(s, 'other')), () => parseCommand(sale(99n)(s)))).rejects.toMatchObject({ code: 'DUPLICATE_TRANSMISSION', responseCode: '94' });
    expect(await store.readStream(terminalStreamId(T), LEDGER_EVENTS)).toHaveLength(before);
  });

  it("decides again, on the other replica's events, when its cached state is stale", async () => {
    const [a, b] = [runner(), runner()];
    await open(a);
    await b.load(T); // b caches the terminal signed on, with no sale
    await run(a, sale(500n));
    // b's cache does not know the sale a just made: its append conflicts, it reloads and decides again.
    const { rrn } = (await run(b, sale(600n))) as { rrn: string };
    const sales = (await store.readStream(terminalStreamId(T), LEDGER_EVENTS)).filter((e) => e.type === 'TransactionCompleted');
    expect(sales.map((e) => (e.data as { rrn: string }).rrn)).toEqual([expect.any(String), rrn]);
    // A refusal decided on a stale cache is checked against the store first: here the sale exists, so the STAN is taken.
    const taken = stanOf(stan);
    await expect(a.run(T, origin(taken, fp(taken, 'x')), () => parseCommand(sale(1n)(taken)))).rejects.toMatchObject({ code: 'DUPLICATE_TRANSMISSION' });
  });

  it('commits concurrent requests of many terminals together, and one terminal\u2019s requests one after the other', async () => {
    const r = runner();
    const ids = Array.from({ length: 40 }, (_, i) => TerminalId.parse(`G${String(i).padStart(7, '0')}`));
    for (const id of ids) await open(r, id);
    const appends = vi.spyOn(store, 'appendBatch');
    // Three sales per terminal at once: they may not overtake each other, and none may conflict.
    const answers = await Promise.all(ids.flatMap((id) => [1n, 2n, 3n].map((amount) => run(r, sale(amount), id))));
    expect(answers.every((a) => a.responseCode === '00')).toBe(true);
    expect(appends.mock.calls.length).toBeLessThan(answers.length / 5);
    for (const id of ids) {
      const sales = (await store.readStream(terminalStreamId(id), LEDGER_EVENTS)).filter((e) => e.type === 'TransactionCompleted');
      expect(sales).toHaveLength(3);
    }
    appends.mockRestore();
  });
});
