import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '@pos/iso8583';
import { acceptWorkingKeys, MAC_LENGTH, SecretKey, verifyMac } from '@pos/terminal-keys';
import { bearer, type LedgerProcess, spawnLedger, waitFor } from '@pos/testing';
import { freeLoopbackPort } from '@pos/testing/containers';
import { type JposAnswer, type JposFields, JposTerminal } from '@pos/testing/jpos';

/**
 * One terminal day driven through jPOS (a client nobody here wrote) on terminal A and the same
 * day over HTTP on terminal B, against one real embedded ledger process: the read side (daily
 * totals, settlement fees and journal, audit trail) must not tell the two fronts apart.
 */

const MID = 'M00000000000001';
const OPERATOR = { operatorId: '01', password: '1234' };
const PAN = '4111111111111111';
const PAYER = 'payer-token-0001';
// The terminal "missed" the QR void: it counts both sales and the refund, the host says 95.
const TERMINAL_TOTALS = { currency: 'CNY', debitCount: 2, debitAmount: '15000', creditCount: 1, creditAmount: '2000' };
const TERMINAL_48 = '156002000000015000001000000002000';

describe('a terminal day over ISO 8583 (jPOS) equals the same day over HTTP', () => {
  let ledger: LedgerProcess;
  let isoPort: number;
  const dir = mkdtempSync(join(tmpdir(), 'ledger-iso-day-'));

  const http = async (method: string, path: string, auth: Record<string, string>, body?: unknown) => {
    const res = await fetch(`${ledger.url}${path}`, { method, headers: { 'content-type': 'application/json', ...auth }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const read = async (path: string) => {
    const r = await http('GET', path, bearer('auditor'));
    expect(r.status).toBe(200);
    return r.body;
  };
  const register = async (terminalId: string) => {
    const r = await http('POST', '/v1/admin/terminals', bearer('operations'), {
      terminalId, merchantId: MID, merchantName: 'ISO shop', currencies: [{ currency: 'CNY', maxAmount: '1000000' }], operators: [OPERATOR],
    });
    expect(r.status).toBe(201);
    return r.body as { apiKey: string; masterKey: string; batchNo: string; businessDay: string };
  };

  beforeAll(async () => {
    isoPort = await freeLoopbackPort();
    ledger = await spawnLedger(dir, { LEDGER_ISO8583_PORT: String(isoPort) });
  });
  afterAll(async () => {
    await ledger?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Terminal A: the day as a jPOS terminal sends it. */
  const isoDay = async (T: string, reg: { masterKey: string; batchNo: string }) => {
    const jpos = await JposTerminal.start({ port: isoPort, timeoutMs: 10_000 });
    let stanSeq = 0;
    const stan = () => String(++stanSeq).padStart(6, '0');
    let macKeyHex = '';
    /** Sends with jPOS, MACed under the session's MAC key; asserts the answer's MTI, field 39 and MAC (checked by jPOS). */
    const send = async (mti: string, fields: JposFields, answerMti: string, code: string): Promise<JposAnswer> => {
      const a = await jpos.send(mti, { 41: T, 42: MID, ...fields }, { mac: macKeyHex });
      expect(a.ok, JSON.stringify(a)).toBe(true);
      expect([a.mti, a.fields?.[39], a.macValid]).toEqual([answerMti, code, true]);
      return a;
    };
    try {
      // Sign-on, MACed under the master key; the 0810 is MACed under the new MAC key it carries,
      // so jPOS (checking under the master key) must find it not valid, and our verify, under the new key, valid.
      const on = await jpos.send('0800', { 11: stan(), 41: T, 42: MID, 60: `00${reg.batchNo}001`, 63: '01 1234' }, { mac: reg.masterKey });
      expect([on.ok, on.mti, on.fields?.[39], on.macValid]).toEqual([true, '0810', '00', false]);
      const field62 = on.fields![62];
      const tmk = SecretKey.fromHex('TMK', reg.masterKey);
      const { macKey } = acceptWorkingKeys(tmk, field62);
      // The clear MAC key for jPOS, as the terminal's own key store would decrypt it (2-key triple-DES ECB).
      const decipher = createDecipheriv('des-ede-ecb', Buffer.from(reg.masterKey, 'hex'), null).setAutoPadding(false);
      macKeyHex = Buffer.concat([decipher.update(Buffer.from(field62.slice(38, 70), 'hex')), decipher.final()]).toString('hex').toUpperCase();
      expect(SecretKey.fromHex('MAC', macKeyHex).equals(macKey)).toBe(true);
      const raw = fromHex(on.raw!);
      expect(verifyMac(macKey, raw.subarray(0, raw.length - MAC_LENGTH), raw.subarray(raw.length - MAC_LENGTH))).toBe(true);
      const batchNo = on.fields![60].slice(2, 8);
      const tx = (type: string) => `${type}${batchNo}`;

      const cardStan = stan();
      const card = await send('0200', { 3: '000000', 4: '000000010000', 11: cardStan, 22: '021', 35: `${PAN}=2512101`, 49: '156', 60: tx('22') }, '0210', '00');
      const qrStan = stan();
      const qr = await send('0200', { 3: '000000', 4: '000000005000', 11: qrStan, 22: '031', 48: PAYER, 49: '156', 60: tx('22') }, '0210', '00');
      const voidStan = stan();
      const voided = await send('0200', { 3: '200000', 11: voidStan, 37: qr.fields![37], 60: tx('23') }, '0210', '00');
      const refundStan = stan();
      const refund = await send('0220', { 3: '200000', 4: '000000002000', 11: refundStan, 37: card.fields![37], 60: tx('25') }, '0230', '00');

      // A sale whose answer the terminal took as timed out: it reverses it (0400), then repeats (0401).
      const lostStan = stan();
      await send('0200', { 3: '000000', 4: '000000001000', 11: lostStan, 2: PAN, 22: '011', 49: '156', 60: tx('22') }, '0210', '00');
      const reversal = { 3: '000000', 4: '000000001000', 11: stan(), 39: '98', 49: '156', 60: tx('22'), 61: `${batchNo}${lostStan}` };
      const reversed = await send('0400', reversal, '0410', '00');
      const repeated = await send('0401', reversal, '0410', '00');
      expect(repeated.fields![37]).toBe(reversed.fields![37]);

      const settle = await send('0500', { 11: stan(), 48: TERMINAL_48, 60: `00${batchNo}201`, 63: '01 1234' }, '0510', '95');
      // Host: the card and QR sales (the reversed one is out); the void 50.00 and the refund 20.00; 2 = unbalanced.
      expect(settle.fields![48]).toBe('1560020000000150000020000000070002');

      const record = (type: string, recordStan: string, amount: string, entry: string, rrn: string, extra: JposFields = {}) =>
        send('0320', { 3: type === '22' ? '000000' : '200000', 4: amount, 11: stan(), 22: entry, 37: rrn, 49: '156', 60: tx(type), 61: recordStan, ...extra }, '0330', '00');
      const outcomes = [
        await record('22', cardStan, '000000010000', '021', card.fields![37]),
        await record('22', qrStan, '000000005000', '031', qr.fields![37]),
        await record('23', voidStan, '000000005000', '031', voided.fields![37], { 62: qr.fields![37] }),
        await record('25', refundStan, '000000002000', '021', refund.fields![37], { 62: card.fields![37] }),
      ].map((a) => a.fields![48]);
      const end = await send('0320', { 11: stan(), 60: `00${batchNo}202` }, '0330', '00');
      const next = end.fields![60].slice(2, 8);
      expect(next).not.toBe(batchNo);
      await send('0820', { 11: stan(), 60: `00${next}002` }, '0830', '00');
      return { outcomes, next };
    } finally {
      await jpos.close();
    }
  };

  /** Terminal B: the same day in the HTTP API's terms (docs/api.md). */
  const httpDay = async (T: string, reg: { apiKey: string }) => {
    let stanSeq = 0;
    const stan = () => String(++stanSeq).padStart(6, '0');
    const post = async (path: string, body: Record<string, unknown>, code: string) => {
      const r = await http('POST', `/v1/terminals/${T}/${path}`, { authorization: `Bearer ${reg.apiKey}` }, body);
      expect([r.status, r.body.responseCode], JSON.stringify(r.body)).toEqual([200, code]);
      return r.body;
    };
    const { batchNo } = await post('sign-on', { stan: stan(), ...OPERATOR }, '00');
    const cardStan = stan();
    const card = await post('sales', { stan: cardStan, batchNo, amount: '10000', currency: 'CNY', method: 'BANK_CARD', card: { pan: PAN } }, '00');
    const qrStan = stan();
    const qr = await post('sales', { stan: qrStan, batchNo, amount: '5000', currency: 'CNY', method: 'QR', qr: { payerToken: PAYER } }, '00');
    const voidStan = stan();
    const voided = await post('voids', { stan: voidStan, batchNo, originalRrn: qr.rrn }, '00');
    const refundStan = stan();
    const refund = await post('refunds', { stan: refundStan, batchNo, originalRrn: card.rrn, amount: '2000' }, '00');
    const lostStan = stan();
    await post('sales', { stan: lostStan, batchNo, amount: '1000', currency: 'CNY', method: 'BANK_CARD', card: { pan: PAN } }, '00');
    const reversal = { stan: stan(), batchNo, originalStan: lostStan, reason: '98' };
    const reversed = await post('reversals', reversal, '00');
    expect(await post('reversals', reversal, '00')).toEqual(reversed);
    const settle = await post('settlement', { stan: stan(), batchNo, ...OPERATOR, totals: [TERMINAL_TOTALS] }, '95');
    expect(settle.result).toBe('UNBALANCED');
    const upload = async (transaction: Record<string, unknown>) =>
      (await post('batch-upload', { stan: stan(), batchNo, transactions: [{ currency: 'CNY', ...transaction }] }, '00')).items[0].outcome as string;
    const outcomes = [
      await upload({ stan: cardStan, kind: 'SALE', method: 'BANK_CARD', amount: '10000', rrn: card.rrn }),
      await upload({ stan: qrStan, kind: 'SALE', method: 'QR', amount: '5000', rrn: qr.rrn }),
      await upload({ stan: voidStan, kind: 'VOID', method: 'QR', amount: '5000', rrn: voided.rrn, originalRrn: qr.rrn }),
      await upload({ stan: refundStan, kind: 'REFUND', method: 'BANK_CARD', amount: '2000', rrn: refund.rrn, originalRrn: card.rrn }),
    ];
    const end = await post('batch-upload/end', { stan: stan(), batchNo }, '00');
    expect(end.nextBatchNo).not.toBe(batchNo);
    await post('sign-off', { stan: stan() }, '00');
    return { outcomes, next: end.nextBatchNo as string };
  };

  it('gives both terminals the same daily totals, settlement fees and journal, and audit trail', async () => {
    const [A, B] = ['TISO0001', 'THTP0001'];
    const [regA, regB] = [await register(A), await register(B)];
    expect(regA.businessDay).toBe(regB.businessDay);
    const day = regA.businessDay;
    const iso = await isoDay(A, regA);
    const web = await httpDay(B, regB);
    expect(iso).toEqual(web);
    expect(iso.outcomes).toEqual(['MATCHED', 'MATCHED', 'MATCHED', 'MATCHED']);

    // The read side is fed asynchronously: wait until each terminal's settlement, settled totals and settlement line are there
    // (the payout itself is the merchant's daily payout run's, not the batch's).
    const settlements = (T: string) => read(`/v1/settlement/settlements?terminalId=${T}&businessDay=${day}`);
    const trail = (T: string) => read(`/v1/reconciliation/audit-trail?businessDay=${day}&terminalId=${T}`);
    const totals = (T: string) => read(`/v1/reconciliation/daily-totals?businessDay=${day}&terminalId=${T}`);
    const settled = async (T: string) => {
      const s = await settlements(T);
      const t = await totals(T);
      const l = (await trail(T)).lines;
      return s.settlements.length === 1 && t.rows.length > 0 && t.rows.every((r: { settledBatches: number }) => r.settledBatches === 1) && l.at(-1)?.type === 'BatchSettled';
    };
    await waitFor(() => settled(A), `${A} settled`, 20_000);
    await waitFor(() => settled(B), `${B} settled`, 20_000);

    /** A read answer with the terminal's own identity and references blanked: what must be equal. */
    const IDENTITY = new Set(['terminalId', 'rrn', 'originalRrn', 'eventId', 'causationId', 'correlationId', 'hash', 'prevHash', 'streamId', 'occurredAt', 'seq', 'authCode']);
    const scrub = (v: unknown, T: string): unknown => {
      if (Array.isArray(v)) return v.map((x) => scrub(x, T));
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, IDENTITY.has(k) ? '…' : scrub(x, T)]));
      return typeof v === 'string' ? v.split(T).join('T') : v;
    };
    const same = async (what: (T: string) => Promise<unknown>) => expect(scrub(await what(A), A)).toEqual(scrub(await what(B), B));

    await same(totals);
    const s = await settlements(A);
    // Default pricing: 0.60% of the card sale, kept on its refund (refundReturnsFee false); the voided QR sale is free.
    expect(s.settlements[0].totals).toEqual([{ currency: 'CNY', gross: '8000', fees: '60', net: '7940' }]);
    await same(settlements);
    const lines = async (T: string) => (await trail(T)).lines.map((l: Record<string, unknown>) => [l.type, l.kind ?? null, l.method ?? null, l.amount ?? null, l.currency ?? null]);
    expect(await lines(A)).toEqual(await lines(B));
    // One reversal although it was sent twice (0401 and the HTTP retry write nothing); one upload line per record.
    expect((await lines(A)).map((l: unknown[]) => l[0])).toEqual([
      'TerminalRegistered', 'TerminalSignedOn', ...Array(5).fill('TransactionCompleted'), 'TransactionReversed', 'SettlementRequested',
      ...Array(4).fill('BatchTransactionsUploaded'), 'BatchClosed', 'BatchSettled',
    ]);
    await same(async (T) => (await trail(T)).lines);
    await same(async (T) => (await read(`/v1/reconciliation/audit-trail/${T}/${day}`)).entries);
  }, 60_000);
});
