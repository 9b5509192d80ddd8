import { describe, expect, it } from 'vitest';
import { isValidLuhn, luhnCheckDigit, randomPan } from './luhn';
import { createPrng } from '@pos/kernel';

describe('Luhn', () => {
  it('computes check digits of known numbers', () => {
    expect(luhnCheckDigit('7992739871')).toBe('3');
    expect(isValidLuhn('79927398713')).toBe(true);
    expect(isValidLuhn('4111111111111111')).toBe(true);
    expect(isValidLuhn('6222021234567890')).toBe(false);
  });

  it('rejects a single changed digit and a swap of adjacent digits', () => {
    expect(isValidLuhn('4111111111111112')).toBe(false);
    expect(isValidLuhn('79927398731')).toBe(false);
    expect(isValidLuhn('41111111111111x1')).toBe(false);
  });

  it('generates valid 16-digit PANs, deterministically', () => {
    const p = createPrng(9);
    const pans = Array.from({ length: 500 }, () => randomPan(p));
    for (const pan of pans) {
      expect(pan).toMatch(/^62\d{14}$/);
      expect(isValidLuhn(pan)).toBe(true);
    }
    const q = createPrng(9);
    expect(Array.from({ length: 500 }, () => randomPan(q))).toEqual(pans);
  });
});
