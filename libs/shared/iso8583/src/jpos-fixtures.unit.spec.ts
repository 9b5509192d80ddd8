import { describe, expect, it } from 'vitest';
import { type IsoMessage, packMessage, unpackMessage } from './codec';
import { fixtureMessage as messageOf, JPOS_FIXTURES as fixtures, jposFixture } from './fixtures/jpos';
import { decodeFrame, replyTpdu } from './frame';
import { fromHex, toHex } from './hex';
import { ISO87B } from './spec';
import { packFrame, unpackFrame } from './wire';

// Messages packed by real jPOS 3.0.0 (ISO87BPackager) and captured off a real NACChannel with TPDU
// 6000010000: see tools/iso8583-fixtures/README.md for how they are regenerated.
const REQUEST_TPDU = { destination: 0x0001, source: 0x0000 };

const listed = (m: IsoMessage): Record<string, string> => ({
  '0': m.mti,
  ...Object.fromEntries([...m.fields].map(([n, v]) => [String(n), typeof v === 'string' ? v : `b:${toHex(v)}`])),
});

describe('the codec against messages packed by jPOS ISO87BPackager', () => {
  it('has the fixtures the issue names (sign-on, sale, settlement, reversal, upload, secondary bitmap, a reply)', () => {
    const mtis = new Set(fixtures.map((f) => f.fields['0']));
    for (const mti of ['0800', '0810', '0200', '0210', '0500', '0400', '0320']) expect(mtis).toContain(mti);
    expect(fixtures.some((f) => Object.keys(f.fields).some((n) => Number(n) > 64))).toBe(true);
  });

  it('covers every field of the spec table with values jPOS packed, so the whole table is checked against jPOS', () => {
    const seen = new Set(fixtures.flatMap((f) => Object.keys(f.fields).map(Number)));
    expect(Object.keys(ISO87B.fields).map(Number).filter((n) => !seen.has(n))).toEqual([]);
  });

  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      const isReply = fixture.name.endsWith('-reply');
      const tpdu = isReply ? replyTpdu(REQUEST_TPDU) : REQUEST_TPDU;

      it('unpacks jPOS\'s frame field by field, behind the TPDU jPOS sent', () => {
        const got = unpackFrame(ISO87B, fromHex(fixture.frame));
        expect(got.tpdu).toEqual(tpdu);
        expect(toHex(got.raw)).toBe(fixture.message);
        expect(listed(got.message)).toEqual(fixture.fields);
      });

      it('packs the same fields to jPOS\'s bytes, and frames them as NACChannel does', () => {
        expect(toHex(packMessage(ISO87B, messageOf(fixture.fields)))).toBe(fixture.message);
        expect(toHex(packFrame(ISO87B, tpdu, messageOf(fixture.fields)))).toBe(fixture.frame);
      });
    });
  }

  it('unpacks a Node Buffer into plain byte arrays of its own, not views of the buffer', () => {
    const buffer = Buffer.from(jposFixture('sale-0200').frame, 'hex');
    const got = unpackFrame(ISO87B, buffer);
    buffer.fill(0);
    const mac = got.message.fields.get(64) as Uint8Array;
    expect(Object.getPrototypeOf(mac)).toBe(Uint8Array.prototype);
    expect(toHex(mac)).toBe('0102030405060708');
    expect(toHex(got.raw)).toBe(jposFixture('sale-0200').message);
  });

  it('swaps the TPDU in a reply as jPOS\'s server NACChannel did', () => {
    const reply = jposFixture('sign-on-0810-reply');
    expect(toHex(fromHex(reply.frame).subarray(2, 7))).toBe('6000000001');
    expect(decodeFrame(fromHex(reply.frame)).tpdu).toEqual(replyTpdu(REQUEST_TPDU));
  });

  it('pads as jPOS does: fixed numeric fields with leading zeros, fixed character fields with trailing spaces, odd LLNUM with a trailing 0 nibble', () => {
    const packed = packMessage(ISO87B, { mti: '0800', fields: new Map([[11, '42'], [41, 'T1']]) });
    expect(unpackMessage(ISO87B, packed).fields).toEqual(new Map([[11, '000042'], [41, 'T1      ']]));
    const odd = jposFixture('sale-0200-odd-pan');
    expect(odd.message).toContain(`19${'6250941006528599002'}0`);
    // Odd fixed numeric (22, n3): a leading 0 nibble.
    expect(toHex(packMessage(ISO87B, { mti: '0200', fields: new Map([[22, '051']]) })).slice(-4)).toBe('0051');
  });
});
