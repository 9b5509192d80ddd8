/**
 * Deterministic pseudo-random numbers (mulberry32). Same seed, same sequence, on every
 * machine: the simulator's whole business day is a function of its seed.
 *
 * Money is never held as a float here: amounts come from `bigintBetween`, built from
 * 32-bit integers by rejection sampling (exactly uniform, no rounding).
 */
export interface Prng {
  /** Next unsigned 32-bit integer. */
  uint32(): number;
  /** Float in [0, 1): for choosing what to do, never for amounts. */
  next(): number;
  /** Integer in [min, max], both inclusive (safe integers only). */
  int(min: number, max: number): number;
  /** bigint in [min, max], both inclusive, exactly uniform. */
  bigintBetween(min: bigint, max: bigint): bigint;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A string of `length` decimal digits. */
  digits(length: number): string;
}

const TWO_32 = 4_294_967_296;

/** The raw generator: returns successive unsigned 32-bit integers. */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
};

/** FNV-1a over a string: turns any seed text (or seed + terminal index) into a 32-bit seed. */
export const hash32 = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
};

/** A seed given on the command line: a decimal uint32 is taken as is, anything else is hashed. */
export const parseSeed = (raw: string): number => (/^\d{1,10}$/.test(raw) && Number(raw) < TWO_32 ? Number(raw) : hash32(raw));

export const createPrng = (seed: number): Prng => {
  const nextU32 = mulberry32(seed);
  const uniformBelow = (n: bigint): bigint => {
    // rejection sampling over enough 32-bit words to cover n
    if (n <= 0n) throw new RangeError('range must be positive');
    let words = 1;
    while (1n << BigInt(32 * words) < n) words++;
    const space = 1n << BigInt(32 * words);
    const limit = space - (space % n);
    for (;;) {
      let v = 0n;
      for (let i = 0; i < words; i++) v = (v << 32n) | BigInt(nextU32());
      if (v < limit) return v % n;
    }
  };
  const prng: Prng = {
    uint32: nextU32,
    next: () => nextU32() / TWO_32,
    int: (min, max) => {
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) throw new RangeError(`bad range [${min}, ${max}]`);
      return min + Number(uniformBelow(BigInt(max - min + 1)));
    },
    bigintBetween: (min, max) => {
      if (max < min) throw new RangeError(`bad range [${min}, ${max}]`);
      return min + uniformBelow(max - min + 1n);
    },
    chance: (p) => prng.next() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('cannot pick from an empty list');
      return items[prng.int(0, items.length - 1)] as (typeof items)[number];
    },
    digits: (length) => {
      let s = '';
      for (let i = 0; i < length; i++) s += String(prng.int(0, 9));
      return s;
    },
  };
  return prng;
};

/** An independent stream per terminal, so the result does not depend on how terminals interleave. */
export const forkPrng = (seed: number, label: string): Prng => createPrng(hash32(`${seed}:${label}`));
