/** Lower-case hex of bytes (fixtures, logs of frames without keys). */
export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Bytes of an even-length hex string; anything else is a RangeError (a programming error, not input). */
export const fromHex = (hex: string): Uint8Array => {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new RangeError(`not hex bytes: ${hex.slice(0, 40)}`);
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
};
