import { Iso8583Error } from './errors';
import type { FieldSpec, MessageSpec } from './spec';

/** A field's value: a string for every kind but `b`, whose value is its bytes. */
export type IsoValue = string | Uint8Array;

/** An ISO 8583 message: its type indicator and its fields by number (2 to 128). */
export interface IsoMessage {
  readonly mti: string;
  readonly fields: ReadonlyMap<number, IsoValue>;
}

const BITMAP_BYTES = 8;
const PAD_NIBBLES = new Set([0x0, 0xf]);

/**
 * ISO 8583:1987 message type indicators: version 0, a message class this version defines (1
 * authorisation … 6 administrative, 8 network management; 7 and 9 are reserved), a function
 * (request, response, advice, advice response, notification) and an origin (acquirer, issuer,
 * other, each possibly repeated).
 */
const MTI = /^0[1-68][0-4][0-5]$/;

const fail = (code: ConstructorParameters<typeof Iso8583Error>[0], message: string, field?: number, offset?: number): never => {
  throw new Iso8583Error(code, message, field, offset);
};

const checkMti = (mti: string, offset?: number): void => {
  if (!MTI.test(mti)) fail('ISO_MTI_UNKNOWN', `message type ${JSON.stringify(mti)} is not an ISO 8583:1987 message type`, 0, offset);
};

const specOf = (spec: MessageSpec, field: number, offset?: number): FieldSpec => {
  const f = Number.isInteger(field) && field >= 2 && field <= 128 ? spec.fields[field] : undefined;
  return f ?? fail('ISO_FIELD_UNDEFINED', `field ${field} is not defined by ${spec.name}`, field, offset);
};

// ---- packing ----------------------------------------------------------------------------------

/** Nibbles into bytes; an odd count gets a 0 pad nibble on the left or the right. */
const bcd = (nibbles: readonly number[], padLeft: boolean): Uint8Array => {
  const all = nibbles.length % 2 === 0 ? nibbles : padLeft ? [0, ...nibbles] : [...nibbles, 0];
  const out = new Uint8Array(all.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (all[2 * i] << 4) | all[2 * i + 1];
  return out;
};

const lengthPrefix = (length: number, prefix: 0 | 2 | 3): Uint8Array => (prefix === 0 ? new Uint8Array(0) : bcd([...String(length).padStart(prefix === 2 ? 2 : 4, '0')].map(Number), true));

const isPrintable = (c: number): boolean => (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff);

/** A field's data and its length as the prefix counts it, checked against its spec. */
const packData = (field: number, f: FieldSpec, value: IsoValue): { data: Uint8Array; length: number } => {
  const invalid = (why: string): never => fail('ISO_FIELD_INVALID', `field ${field} (${f.description}): ${why}`, field);
  if (f.kind === 'b') {
    if (!(value instanceof Uint8Array)) return invalid('expected bytes');
    if (f.prefix === 0 ? value.length !== f.length : value.length > f.length) invalid(`${value.length} bytes, the field takes ${f.prefix === 0 ? '' : 'up to '}${f.length}`);
    return { data: Uint8Array.from(value), length: value.length };
  }
  if (typeof value !== 'string') return invalid('expected a string');
  const max = f.kind === 'xn' ? f.length - 1 : f.length;
  const body = f.kind === 'xn' ? value.slice(1) : value;
  if (body.length > max) invalid(`${body.length} characters, the field takes up to ${max}`);
  const fixed = f.prefix === 0;
  switch (f.kind) {
    case 'n':
    case 'z': {
      if (!(f.kind === 'n' ? /^\d*$/ : /^[\d=]*$/).test(body)) invalid(f.kind === 'n' ? 'not digits' : 'not track data (digits and =)');
      const digits = fixed ? body.padStart(max, '0') : body;
      return { data: bcd([...digits].map((c) => (c === '=' ? 0xd : Number(c))), fixed), length: digits.length };
    }
    case 'xn': {
      if (!/^[CD]\d*$/.test(value)) invalid('expected C or D, then digits');
      const digits = body.padStart(max, '0');
      const out = new Uint8Array(1 + Math.ceil(max / 2));
      out[0] = value.charCodeAt(0);
      out.set(bcd([...digits].map(Number), true), 1);
      return { data: out, length: f.length };
    }
    case 'ans': {
      const text = fixed ? body.padEnd(max, ' ') : body;
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (!isPrintable(c)) invalid(`character ${JSON.stringify(text[i])} at ${i} is not a printable Latin-1 character`);
        out[i] = c;
      }
      return { data: out, length: text.length };
    }
  }
};

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Packs a message in the spec's layout; a value that does not fit its field raises Iso8583Error. */
export const packMessage = (spec: MessageSpec, message: IsoMessage): Uint8Array => {
  checkMti(message.mti);
  const numbers = [...message.fields.keys()].sort((a, b) => a - b);
  const specs = numbers.map((n) => specOf(spec, n));
  const secondary = numbers.some((n) => n > 64);
  const bitmap = new Uint8Array(secondary ? 2 * BITMAP_BYTES : BITMAP_BYTES);
  if (secondary) bitmap[0] |= 0x80;
  for (const n of numbers) bitmap[(n - 1) >> 3] |= 0x80 >> ((n - 1) & 7);
  const parts = [bcd([...message.mti].map(Number), true), bitmap];
  numbers.forEach((n, i) => {
    const f = specs[i];
    const { data, length } = packData(n, f, message.fields.get(n) as IsoValue);
    parts.push(lengthPrefix(length, f.prefix), data);
  });
  return concat(parts);
};

