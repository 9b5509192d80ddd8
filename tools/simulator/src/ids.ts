/**
 * Identifiers of the simulated fleet, derived from the seed so the same seed drives the
 * same terminals. terminalId: 8 chars [A-Z0-9]; merchantId: 15 chars [A-Z0-9].
 */
export const TERMINALS_PER_MERCHANT = 4;

const base36 = (n: number, width: number): string => {
  const s = n.toString(36).toUpperCase();
  if (s.length > width) throw new RangeError(`${n} does not fit in ${width} base-36 digits`);
  return s.padStart(width, '0');
};

/** Three base-36 characters standing for the seed (seeds below 46656 map one to one). */
export const seedTag = (seed: number): string => base36((seed >>> 0) % 36 ** 3, 3);

/** `S` + seed tag (3) + terminal index (4, base 36): S0160000, S0160001, ... */
export const terminalIdFor = (seed: number, index: number): string => `S${seedTag(seed)}${base36(index, 4)}`;

export const merchantIndexFor = (terminalIndex: number, perMerchant = TERMINALS_PER_MERCHANT): number =>
  Math.floor(terminalIndex / perMerchant);

/** `M` + seed tag (3) + merchant index (11, base 36). */
export const merchantIdFor = (seed: number, merchantIndex: number): string => `M${seedTag(seed)}${base36(merchantIndex, 11)}`;

/** STANs run 000001..999999 and wrap to 000001. */
export const nextStan = (current: number): number => (current >= 999_999 ? 1 : current + 1);
export const formatStan = (stan: number): string => String(stan).padStart(6, '0');
