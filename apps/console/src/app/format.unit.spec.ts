import { describe, expect, it } from 'vitest';
import { formatAmount, hourIn, minorFromMajor, utcTitle } from './format';

describe('console formatting', () => {
  it('formats minor units per currency exactly, beyond what a float holds', () => {
    expect(formatAmount('123456', 'CNY', 'en-US')).toBe('CNY\u00a01,234.56');
    expect(formatAmount('5', 'CNY', 'en-US')).toBe('CNY\u00a00.05');
    expect(formatAmount('1234', 'JPY', 'en-US')).toBe('JPY\u00a01,234');
    expect(formatAmount('1234', 'KWD', 'en-US')).toBe('KWD\u00a01.234');
    expect(formatAmount(-250n, 'USD', 'en-US')).toBe('-USD\u00a02.50');
    // 2^53 + 1 minor units: a float would print ...992.
    expect(formatAmount('9007199254740993', 'CNY', 'en-US')).toBe('CNY\u00a090,071,992,547,409.93');
    expect(formatAmount('999999999999999999', 'CNY', 'en-US')).toBe('CNY\u00a09,999,999,999,999,999.99');
  });

  it('reads typed major units as exact minor units, refusing what the currency cannot hold', () => {
    expect(minorFromMajor('50000.00', 'CNY')).toBe(5_000_000n);
    expect(minorFromMajor('50000.5', 'CNY')).toBe(5_000_050n);
    expect(minorFromMajor('12', 'JPY')).toBe(12n);
    expect(minorFromMajor('12.5', 'JPY')).toBeUndefined();
    expect(minorFromMajor('1.001', 'CNY')).toBeUndefined();
    expect(minorFromMajor('1e3', 'CNY')).toBeUndefined();
    expect(minorFromMajor('-1', 'CNY')).toBeUndefined();
    expect(minorFromMajor('1', 'XYZ')).toBeUndefined();
  });

  it("places instants in the merchant's zone, with UTC for the title", () => {
    expect(hourIn('2026-12-01T16:30:00.000Z', 'Asia/Shanghai')).toBe(0);
    expect(hourIn('2026-12-01T16:30:00.000Z', 'Europe/London')).toBe(16);
    expect(utcTitle('2026-12-01T16:30:05.123Z')).toBe('2026-12-01 16:30:05 UTC');
  });
});
