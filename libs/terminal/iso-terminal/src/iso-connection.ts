import { connect, type Socket } from 'node:net';
import { FrameReader, ISO87B, type IsoMessage, type IsoValue, packFrame, unpackFrame } from '@pos/iso8583';
import { MAC_LENGTH, type MacKey, retailMac, verifyMac } from '@pos/terminal-keys';

export const TPDU = { destination: 0x0001, source: 0x0002 };

/** A frame as a terminal sends it: packed by our codec, field 64 the retail MAC under `key` (when given). */
export const terminalFrame = (mti: string, fields: Record<number, IsoValue>, key?: MacKey): Uint8Array => {
  const map = new Map<number, IsoValue>(Object.entries(fields).map(([k, v]) => [Number(k), v]));
  if (key) map.set(64, new Uint8Array(MAC_LENGTH));
  const frame = packFrame(ISO87B, TPDU, { mti, fields: map });
  if (key) frame.set(retailMac(key, frame.subarray(7, frame.length - MAC_LENGTH)), frame.length - MAC_LENGTH);
  return frame;
};

/** An answer: its message, and whether its MAC verifies under `key`. */
export interface IsoAnswer {
  readonly message: IsoMessage;
  readonly raw: Uint8Array;
  readonly tpdu: { destination: number; source: number };
  field(n: number): string | undefined;
  macValid(key: MacKey): boolean;
}

/** A terminal's TCP connection to the ISO 8583 front, answers read in order; `closed` once the host hangs up. */
export class IsoClient {
  private readonly reader = new FrameReader();
  private readonly answers: Uint8Array[] = [];
  private waiter?: () => void;
  closed = false;
  readonly ended: Promise<void>;

  private constructor(readonly socket: Socket) {
    this.ended = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('data', (chunk) => {
      this.answers.push(...this.reader.push(chunk));
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number, host = '127.0.0.1'): Promise<IsoClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true }, () => resolve(new IsoClient(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next answer, or undefined when the connection closed first. */
  async next(): Promise<IsoAnswer | undefined> {
    while (this.answers.length === 0 && !this.closed) await new Promise<void>((resolve) => (this.waiter = resolve));
    this.waiter = undefined;
    const frame = this.answers.shift();
    if (!frame) return undefined;
    const { message, raw, tpdu } = unpackFrame(ISO87B, frame);
    return {
      message, raw, tpdu,
      field: (n) => {
        const v = message.fields.get(n);
        return typeof v === 'string' ? v : undefined;
      },
      macValid: (key) => {
        const mac = message.fields.get(64);
        return mac instanceof Uint8Array && verifyMac(key, raw.subarray(0, raw.length - MAC_LENGTH), mac);
      },
    };
  }

  async send(mti: string, fields: Record<number, IsoValue>, key?: MacKey): Promise<IsoAnswer> {
    this.write(terminalFrame(mti, fields, key));
    const answer = await this.next();
    if (!answer) throw new Error(`the host closed the connection instead of answering ${mti}`);
    return answer;
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.ended;
  }
}
