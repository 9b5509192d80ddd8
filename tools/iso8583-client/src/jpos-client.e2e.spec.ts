import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameReader, ISO87B, type IsoMessage, type IsoValue, packFrame, replyTpdu, toHex, unpackFrame } from '@pos/iso8583';
import { MAC_LENGTH, type MacKey, retailMac, SecretKey, verifyMac } from '@pos/terminal-keys';
import { JposTerminal } from '@pos/testing/jpos';

/**
 * Proves the jPOS test client (tools/iso8583-client) against a tiny responder written here with our
 * own codec and MAC: whatever jPOS packs, our codec unpacks and our MAC verifies, and the other way
 * round, byte for byte. The gateway's ISO 8583 e2e drives the same client.
 */

const MAC_KEY_HEX = '0123456789ABCDEFFEDCBA9876543210';
const MAC_KEY: MacKey = SecretKey.fromHex('MAC', MAC_KEY_HEX);
const OTHER_KEY_HEX = '1111111111111111FFFFFFFFFFFFFFFF';

// Amounts that make the responder misbehave on purpose.
const NO_ANSWER = '000000000666';
const BAD_ANSWER_MAC = '000000000999';
const LATE = '000000000777'; // answered only when the next request arrives, just before that one's answer

interface Seen {
  readonly frame: Uint8Array;
  readonly message?: IsoMessage;
  readonly raw?: Uint8Array;
  readonly macValid?: boolean;
  readonly error?: string;
}

const macData = (raw: Uint8Array): Uint8Array => raw.subarray(0, raw.length - MAC_LENGTH);

/** Answers with our codec: 0800 → 0810, 0200 → 0210 MACed (A0 on a bad MAC); a frame it cannot read closes the connection. */
class Responder {
  readonly seen: Seen[] = [];
  readonly written: Uint8Array[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((socket) => this.serve(socket));
  }

  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }

  private serve(socket: Socket): void {
    const reader = new FrameReader();
    const late: Uint8Array[] = [];
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      for (const frame of reader.push(chunk)) {
        for (const held of late.splice(0)) this.write(socket, held);
        try {
          this.answer(socket, frame, late);
        } catch (e) {
          this.seen.push({ frame, error: (e as { code?: string }).code ?? String(e) });
          socket.destroy();
          return;
        }
      }
    });
  }

  private answer(socket: Socket, frame: Uint8Array, late: Uint8Array[]): void {
    const { tpdu, message, raw } = unpackFrame(ISO87B, frame);
    const mac = message.fields.get(128) ?? message.fields.get(64);
    const macValid = mac instanceof Uint8Array ? verifyMac(MAC_KEY, macData(raw), mac) : undefined;
    this.seen.push({ frame, message, raw, macValid });
    const f = message.fields;
    const echo = (...ns: number[]): [number, IsoValue][] => ns.filter((n) => f.has(n)).map((n) => [n, f.get(n)!]);
    if (message.mti === '0800') {
      if (f.get(41) === 'GARBLE01') return this.write(socket, Uint8Array.from([0x00, 0x07, 0x60, 0, 0, 0, 1, 0xff, 0xff]));
      return this.write(socket, packFrame(ISO87B, replyTpdu(tpdu), { mti: '0810', fields: new Map([...echo(11, 41, 60, 70), [39, '00'], [37, '000000000001']]) }));
    }
    if (message.mti === '0200') {
      if (f.get(4) === NO_ANSWER) return;
      const fields = new Map<number, IsoValue>([...echo(3, 4, 11, 41, 42), [37, '000000000002'], [38, 'A1B2C3'], [39, macValid ? '00' : 'A0'], [64, new Uint8Array(MAC_LENGTH)]]);
      const unsigned = packFrame(ISO87B, replyTpdu(tpdu), { mti: '0210', fields });
      const answerMac = retailMac(MAC_KEY, macData(unpackFrame(ISO87B, unsigned).raw));
      if (f.get(4) === BAD_ANSWER_MAC) answerMac[0] ^= 0x01;
      fields.set(64, answerMac);
      const answer = packFrame(ISO87B, replyTpdu(tpdu), { mti: '0210', fields });
      return f.get(4) === LATE ? void late.push(answer) : this.write(socket, answer);
    }
    if (message.mti === '0400') return this.write(socket, packFrame(ISO87B, replyTpdu(tpdu), { mti: '0410', fields: new Map([...echo(3, 4, 11, 41), [39, '00']]) }));
    throw new Error(`the responder does not answer ${message.mti}`);
  }

  private write(socket: Socket, frame: Uint8Array): void {
    this.written.push(frame);
    socket.write(frame);
  }
}

