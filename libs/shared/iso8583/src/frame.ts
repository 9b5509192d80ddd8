import { Iso8583Error } from './errors';

/** ISO 8583 NAC transport header: id 60, then the destination and source addresses (2 bytes each). */
export interface Tpdu {
  readonly destination: number;
  readonly source: number;
}

/** A decoded frame: its TPDU and the message bytes after it (what the MAC and the codec read). */
export interface Frame {
  readonly tpdu: Tpdu;
  readonly message: Uint8Array;
}

const TPDU_ID = 0x60;
const TPDU_BYTES = 5;
const PREFIX_BYTES = 2;
const MAX_LENGTH = 0xffff;

/** The reply's TPDU: destination and source swapped, as jPOS's NACChannel does. */
export const replyTpdu = (tpdu: Tpdu): Tpdu => ({ destination: tpdu.source, source: tpdu.destination });

const checkAddress = (name: string, a: number): void => {
  if (!Number.isInteger(a) || a < 0 || a > 0xffff) throw new Iso8583Error('ISO_TPDU_INVALID', `TPDU ${name} ${a} is not a 2-byte address`);
};

/** 2-byte big-endian length (of TPDU and message), the TPDU, the message: jPOS's NACChannel. */
export const encodeFrame = (frame: Frame): Uint8Array => {
  checkAddress('destination', frame.tpdu.destination);
  checkAddress('source', frame.tpdu.source);
  const length = TPDU_BYTES + frame.message.length;
  if (length > MAX_LENGTH) throw new Iso8583Error('ISO_FRAME_TOO_LONG', `a frame carries at most ${MAX_LENGTH} bytes, this one ${length}`);
  const out = new Uint8Array(PREFIX_BYTES + length);
  const { destination: d, source: s } = frame.tpdu;
  out.set([length >> 8, length & 0xff, TPDU_ID, d >> 8, d & 0xff, s >> 8, s & 0xff], 0);
  out.set(frame.message, PREFIX_BYTES + TPDU_BYTES);
  return out;
};

const announced = (bytes: Uint8Array): number => (bytes[0] << 8) | bytes[1];

/** Decodes exactly one whole frame: its length prefix must match the bytes given. */
export const decodeFrame = (bytes: Uint8Array): Frame => {
  if (bytes.length < PREFIX_BYTES) throw new Iso8583Error('ISO_FRAME_TRUNCATED', `${bytes.length} bytes: not even a length prefix`, undefined, 0);
  const length = announced(bytes);
  const have = bytes.length - PREFIX_BYTES;
  if (length > have) throw new Iso8583Error('ISO_FRAME_TRUNCATED', `the length prefix announces ${length} bytes, ${have} follow`, undefined, 0);
  if (length < have) throw new Iso8583Error('ISO_FRAME_LENGTH_MISMATCH', `the length prefix announces ${length} bytes, ${have} follow`, undefined, 0);
  if (length < TPDU_BYTES) throw new Iso8583Error('ISO_FRAME_TRUNCATED', `a ${length}-byte frame cannot hold its ${TPDU_BYTES}-byte TPDU`, undefined, PREFIX_BYTES);
  if (bytes[PREFIX_BYTES] !== TPDU_ID) throw new Iso8583Error('ISO_TPDU_INVALID', `TPDU id ${bytes[PREFIX_BYTES].toString(16).padStart(2, '0')}, expected 60`, undefined, PREFIX_BYTES);
  const b = bytes.subarray(PREFIX_BYTES + 1);
  return { tpdu: { destination: (b[0] << 8) | b[1], source: (b[2] << 8) | b[3] }, message: Uint8Array.from(bytes.subarray(PREFIX_BYTES + TPDU_BYTES)) };
};

/**
 * Cuts a byte stream into whole frames (length prefix included, for decodeFrame), keeping the
 * partial rest for the next chunk. Pure: the connection's timeouts are the caller's. A prefix
 * announcing more than `maxLength` raises ISO_FRAME_TOO_LONG before anything is buffered for it.
 */
export class FrameReader {
  private pending = new Uint8Array(0);

  constructor(private readonly maxLength = MAX_LENGTH) {}

  /** Bytes received but not yet part of a whole frame (a slow or truncated sender shows here). */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const all = new Uint8Array(this.pending.length + chunk.length);
    all.set(this.pending, 0);
    all.set(chunk, this.pending.length);
    const frames: Uint8Array[] = [];
    let at = 0;
    while (all.length - at >= PREFIX_BYTES) {
      const length = announced(all.subarray(at));
      if (length > this.maxLength) throw new Iso8583Error('ISO_FRAME_TOO_LONG', `the length prefix announces ${length} bytes, at most ${this.maxLength} are accepted`, undefined, at);
      if (all.length - at < PREFIX_BYTES + length) break;
      frames.push(all.slice(at, at + PREFIX_BYTES + length));
      at += PREFIX_BYTES + length;
    }
    this.pending = all.slice(at);
    return frames;
  }
}
