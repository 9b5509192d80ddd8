import { type IsoMessage, packMessage, unpackMessage } from './codec';
import { decodeFrame, encodeFrame, type Tpdu } from './frame';
import type { MessageSpec } from './spec';

/** A message packed and framed behind its TPDU. */
export const packFrame = (spec: MessageSpec, tpdu: Tpdu, message: IsoMessage): Uint8Array => encodeFrame({ tpdu, message: packMessage(spec, message) });

/** One whole frame, decoded and unpacked; `raw` is the message's bytes (what a MAC is computed over). */
export const unpackFrame = (spec: MessageSpec, bytes: Uint8Array): { readonly tpdu: Tpdu; readonly message: IsoMessage; readonly raw: Uint8Array } => {
  const frame = decodeFrame(bytes);
  return { tpdu: frame.tpdu, message: unpackMessage(spec, frame.message), raw: frame.message };
};
