import { describe, expect, it } from 'vitest';
import { formatMoney, majorUnitsDecimal, money, parseCurrency, parseMinorUnits } from './money';

describe('parsing amounts', () => {
  it('accepts JSON integers and digit strings as minor units', () => {
    expect(parseMinorUnits(1234)).toBe(1234n);
    expect(parseMinorUnits('123456789012345678')).toBe(123456789012345678n);
  });
  it.each([[12.5], ['12.50'], ['1e3'], ['-5'], [-5], [Number.MAX_SAFE_INTEGER + 2], [NaN], [null], [''], ['0012']])(
    'refuses %s',
    (raw) => {
      expect(() => parseMinorUnits(raw)).toThrow(/not an integer number of minor units/);
    },
  );
  it('refuses unknown currencies', () => {
    expect(parseCurrency('CNY')).toBe('CNY');
    expect(() => parseCurrency('XXX')).toThrow(/ISO 4217/);
    expect(() => parseCurrency('cny')).toThrow(/ISO 4217/);
  });
  it('formats by the currency exponent', () => {
    expect(formatMoney(money(1234n, 'CNY'))).toBe('12.34 CNY');
    expect(formatMoney(money(5n, 'CNY'))).toBe('0.05 CNY');
    expect(formatMoney(money(-1234n, 'JPY'))).toBe('-1234 JPY');
    expect(formatMoney(money(1234n, 'KWD'))).toBe('1.234 KWD');
    expect(majorUnitsDecimal(money(-5n, 'KWD'))).toBe('-0.005');
    expect(majorUnitsDecimal(money(999999999999999999n, 'CNY'))).toBe('9999999999999999.99');
  });
});