const SIGN_ON = { 11: '000001', 41: 'TERM0001', 42: 'MERCHANT0000001', 60: '00000001001', 63: '01 ' } as const;
const sale = (stan: string, amount: string) => ({ 2: '4761739001010119', 3: '000000', 4: amount, 11: stan, 22: '051', 25: '00', 41: 'TERM0001', 42: 'MERCHANT0000001', 49: '156' });

describe('the jPOS test client against our codec', () => {
  const responder = new Responder();
  let terminal: JposTerminal;

  beforeAll(async () => {
    const port = await responder.listen();
    // Cold, this resolves jPOS with Maven and compiles the client (tens of seconds); warm, it reuses .cache/iso8583-client.
    terminal = await JposTerminal.start({ port, timeoutMs: 5_000 });
  }, 300_000);

  afterAll(async () => {
    await terminal?.close();
    await responder.close();
  });

  it('signs on: jPOS packs an 0800 our codec reads field by field, and unpacks our 0810 to the same bytes', async () => {
    const answer = await terminal.send('0800', SIGN_ON);
    expect(answer).toMatchObject({ ok: true, mti: '0810', tpdu: '6000000001', fields: { 11: '000001', 39: '00', 41: 'TERM0001', 60: '00000001001' } });
    const request = responder.seen.at(-1)!;
    expect(request.message).toEqual({ mti: '0800', fields: new Map(Object.entries(SIGN_ON).map(([n, v]) => [Number(n), v])) });
    expect(toHex(request.frame.subarray(0, 7))).toBe(`${toHex(Uint8Array.of(0, request.frame.length - 2))}6000010000`);
    expect(answer.sent).toBe(toHex(request.raw!));
    expect(answer.frame).toBe(toHex(responder.written.at(-1)!));
  });

  it('MACs a sale as our retailMac does, and verifies the MAC of our answer', async () => {
    const answer = await terminal.send('0200', sale('000002', '000000012345'), { mac: MAC_KEY_HEX });
    const request = responder.seen.at(-1)!;
    expect(toHex(request.message!.fields.get(64) as Uint8Array)).toBe(toHex(retailMac(MAC_KEY, macData(request.raw!))));
    expect(request.macValid).toBe(true);
    expect(answer).toMatchObject({ ok: true, mti: '0210', macValid: true, fields: { 11: '000002', 39: '00', 38: 'A1B2C3' } });
    expect(toHex(answer.iso!.fields.get(64) as Uint8Array)).toBe(toHex(retailMac(MAC_KEY, macData(Buffer.from(answer.raw!, 'hex')))));
  });

  it('puts the MAC in field 128 when a field above 64 is present, and reports an answer without a MAC as macValid null', async () => {
    const answer = await terminal.send('0800', { 11: '000016', 41: 'TERM0001', 70: '301' }, { mac: MAC_KEY_HEX });
    const request = responder.seen.at(-1)!;
    expect([request.message!.fields.has(64), request.message!.fields.has(128), request.macValid]).toEqual([false, true, true]);
    expect(answer).toMatchObject({ ok: true, mti: '0810', fields: { 70: '301' }, macValid: null });
  });

  it('tells a wrong MAC either way: ours refuses a sale MACed under another key, jPOS flags our corrupted answer MAC', async () => {
    const wrongKey = await terminal.send('0200', sale('000003', '000000012345'), { mac: OTHER_KEY_HEX });
    expect(responder.seen.at(-1)!.macValid).toBe(false);
    expect(wrongKey).toMatchObject({ ok: true, fields: { 39: 'A0' }, macValid: false });
    const corrupted = await terminal.send('0200', sale('000004', BAD_ANSWER_MAC), { mac: MAC_KEY_HEX });
    expect(responder.seen.at(-1)!.macValid).toBe(true);
    expect(corrupted).toMatchObject({ ok: true, fields: { 39: '00' }, macValid: false });
  });

  it('reports a timeout when nothing answers, and succeeds on it when no answer is expected', async () => {
    const timedOut = await terminal.send('0200', sale('000005', NO_ANSWER), { mac: MAC_KEY_HEX, timeoutMs: 300 });
    expect(timedOut).toMatchObject({ ok: false, error: 'timeout' });
    expect(timedOut.elapsedMs).toBeGreaterThanOrEqual(300);
    expect(responder.seen.at(-1)!.message!.fields.get(11)).toBe('000005');
    const silent = await terminal.send('0200', sale('000006', NO_ANSWER), { mac: MAC_KEY_HEX, timeoutMs: 300, expectNoAnswer: true });
    expect(silent).toMatchObject({ ok: true, noAnswer: true });
  });

  it('takes as the answer only the message with the request\'s STAN (as jPOS pads it): a late answer to a timed-out sale is reported unmatched', async () => {
    expect(await terminal.send('0200', sale('000011', LATE), { mac: MAC_KEY_HEX, timeoutMs: 200 })).toMatchObject({ ok: false, error: 'timeout' });
    const reversal = await terminal.send('0400', { 3: '000000', 4: LATE, 11: '12', 41: 'TERM0001' });
    expect(responder.seen.at(-1)!.message!.fields.get(11)).toBe('000012');
    expect(reversal).toMatchObject({ ok: true, mti: '0410', fields: { 11: '000012', 39: '00' }, unmatched: [{ mti: '0210', fields: { 11: '000011' } }] });
  });

  it('fails a step that expected no answer when one comes', async () => {
    expect(await terminal.send('0800', { ...SIGN_ON, 11: '000013' }, { expectNoAnswer: true, timeoutMs: 2_000 })).toMatchObject({ ok: false, error: 'unexpected-answer', mti: '0810' });
  });

  it('sends a message under another TPDU when asked, and jPOS reads the swapped one back', async () => {
    const answer = await terminal.send('0800', { ...SIGN_ON, 11: '000014' }, { tpdu: '6000020000' });
    expect(toHex(responder.seen.at(-1)!.frame.subarray(2, 7))).toBe('6000020000');
    expect(answer).toMatchObject({ ok: true, tpdu: '6000000002' });
  });

  it('writes a frame in two halves (a slow sender): the first without waiting, the answer after the second', async () => {
    const frame = packFrame(ISO87B, { destination: 1, source: 0 }, { mti: '0800', fields: new Map([[11, '000015'], [41, 'TERM0001']]) });
    const seen = responder.seen.length;
    const first = await terminal.raw(frame.subarray(0, 9), { noWait: true });
    expect(first).toMatchObject({ ok: true, sent: toHex(frame.subarray(0, 9)) });
    expect(first.mti).toBeUndefined();
    const second = await terminal.raw(frame.subarray(9));
    expect(second).toMatchObject({ ok: true, mti: '0810', fields: { 11: '000015' } });
    expect(responder.seen.length).toBe(seen + 1);
  });

  it('writes a raw frame byte for byte: a well-formed one is answered', async () => {
    const frame = packFrame(ISO87B, { destination: 1, source: 0 }, { mti: '0800', fields: new Map([[11, '000007'], [41, 'TERM0001']]) });
    const answer = await terminal.raw(frame);
    expect(toHex(responder.seen.at(-1)!.frame)).toBe(toHex(frame));
    expect(answer).toMatchObject({ ok: true, op: 'raw', sent: toHex(frame), mti: '0810', fields: { 11: '000007', 39: '00' } });
  });

  it('reports an answer jPOS cannot unpack, with its bytes', async () => {
    const answer = await terminal.send('0800', { ...SIGN_ON, 11: '000008', 41: 'GARBLE01' });
    expect(answer).toMatchObject({ ok: false, error: 'unpack', raw: 'ffff' });
  });

  it('sends a malformed frame (bitmap naming a field that is absent), sees the close, and reconnects', async () => {
    const good = packFrame(ISO87B, { destination: 1, source: 0 }, { mti: '0800', fields: new Map([[11, '000009'], [41, 'TERM0001']]) });
    const cut = good.slice(0, good.length - 8); // field 41 (8 ans bytes) is named by the bitmap but gone
    cut.set([(cut.length - 2) >> 8, (cut.length - 2) & 0xff], 0);
    const closed = await terminal.raw(cut, { expectClose: true });
    expect(closed).toMatchObject({ ok: true, closed: true });
    expect(responder.seen.at(-1)).toMatchObject({ error: 'ISO_MESSAGE_TRUNCATED' });
    expect(await terminal.send('0800', SIGN_ON)).toMatchObject({ ok: false, error: 'closed' });
    expect(await terminal.reconnect()).toMatchObject({ ok: true, op: 'connect' });
    expect(await terminal.send('0800', { ...SIGN_ON, 11: '000010' })).toMatchObject({ ok: true, mti: '0810', fields: { 11: '000010' } });
  });
});
