import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '@pos/iso8583';
import type { SqliteServiceStore } from '@pos/embedded';
import { readEnv } from '@pos/platform';
import { type RunningProcess, startProcess } from '@pos/runtime';
import { type IsoLimits, IsoServer } from '@pos/terminal-application';
import { acceptWorkingKeys, keyInClear, type MacKey, SecretKey, signOnMacKey, type TerminalMasterKey } from '@pos/terminal-keys';
import { ledgerPlan } from './ledger';
import { IsoClient, terminalFrame } from '@pos/iso-terminal';

/** The ISO 8583 front on the real embedded ledger, driven by our own codec as a terminal. */
describe('the gateway over ISO 8583', () => {
  let ledger: RunningProcess;
  let dir: string;
  let port: number;
  const gateway = () => ledger.runtime.store('terminal-gateway') as SqliteServiceStore;
  const eventCount = async () => (await gateway().readAll('0', 1_000_000)).length;
  const MID = 'M00000000000001';
  let stanSeq = 0;
  const stan = () => String(++stanSeq).padStart(6, '0');

  const register = async (terminalId: string) => {
    const res = await fetch(`${ledger.url}/v1/admin/terminals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer dev-admin-token' },
      body: JSON.stringify({ terminalId, merchantId: MID, merchantName: 'ISO shop', currencies: [{ currency: 'CNY', maxAmount: '1000000' }], operators: [{ operatorId: '01', password: '1234' }] }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { masterKey: string; batchNo: string };
    expect(body.masterKey).toMatch(/^[0-9A-F]{32}$/);
    return { tmk: SecretKey.fromHex('TMK', body.masterKey), batchNo: body.batchNo };
  };

  // The 0800 is MACed under the master key itself (docs/iso8583.md).

  /** Signs a terminal on over `client`: the session's MAC key and batch number. */
  const signOn = async (client: IsoClient, terminalId: string, tmk: TerminalMasterKey, batchNo: string) => {
    const a = await client.send('0800', { 11: stan(), 41: terminalId, 42: MID, 60: `00${batchNo}001`, 63: '01 1234' }, signOnMacKey(tmk));
    expect(a.message.mti).toBe('0810');
    expect(a.field(39)).toBe('00');
    const keys = acceptWorkingKeys(tmk, a.field(62)!);
    expect(a.macValid(keys.macKey)).toBe(true);
    return { macKey: keys.macKey, batchNo: a.field(60)!.slice(2, 8) };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-iso-'));
    ledger = await startProcess(ledgerPlan, { ...readEnv({}), port: 0, iso8583Port: 0, dataDir: dir, scryptCost: 1024 }, {});
    port = ledger.app.get(IsoServer).port!;
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a whole terminal day over one connection: sign-on, card and QR sales, void, refund, reversal, unbalanced settlement, upload, sign-off', async () => {
    const T = 'T1000001';
    const { tmk, batchNo: registered } = await register(T);
    const client = await IsoClient.open(port);
    const { macKey, batchNo } = await signOn(client, T, tmk, registered);
    const common = { 41: T, 42: MID };
    const tx = (type: string) => `${type}${batchNo}`;

    const cardStan = stan();
    const card = await client.send('0200', { ...common, 3: '000000', 4: '000000010000', 11: cardStan, 22: '021', 35: '4111111111111111=2512101', 49: '156', 60: tx('22') }, macKey);
    expect(card.message.mti).toBe('0210');
    expect(card.field(39)).toBe('00');
    expect(card.macValid(macKey)).toBe(true);
    expect(card.field(11)).toBe(cardStan);
    const cardRrn = card.field(37)!;
    expect(cardRrn).toMatch(/^\S{12}$/);
    expect(card.field(38)).toMatch(/^\S{6}$/);
    expect(card.tpdu).toEqual({ destination: 0x0002, source: 0x0001 });

    const qr = await client.send('0200', { ...common, 3: '000000', 4: '000000005000', 11: stan(), 22: '031', 48: 'payer-token-0001', 49: '156', 60: tx('22') }, macKey);
    expect(qr.field(39)).toBe('00');
    const voided = await client.send('0200', { ...common, 3: '200000', 11: stan(), 37: qr.field(37)!, 60: tx('23') }, macKey);
    expect(voided.field(39)).toBe('00');
    expect(voided.field(37)).not.toBe(qr.field(37));

    const refund = await client.send('0220', { ...common, 3: '200000', 4: '000000002000', 11: stan(), 37: cardRrn, 60: tx('25') }, macKey);
    expect(refund.message.mti).toBe('0230');
    expect(refund.field(39)).toBe('00');

    // A sale whose answer the terminal "lost": reversed with 0400, then the repeat 0401 gets the same answer.
    const lostStan = stan();
    expect((await client.send('0200', { ...common, 3: '000000', 4: '000000001000', 11: lostStan, 2: '4111111111111111', 22: '011', 49: '156', 60: tx('22') }, macKey)).field(39)).toBe('00');
    const reversal = { ...common, 3: '000000', 4: '000000001000', 11: stan(), 39: '98', 49: '156', 60: tx('22'), 61: `${batchNo}${lostStan}` };
    const reversed = await client.send('0400', reversal, macKey);
    expect(reversed.message.mti).toBe('0410');
    expect(reversed.field(39)).toBe('00');
    const events = await eventCount();
    const repeat = await client.send('0401', reversal, macKey);
    expect(repeat.message.mti).toBe('0410');
    expect(repeat.field(39)).toBe('00');
    expect(await eventCount()).toBe(events);

    // The terminal counts 2 debits of 100.00 (it missed the void): the host says unbalanced.
    const settle = await client.send('0500', { ...common, 11: stan(), 48: '156002000000020000001000000002000', 60: `00${batchNo}201`, 63: '01 1234' }, macKey);
    expect(settle.message.mti).toBe('0510');
    expect(settle.field(39)).toBe('95');
    // Host: debits the card and QR sales (the reversed one is out), credits the void 50.00 and the refund 20.00; 2 = unbalanced.
    expect(settle.field(48)).toBe('1560020000000150000020000000070002');

    const uploaded = await client.send('0320', { ...common, 3: '000000', 4: '000000010000', 11: stan(), 22: '021', 37: cardRrn, 49: '156', 60: tx('22'), 61: cardStan }, macKey);
    expect(uploaded.message.mti).toBe('0330');
    expect(uploaded.field(39)).toBe('00');
    expect(uploaded.field(48)).toBe('MATCHED');
    const end = await client.send('0320', { ...common, 11: stan(), 60: `00${batchNo}202` }, macKey);
    expect(end.field(39)).toBe('00');
    const next = end.field(60)!.slice(2, 8);
    expect(next).not.toBe(batchNo);

    const off = await client.send('0820', { ...common, 11: stan(), 60: `00${next}002` }, macKey);
    expect(off.message.mti).toBe('0830');
    expect(off.field(39)).toBe('00');
    await client.close();
  });

  describe('retries, MACs and terminals', () => {
    const T = 'T1000002';
    let client: IsoClient;
    let macKey: MacKey;
    let batchNo: string;
    const sale = (s: string, amount = '000000001500') => ({ 3: '000000', 4: amount, 11: s, 2: '4111111111111111', 22: '011', 41: T, 42: MID, 49: '156', 60: `22${batchNo}` });

    beforeAll(async () => {
      const r = await register(T);
      client = await IsoClient.open(port);
      ({ macKey, batchNo } = await signOn(client, T, r.tmk, r.batchNo));
    });
    afterAll(() => client.close());

    it('answers a retransmission with the original answer and writes nothing', async () => {
      const s = stan();
      const first = await client.send('0200', sale(s), macKey);
      expect(first.field(39)).toBe('00');
      const before = await eventCount();
      const again = await client.send('0200', sale(s), macKey);
      expect(again.field(39)).toBe('00');
      expect([again.field(37), again.field(38)]).toEqual([first.field(37), first.field(38)]);
      expect(await eventCount()).toBe(before);
    });

    it('refuses the same STAN with other content 94, writing nothing', async () => {
      const s = stan();
      expect((await client.send('0200', sale(s), macKey)).field(39)).toBe('00');
      const before = await eventCount();
      expect((await client.send('0200', sale(s, '000000009900'), macKey)).field(39)).toBe('94');
      expect(await eventCount()).toBe(before);
    });

    it('answers a wrong MAC A0 and a missing one A0, writing nothing', async () => {
      const before = await eventCount();
      const wrong = terminalFrame('0200', sale(stan()), macKey);
      wrong[wrong.length - 1] ^= 0x01;
      client.write(wrong);
      expect((await client.next())!.field(39)).toBe('A0');
      // A changed amount under the old MAC: the MAC covers the whole message.
      const tampered = terminalFrame('0200', sale(stan()), macKey);
      tampered[7 + 2 + 8 + 3 + 5] ^= 0x10;
      client.write(tampered);
      expect((await client.next())!.field(39)).toBe('A0');
      expect((await client.send('0200', sale(stan()))).field(39)).toBe('A0');
      expect(await eventCount()).toBe(before);
    });

    it("refuses another terminal's id on this connection 30, writing nothing", async () => {
      const other = await register('T1000003');
      const before = await eventCount();
      const a = await client.send('0800', { 11: stan(), 41: 'T1000003', 42: MID, 60: `00${other.batchNo}001`, 63: '01 1234' }, signOnMacKey(other.tmk));
      expect(a.field(39)).toBe('30');
      expect(await eventCount()).toBe(before);
    });

    it('answers a sign-on of an unregistered terminal 97 and one MACed under another master key A0', async () => {
      const c = await IsoClient.open(port);
      const before = await eventCount();
      const stranger = SecretKey.fromHex('TMK', '0123456789ABCDEFFEDCBA9876543210');
      expect((await c.send('0800', { 11: stan(), 41: 'T1999999', 60: '00000001001', 63: '01 1234' }, signOnMacKey(stranger))).field(39)).toBe('97');
      expect((await c.send('0800', { 11: stan(), 41: T, 60: `00${batchNo}001`, 63: '01 1234' }, signOnMacKey(stranger))).field(39)).toBe('A0');
      expect(await eventCount()).toBe(before);
      await c.close();
    });
  });

  it('closes a fifth connection of one terminal, writing nothing for it', async () => {
    const { tmk, batchNo } = await register('T1000004');
    const clients = await Promise.all(Array.from({ length: 5 }, () => IsoClient.open(port)));
    for (const c of clients.slice(0, 4)) await signOn(c, 'T1000004', tmk, batchNo);
    const before = await eventCount();
    clients[4].write(terminalFrame('0800', { 11: stan(), 41: 'T1000004', 60: `00${batchNo}001`, 63: '01 1234' }, signOnMacKey(tmk)));
    expect(await clients[4].next()).toBeUndefined();
    expect(await eventCount()).toBe(before);
    await Promise.all(clients.map((c) => c.close()));
  });

  describe('malformed frames: a 30 where a reply can be framed, else the close; never a write', () => {
    const hex = (h: string) => fromHex(h.replace(/\s/g, ''));
    /** A frame from its message hex, with a right length prefix and TPDU. */
    const framed = (message: string) => {
      const m = hex(message);
      const out = new Uint8Array(7 + m.length);
      out.set([(m.length + 5) >> 8, (m.length + 5) & 0xff, 0x60, 0, 1, 0, 2]);
      out.set(m, 7);
      return out;
    };
    const answered30 = async (bytes: Uint8Array, mti: string) => {
      const c = await IsoClient.open(port);
      const before = await eventCount();
      c.write(bytes);
      const a = await c.next();
      expect(a?.message.mti).toBe(mti);
      expect(a?.field(39)).toBe('30');
      expect(await eventCount()).toBe(before);
      await c.close();
    };
    const closed = async (bytes: Uint8Array) => {
      const c = await IsoClient.open(port);
      const before = await eventCount();
      c.write(bytes);
      expect(await c.next()).toBeUndefined();
      expect(await eventCount()).toBe(before);
    };

    it('a bitmap naming fields that are absent', () => answered30(framed('0200 7000000000000000 000000'), '0210'));
    it('an LLVAR longer than its field allows (PAN of 20 digits)', () => answered30(framed('0200 4000000000000000 20 12345678901234567890'), '0210'));
    it('a non-BCD nibble in a numeric field', () => answered30(framed('0200 2000000000000000 00000A'), '0210'));
    it('an MTI this dialect does not speak (0100)', () => answered30(terminalFrame('0100', { 3: '000000', 11: '000001', 41: 'T1000001' }), '0110'));
    it('a length prefix shorter than the frame', () => {
      const f = terminalFrame('0820', { 11: '000001', 41: 'T1000001' });
      f[1] -= 3;
      return answered30(f.subarray(0, f.length - 3), '0830').then(() => undefined);
    });
    /** Runs `check` with some of the front's limits changed, then restores them. */
    const withLimits = async (changed: Partial<IsoLimits>, check: () => Promise<void>) => {
      const server = ledger.app.get(IsoServer);
      const limits = server.limits;
      server.limits = { ...limits, ...changed };
      try {
        await check();
      } finally {
        server.limits = limits;
      }
    };
    /** A connection the host closes without being sent anything. */
    const closedUnasked = async () => {
      const c = await IsoClient.open(port);
      await c.ended;
      expect(c.closed).toBe(true);
    };

    it('a length prefix longer than the frame: the slow-sender limit closes it', () =>
      withLimits({ frameMs: 200 }, async () => {
        const f = terminalFrame('0820', { 11: '000001', 41: 'T1000001' });
        f[1] += 10;
        await closed(f);
      }));
    it('a length prefix past the 4 KB limit', () => closed(hex('1001 60 0001 0002')));
    it('a TPDU that is not one (id 61)', () => closed(hex('0007 61 0001 0002 0820')));
    it('garbage that is not even an MTI', () => closed(framed('ffff')));
    it('a connection past the total limit is closed at once', () => withLimits({ maxConnections: 0 }, closedUnasked));
    it('an idle connection is closed', () => withLimits({ idleMs: 200 }, closedUnasked));
  });

  it('survives random and mutated frames for three seconds, writing nothing', async () => {
    const { tmk, batchNo } = await register('T1000009');
    const before = await eventCount();
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const valid = [
      terminalFrame('0800', { 11: '000001', 41: 'T1000009', 60: `00${batchNo}001`, 63: '01 12' }, signOnMacKey(tmk)),
      terminalFrame('0200', { 3: '000000', 4: '000000010000', 11: '000002', 2: '4111111111111111', 22: '011', 41: 'T1000009', 42: MID, 49: '156', 60: `22${batchNo}` }, signOnMacKey(tmk)),
    ];
    const until = Date.now() + 3_000;
    let sent = 0;
    while (Date.now() < until) {
      const c = await IsoClient.open(port);
      for (let i = 0; i < 20; i++) {
        let f: Uint8Array;
        if (rand(2) === 0) {
          f = Uint8Array.from(valid[rand(valid.length)]);
          // Mutations keep the MAC wrong or the format broken, so nothing may be written.
          for (let k = 1 + rand(4); k > 0; k--) f[2 + rand(f.length - 2)] = rand(256);
        } else {
          const len = rand(64);
          f = new Uint8Array(2 + len).map(() => rand(256));
          f[0] = len >> 8;
          f[1] = len & 0xff;
        }
        c.write(f);
        sent++;
      }
      await c.close();
    }
    expect(sent).toBeGreaterThan(100);
    // Still up: HTTP answers and a good sign-on is served.
    expect((await fetch(`${ledger.url}/health/live`)).ok).toBe(true);
    expect(await eventCount()).toBe(before);
    const c = await IsoClient.open(port);
    await signOn(c, 'T1000009', tmk, batchNo);
    await c.close();
  }, 30_000);

  it('serves 500 concurrent connections', async () => {
    const clients = await Promise.all(Array.from({ length: 500 }, () => IsoClient.open(port)));
    const answers = await Promise.all(clients.map((c, i) => c.send('0800', { 11: String(i + 1).padStart(6, '0'), 41: `T8${String(i).padStart(6, '0')}`, 60: '00000001001', 63: '01 1234' })));
    expect(answers.map((a) => a.field(39))).toEqual(Array(500).fill('97'));
    await Promise.all(clients.map((c) => c.close()));
  }, 60_000);

  // Last: it restarts the ledger.
  it("keeps a terminal's session across a gateway restart: the session MAC key is stored sealed, and its next 0200 is approved", async () => {
    const T = 'T1000010';
    const r = await register(T);
    let client = await IsoClient.open(port);
    const { macKey, batchNo } = await signOn(client, T, r.tmk, r.batchNo);
    await client.close();
    const stored = await gateway().getDocument<{ macKey: string }>('iso8583-sessions', T);
    expect(stored?.macKey).toMatch(/^mak1\./);
    expect(stored?.macKey).not.toContain(keyInClear(macKey));

    await ledger.close();
    ledger = await startProcess(ledgerPlan, { ...readEnv({}), port: 0, iso8583Port: 0, dataDir: dir, scryptCost: 1024 }, {});
    port = ledger.app.get(IsoServer).port!;
    client = await IsoClient.open(port);
    const sale = await client.send('0200', { 2: '4111111111111111', 3: '000000', 4: '000000000700', 11: stan(), 22: '011', 41: T, 42: MID, 49: '156', 60: `22${batchNo}` }, macKey);
    expect(sale.field(39)).toBe('00');
    expect(sale.macValid(macKey)).toBe(true);
    await client.close();
  }, 60_000);
});
