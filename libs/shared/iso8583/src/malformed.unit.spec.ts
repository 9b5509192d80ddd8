import { describe, expect, it } from 'vitest';
import { type IsoMessage, type IsoValue, packMessage, unpackMessage } from './codec';
import { Iso8583Error, type Iso8583ErrorCode } from './errors';
import { decodeFrame, encodeFrame, FrameReader } from './frame';
import { jposFixture } from './fixtures/jpos';
import { fromHex } from './hex';
import { ISO87B } from './spec';

const message = (name: string): Uint8Array => fromHex(jposFixture(name).message);
const frame = (name: string): Uint8Array => fromHex(jposFixture(name).frame);
const edited = (bytes: Uint8Array, at: number, ...values: number[]): Uint8Array => {
  const out = bytes.slice();
  out.set(values, at);
  return out;
};
const msg = (mti: string, fields: Record<number, IsoValue>): IsoMessage => ({ mti, fields: new Map(Object.entries(fields).map(([n, v]) => [Number(n), v])) });
/** Where field n starts in a packed message with a primary bitmap only. */
const offsetOf = (bytes: Uint8Array, n: number): number => {
  const m = unpackMessage(ISO87B, bytes);
  return 10 + [...m.fields].filter(([k]) => k < n).reduce((sum, [k, v]) => sum + packMessage(ISO87B, msg(m.mti, { [k]: v })).length - 10, 0);
};

const refusal = (run: () => unknown): Iso8583Error => {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(Iso8583Error);
    return e as Iso8583Error;
  }
  throw new Error('expected an Iso8583Error, nothing was thrown');
};
const expectRefused = (run: () => unknown, code: Iso8583ErrorCode, field?: number): void => {
  const e = refusal(run);
  expect({ code: e.code, field: e.field, responseCode: e.responseCode, kind: e.kind }).toEqual({ code, field, responseCode: '30', kind: 'validation' });
};

describe('malformed frames', () => {
  const good = frame('sign-on-0800');

  it('refuses fewer than two bytes, a prefix announcing more bytes than follow, and one announcing fewer', () => {
    expectRefused(() => decodeFrame(new Uint8Array(0)), 'ISO_FRAME_TRUNCATED');
    expectRefused(() => decodeFrame(good.subarray(0, 1)), 'ISO_FRAME_TRUNCATED');
    expectRefused(() => decodeFrame(good.subarray(0, good.length - 1)), 'ISO_FRAME_TRUNCATED');
    expectRefused(() => decodeFrame(edited(good, 0, 0x00, good[1] - 1)), 'ISO_FRAME_LENGTH_MISMATCH');
    expectRefused(() => decodeFrame(new Uint8Array([...good, 0x00])), 'ISO_FRAME_LENGTH_MISMATCH');
  });

  it('refuses a frame too short for its TPDU, and a TPDU whose id is not 60', () => {
    expectRefused(() => decodeFrame(new Uint8Array([0, 3, 0x60, 0, 1])), 'ISO_FRAME_TRUNCATED');
    expectRefused(() => decodeFrame(edited(good, 2, 0x61)), 'ISO_TPDU_INVALID');
    expectRefused(() => encodeFrame({ tpdu: { destination: 0x10000, source: 0 }, message: new Uint8Array(0) }), 'ISO_TPDU_INVALID');
  });

  it('cuts a stream into the same frames however it is chunked, and refuses a prefix over the limit before buffering', () => {
    const stream = new Uint8Array([...good, ...frame('sale-0200'), ...good.subarray(0, 5)]);
    const whole = new FrameReader().push(stream);
    expect(whole.map((f) => f.length)).toEqual([good.length, frame('sale-0200').length]);
    const reader = new FrameReader();
    const bytewise = [...stream].flatMap((b) => reader.push(new Uint8Array([b])));
    expect(bytewise).toEqual(whole);
    expect(reader.buffered).toBe(5);
    expectRefused(() => new FrameReader(1024).push(new Uint8Array([0x04, 0x01])), 'ISO_FRAME_TOO_LONG');
  });
});

