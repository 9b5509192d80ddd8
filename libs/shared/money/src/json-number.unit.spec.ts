import { describe, expect, it } from 'vitest';
import { keepNumberLiterals, NumberLiteral } from './json-number';

const parse = (text: string) => JSON.parse(text, keepNumberLiterals) as Record<string, unknown>;

describe('reading JSON numbers from their text', () => {
  it('keeps plain safe integers as numbers', () => {
    expect(parse('{"a": 1000, "b": -5, "c": 0, "d": [9007199254740991]}')).toEqual({ a: 1000, b: -5, c: 0, d: [9007199254740991] });
  });

  it.each(['1e3', '1E3', '1.0', '12.5', '10e-1', '1e0', '-0.0', '9007199254740993', '123456789012345678'])('keeps %s as its text, not the float JSON.parse makes of it', (literal) => {
    const { a } = parse(`{"a": ${literal}}`);
    expect(a).toBeInstanceOf(NumberLiteral);
    expect((a as NumberLiteral).text).toBe(literal);
  });

  it('leaves strings, booleans and null alone', () => {
    expect(parse('{"a": "1e3", "b": true, "c": null}')).toEqual({ a: '1e3', b: true, c: null });
  });
});
