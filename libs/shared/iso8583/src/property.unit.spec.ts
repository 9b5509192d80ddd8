import { createPrng, type Prng } from '@pos/kernel';
import { describe, expect, it } from 'vitest';
import { type IsoMessage, type IsoValue, packMessage, unpackMessage } from './codec';
import { Iso8583Error } from './errors';
import { JPOS_FIXTURES } from './fixtures/jpos';
import { fromHex } from './hex';
import { type FieldSpec, ISO87B } from './spec';
import { packFrame, unpackFrame } from './wire';

// Seeded, so a failure is reproducible: the seed is in the test's name.
const SEED = 8583;
const PRINTABLE = [...Array(0x7f - 0x20).keys()].map((i) => 0x20 + i).concat([...Array(0x100 - 0xa0).keys()].map((i) => 0xa0 + i));

const valueFor = (p: Prng, f: FieldSpec): IsoValue => {
  const length = f.prefix === 0 ? f.length : p.int(0, f.length);
  switch (f.kind) {
    case 'b':
      return Uint8Array.from({ length }, () => p.int(0, 255));
    case 'n':
      return p.digits(length);
    case 'z':
      return Array.from({ length }, () => (p.chance(0.1) ? '=' : String(p.int(0, 9)))).join('');
    case 'xn':
      return p.pick(['C', 'D']) + p.digits(f.length - 1);
    case 'ans':
      return String.fromCharCode(...Array.from({ length }, () => p.pick(PRINTABLE)));
  }
};

const randomMessage = (p: Prng): IsoMessage => {
  const mti = `0${p.pick([1, 2, 3, 4, 5, 6, 8])}${p.int(0, 4)}${p.int(0, 5)}`;
  const upTo = p.chance(0.3) ? 128 : 64;
  const fields = new Map<number, IsoValue>();
  for (let n = 2; n <= upTo; n++) if (p.chance(0.15)) fields.set(n, valueFor(p, ISO87B.fields[n]));
  return { mti, fields };
};
const randomTpdu = (p: Prng) => ({ destination: p.int(0, 0xffff), source: p.int(0, 0xffff) });

/** Flip bits, overwrite, insert, delete or cut: what a noisy line or a hostile sender does to a frame. */
const mutate = (p: Prng, bytes: Uint8Array): Uint8Array => {
  const out = [...bytes];
  for (let k = p.int(1, 4); k > 0; k--) {
    const at = p.int(0, Math.max(0, out.length - 1));
    switch (p.int(0, 4)) {
      case 0:
        out[at] ^= 1 << p.int(0, 7);
        break;
      case 1:
        out[at] = p.int(0, 255);
        break;
      case 2:
        out.splice(at, 0, p.int(0, 255));
        break;
      case 3:
        out.splice(at, 1);
        break;
      case 4:
        out.length = at;
        break;
    }
  }
  return Uint8Array.from(out);
};

describe(`random messages (seed ${SEED})`, () => {
  it('round-trip pack → unpack, framed and bare', () => {
    const p = createPrng(SEED);
    for (let i = 0; i < 2000; i++) {
      const m = randomMessage(p);
      const tpdu = randomTpdu(p);
      expect(unpackMessage(ISO87B, packMessage(ISO87B, m))).toEqual(m);
      const back = unpackFrame(ISO87B, packFrame(ISO87B, tpdu, m));
      expect(back.tpdu).toEqual(tpdu);
      expect(back.message).toEqual(m);
    }
  }, 60_000);

  it('mutated frames either unpack (and then pack again to a message that unpacks the same) or raise Iso8583Error, nothing else', () => {
    const p = createPrng(SEED + 1);
    const seeds = [...JPOS_FIXTURES.map((f) => fromHex(f.frame)), ...Array.from({ length: 50 }, () => packFrame(ISO87B, randomTpdu(p), randomMessage(p)))];
    const outcomes = { unpacked: 0, refused: new Map<string, number>() };
    for (let i = 0; i < 20_000; i++) {
      const bytes = mutate(p, p.pick(seeds));
      let message: IsoMessage;
      try {
        message = unpackFrame(ISO87B, bytes).message;
      } catch (e) {
        if (!(e instanceof Iso8583Error)) throw new Error(`not an Iso8583Error on ${Buffer.from(bytes).toString('hex')}: ${String(e)}`);
        outcomes.refused.set(e.code, (outcomes.refused.get(e.code) ?? 0) + 1);
        continue;
      }
      outcomes.unpacked++;
      expect(unpackMessage(ISO87B, packMessage(ISO87B, message))).toEqual(message);
    }
    // The mutations reach past the frame into the message: most codes are seen, and some frames survive.
    expect(outcomes.unpacked).toBeGreaterThan(0);
    expect([...outcomes.refused.keys()].sort()).toEqual(expect.arrayContaining(['ISO_FIELD_BCD_INVALID', 'ISO_FRAME_LENGTH_MISMATCH', 'ISO_FRAME_TRUNCATED', 'ISO_MESSAGE_TRUNCATED', 'ISO_MTI_UNKNOWN']));
    // A fixed number of mutations, about 2 s alone; the limit is not the test.
  }, 60_000);
});
