import { describe, expect, it } from 'vitest';
import { createPrng, forkPrng, hash32, mulberry32, parseSeed } from './prng';

/** The published mulberry32, verbatim, as the reference. */
function referenceMulberry32(a: number) {
  return function () {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const take = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);

describe('prng', () => {
  it('is mulberry32', () => {
    for (const seed of [0, 1, 42, 0xdeadbeef, 4_294_967_295]) {
      const ours = mulberry32(seed);
      const ref = referenceMulberry32(seed);
      expect(take(50, () => ours() / 4294967296)).toEqual(take(50, ref));
    }
  });

  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const c = createPrng(43);
    const seqA = take(100, () => a.bigintBetween(1n, 500_000n));
    expect(take(100, () => b.bigintBetween(1n, 500_000n))).toEqual(seqA);
    expect(take(100, () => c.bigintBetween(1n, 500_000n))).not.toEqual(seqA);
  });

  it('forks independent, reproducible streams per label', () => {
    expect(take(20, forkPrng(7, 'terminal-1').uint32)).toEqual(take(20, forkPrng(7, 'terminal-1').uint32));
    expect(take(20, forkPrng(7, 'terminal-1').uint32)).not.toEqual(take(20, forkPrng(7, 'terminal-2').uint32));
  });

  it('stays inside inclusive ranges and reaches both ends', () => {
    const p = createPrng(1);
    const seen = new Set<bigint>();
    for (let i = 0; i < 2000; i++) {
      const v = p.bigintBetween(1n, 4n);
      expect(v >= 1n && v <= 4n).toBe(true);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([1n, 2n, 3n, 4n]);
    const wide = p.bigintBetween(10n ** 20n, 10n ** 20n + 5n);
    expect(wide >= 10n ** 20n && wide <= 10n ** 20n + 5n).toBe(true);
    expect(() => p.bigintBetween(5n, 4n)).toThrow(RangeError);
    expect(p.digits(12)).toMatch(/^\d{12}$/);
  });

  it('parses numeric seeds as themselves and hashes others', () => {
    expect(parseSeed('42')).toBe(42);
    expect(parseSeed('4294967295')).toBe(4_294_967_295);
    expect(parseSeed('4294967296')).toBe(hash32('4294967296'));
    expect(parseSeed('monday')).toBe(hash32('monday'));
    expect(hash32('a')).not.toBe(hash32('b'));
  });
});
