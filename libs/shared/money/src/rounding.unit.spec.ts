import { describe, expect, it } from 'vitest';
import { divideRounded, feeAtBps } from './rounding';

describe('rounding rules at their edges', () => {
  it.each([
    // [numerator, denominator, HALF_UP, HALF_EVEN]
    [5n, 10n, 1n, 0n],
    [15n, 10n, 2n, 2n],
    [25n, 10n, 3n, 2n],
    [14n, 10n, 1n, 1n],
    [16n, 10n, 2n, 2n],
    [-5n, 10n, -1n, -0n],
    [-15n, 10n, -2n, -2n],
    [-25n, 10n, -3n, -2n],
    [0n, 10n, 0n, 0n],
  ])('%s / %s rounds to %s (half-up) and %s (half-even)', (n, d, up, even) => {
    expect(divideRounded(n, d, 'HALF_UP')).toBe(up);
    expect(divideRounded(n, d, 'HALF_EVEN')).toBe(even);
  });

  it('charges 38.00 on 10,000.00 at 38 bps (QR default)', () => {
    expect(feeAtBps(1_000_000n, 38, 'HALF_UP')).toBe(3_800n);
  });

  it('charges 60 bps on a bank-card sale and rounds the half minor unit by the named rule', () => {
    // 12.50 at 0.60% = 0.075 -> 0.08 half-up, 0.08 half-even (7.5 -> 8: 8 is even)
    expect(feeAtBps(1_250n, 60, 'HALF_UP')).toBe(8n);
    expect(feeAtBps(1_250n, 60, 'HALF_EVEN')).toBe(8n);
    // 10.25 at 0.60% = 0.0615 -> 0.06 both
    expect(feeAtBps(1_025n, 60, 'HALF_UP')).toBe(6n);
    // 0.25 at 0.60% = 0.0015 -> 0.00; 2.50 at 0.60% = 0.015 -> 0.02 half-up, 0.02 half-even
    expect(feeAtBps(25n, 60, 'HALF_UP')).toBe(0n);
    // 4.50 at 1% ... 0.045 -> 0.05 half-up, 0.04 half-even
    expect(feeAtBps(450n, 100, 'HALF_UP')).toBe(5n);
    expect(feeAtBps(450n, 100, 'HALF_EVEN')).toBe(4n);
  });

  it('is exact far beyond Number.MAX_SAFE_INTEGER', () => {
    const big = 10n ** 30n + 5_000n;
    expect(feeAtBps(big, 1, 'HALF_UP')).toBe(10n ** 26n + 1n);
    expect(feeAtBps(big, 1, 'HALF_EVEN')).toBe(10n ** 26n);
  });

  it('refuses out-of-range rates', () => {
    expect(() => feeAtBps(100n, -1, 'HALF_UP')).toThrow(RangeError);
    expect(() => feeAtBps(100n, 1.5, 'HALF_UP')).toThrow(RangeError);
  });
});
