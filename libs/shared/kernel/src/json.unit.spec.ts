import { describe, expect, it } from 'vitest';
import { toJsonSafe } from './json';

describe('JSON-safe values', () => {
  it('toJsonSafe handles negatives, drops undefined members and refuses what JSON cannot hold', () => {
    expect(toJsonSafe({ a: -5n, b: undefined, c: [1n, null, true] })).toEqual({ a: '-5', c: ['1', null, true] });
    expect(() => toJsonSafe({ x: Number.NaN })).toThrow(/JSON-safe/);
    expect(() => toJsonSafe({ f: () => 1 })).toThrow(/JSON-safe/);
  });
});
