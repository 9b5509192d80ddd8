import { describe, expect, it } from 'vitest';
import { dayOfMmdd, IsoTerminalError } from './iso-terminal';

describe("a terminal's reading of field 15 (MMDD, no year)", () => {
  it('takes the day nearest to now, across a year end either way', () => {
    expect(dayOfMmdd('1202', new Date('2026-12-01T23:59:00Z'))).toBe('2026-12-02');
    expect(dayOfMmdd('0101', new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
    expect(dayOfMmdd('1231', new Date('2027-01-01T00:10:00Z'))).toBe('2026-12-31');
    expect(dayOfMmdd('0229', new Date('2028-02-28T12:00:00Z'))).toBe('2028-02-29');
    // Not 1 March of the common year 2027, although it is nearer.
    expect(dayOfMmdd('0229', new Date('2027-03-01T00:00:00Z'))).toBe('2028-02-29');
  });

  it('refuses what is not MMDD', () => {
    for (const bad of ['', '121', '12011', 'ab01', '1301', '0431', '0000']) expect(() => dayOfMmdd(bad, new Date())).toThrow(IsoTerminalError);
  });
});