// ---- unpacking --------------------------------------------------------------------------------

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  take(count: number, field: number, what: string): Uint8Array {
    if (this.offset + count > this.bytes.length)
      fail('ISO_MESSAGE_TRUNCATED', `the message ends inside field ${field} (${what}): ${count} bytes needed at offset ${this.offset}, ${this.bytes.length - this.offset} left`, field, this.offset);
    // A copy, never a view: a Node Buffer's slice would share the socket's memory.
    const out = Uint8Array.from(this.bytes.subarray(this.offset, this.offset + count));
    this.offset += count;
    return out;
  }
}

const nibblesOf = (bytes: Uint8Array): number[] => [...bytes].flatMap((b) => [b >> 4, b & 0xf]);

/**
 * `count` digits from BCD bytes, the pad nibble (if any) on the given side. jPOS ignores the pad
 * nibble; here it must be 0 (what jPOS packs) or F (what some terminals pack).
 */
const digitsOf = (bytes: Uint8Array, count: number, padLeft: boolean, allowD: boolean, field: number, offset: number): string => {
  const nibbles = nibblesOf(bytes);
  const pad = nibbles.length - count;
  const data = padLeft ? nibbles.slice(pad) : nibbles.slice(0, count);
  if (pad === 1 && !PAD_NIBBLES.has(padLeft ? nibbles[0] : nibbles[nibbles.length - 1]))
    fail('ISO_FIELD_BCD_INVALID', `field ${field}: pad nibble ${(padLeft ? nibbles[0] : nibbles[nibbles.length - 1]).toString(16).toUpperCase()} is neither 0 nor F`, field, offset);
  let out = '';
  for (const [i, d] of data.entries()) {
    if (d <= 9) out += String(d);
    else if (allowD && d === 0xd) out += '=';
    else fail('ISO_FIELD_BCD_INVALID', `field ${field}: nibble ${d.toString(16).toUpperCase()} at digit ${i} is not a decimal digit`, field, offset);
  }
  return out;
};

const readLength = (r: Reader, field: number, f: FieldSpec): number => {
  if (f.prefix === 0) return f.kind === 'xn' ? f.length - 1 : f.length;
  const at = r.offset;
  const raw = r.take(f.prefix === 2 ? 1 : 2, field, 'length prefix');
  const length = Number(digitsOf(raw, raw.length * 2, true, false, field, at));
  if (length > f.length) fail('ISO_FIELD_LENGTH_INVALID', `field ${field} (${f.description}) announces ${length}, the field takes up to ${f.length}`, field, at);
  return length;
};

const readField = (r: Reader, field: number, f: FieldSpec): IsoValue => {
  const length = readLength(r, field, f);
  const at = r.offset;
  switch (f.kind) {
    case 'b':
      return r.take(length, field, f.description);
    case 'n':
    case 'z':
      return digitsOf(r.take(Math.ceil(length / 2), field, f.description), length, f.prefix === 0, f.kind === 'z', field, at);
    case 'xn': {
      const raw = r.take(1 + Math.ceil(length / 2), field, f.description);
      const sign = String.fromCharCode(raw[0]);
      if (sign !== 'C' && sign !== 'D') fail('ISO_FIELD_INVALID', `field ${field} (${f.description}): sign byte ${raw[0].toString(16)} is neither C nor D`, field, at);
      return sign + digitsOf(raw.subarray(1), length, true, false, field, at + 1);
    }
    case 'ans': {
      const raw = r.take(length, field, f.description);
      const bad = raw.findIndex((c) => !isPrintable(c));
      if (bad >= 0) fail('ISO_FIELD_INVALID', `field ${field} (${f.description}): byte ${raw[bad].toString(16).padStart(2, '0')} at ${bad} is not a printable Latin-1 character`, field, at + bad);
      return String.fromCharCode(...raw);
    }
  }
};

/**
 * Unpacks one whole message. Anything malformed — a field past the end, bytes after the last
 * field, a length over the field's maximum, a nibble that is not a digit, an unknown MTI, a bit
 * for a field the spec lacks — raises Iso8583Error; there is no partial result.
 */
export const unpackMessage = (spec: MessageSpec, bytes: Uint8Array): IsoMessage => {
  const r = new Reader(bytes);
  const mti = digitsOf(r.take(2, 0, 'message type'), 4, true, false, 0, 0);
  checkMti(mti, 0);
  const primary = r.take(BITMAP_BYTES, 1, 'primary bitmap');
  const bitmap = primary[0] & 0x80 ? new Uint8Array([...primary, ...r.take(BITMAP_BYTES, 1, 'secondary bitmap')]) : primary;
  const fields = new Map<number, IsoValue>();
  for (let n = 2; n <= bitmap.length * 8; n++) {
    if (!(bitmap[(n - 1) >> 3] & (0x80 >> ((n - 1) & 7)))) continue;
    fields.set(n, readField(r, n, specOf(spec, n, r.offset)));
  }
  if (r.offset !== bytes.length) {
    const last = fields.size === 0 ? 1 : Math.max(...fields.keys());
    fail('ISO_MESSAGE_TRAILING_BYTES', `${bytes.length - r.offset} bytes after the last field the bitmap names (${last})`, last, r.offset);
  }
  return { mti, fields };
};