describe('malformed messages', () => {
  const signOn = message('sign-on-0800');
  const sale = message('sale-0200');

  it('refuses a message that ends inside the MTI, the bitmap or the secondary bitmap', () => {
    expectRefused(() => unpackMessage(ISO87B, signOn.subarray(0, 1)), 'ISO_MESSAGE_TRUNCATED', 0);
    expectRefused(() => unpackMessage(ISO87B, signOn.subarray(0, 6)), 'ISO_MESSAGE_TRUNCATED', 1);
    expectRefused(() => unpackMessage(ISO87B, message('echo-0800-secondary-bitmap').subarray(0, 14)), 'ISO_MESSAGE_TRUNCATED', 1);
  });

  it('refuses a bitmap naming a field that is absent (bit 64 set, no MAC follows)', () => {
    expectRefused(() => unpackMessage(ISO87B, edited(signOn, 9, signOn[9] | 0x01)), 'ISO_MESSAGE_TRUNCATED', 64);
  });

  it('refuses bytes after the last field, and an LLLVAR prefix shorter than its data', () => {
    expectRefused(() => unpackMessage(ISO87B, new Uint8Array([...signOn, 0x20])), 'ISO_MESSAGE_TRAILING_BYTES', 63);
    const at63 = offsetOf(signOn, 63);
    expectRefused(() => unpackMessage(ISO87B, edited(signOn, at63, 0x00, 0x02)), 'ISO_MESSAGE_TRAILING_BYTES', 63);
  });

  it('refuses an LLVAR or LLLVAR longer than its field allows', () => {
    expectRefused(() => unpackMessage(ISO87B, edited(sale, offsetOf(sale, 2), 0x20)), 'ISO_FIELD_LENGTH_INVALID', 2);
    expectRefused(() => unpackMessage(ISO87B, edited(signOn, offsetOf(signOn, 60), 0x10, 0x00)), 'ISO_FIELD_LENGTH_INVALID', 60);
  });

  it('refuses non-BCD nibbles in the MTI, a length prefix, a numeric field, and a pad nibble other than 0 or F', () => {
    expectRefused(() => unpackMessage(ISO87B, edited(sale, 0, 0x0a)), 'ISO_FIELD_BCD_INVALID', 0);
    expectRefused(() => unpackMessage(ISO87B, edited(sale, offsetOf(sale, 2), 0x1a)), 'ISO_FIELD_BCD_INVALID', 2);
    expectRefused(() => unpackMessage(ISO87B, edited(sale, offsetOf(sale, 3) + 1, 0x0b)), 'ISO_FIELD_BCD_INVALID', 3);
    expectRefused(() => unpackMessage(ISO87B, edited(sale, offsetOf(sale, 2) + 1, 0xd7)), 'ISO_FIELD_BCD_INVALID', 2);
    const at22 = offsetOf(sale, 22); // n3, left pad nibble
    expectRefused(() => unpackMessage(ISO87B, edited(sale, at22, 0x50)), 'ISO_FIELD_BCD_INVALID', 22);
    expect(unpackMessage(ISO87B, edited(sale, at22, 0xf0)).fields.get(22)).toBe('051');
  });

  it('refuses an MTI that is not an ISO 8583:1987 message type', () => {
    for (const mti of [[0x09, 0x00], [0x07, 0x00], [0x12, 0x00], [0x02, 0x90], [0x02, 0x06]]) expectRefused(() => unpackMessage(ISO87B, edited(sale, 0, ...mti)), 'ISO_MTI_UNKNOWN', 0);
  });

  it('refuses a bit for a field the spec does not define (a narrower dialect than ISO87B)', () => {
    const narrow = { name: 'sign-on fields only', fields: { 11: ISO87B.fields[11] } };
    expectRefused(() => unpackMessage(narrow, signOn), 'ISO_FIELD_UNDEFINED', 41);
  });

  it('refuses control characters in a character field and a sign other than C or D', () => {
    expectRefused(() => unpackMessage(ISO87B, edited(sale, offsetOf(sale, 41), 0x0a)), 'ISO_FIELD_INVALID', 41);
    const upload = message('upload-0320');
    expectRefused(() => unpackMessage(ISO87B, edited(upload, offsetOf(upload, 28), 0x58)), 'ISO_FIELD_INVALID', 28);
  });
});

describe('packing values that do not fit their field', () => {
  const cases: [string, IsoMessage, Iso8583ErrorCode, number | undefined][] = [
    ['an unknown MTI', msg('0900', {}), 'ISO_MTI_UNKNOWN', 0],
    ['field 1', msg('0800', { 1: 'x' }), 'ISO_FIELD_UNDEFINED', 1],
    ['field 129', msg('0800', { 129: 'x' }), 'ISO_FIELD_UNDEFINED', 129],
    ['letters in a numeric field', msg('0800', { 11: '00000A' }), 'ISO_FIELD_INVALID', 11],
    ['a fixed field too long', msg('0800', { 11: '0000001' }), 'ISO_FIELD_INVALID', 11],
    ['an LLVAR too long', msg('0200', { 2: '1'.repeat(20) }), 'ISO_FIELD_INVALID', 2],
    ['a MAC of 7 bytes', msg('0200', { 64: new Uint8Array(7) }), 'ISO_FIELD_INVALID', 64],
    ['a string where bytes go', msg('0200', { 64: '01020304' }), 'ISO_FIELD_INVALID', 64],
    ['bytes where a string goes', msg('0200', { 41: new Uint8Array(8) }), 'ISO_FIELD_INVALID', 41],
    ['a control character', msg('0200', { 63: 'a\nb' }), 'ISO_FIELD_INVALID', 63],
    ['an amount without its sign', msg('0320', { 28: '00000100' }), 'ISO_FIELD_INVALID', 28],
  ];
  for (const [what, m, code, field] of cases) it(`refuses ${what}`, () => expectRefused(() => packMessage(ISO87B, m), code, field));
});
