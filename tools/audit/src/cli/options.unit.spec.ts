import { describe, expect, it } from 'vitest';
import { batchNo, businessDay, format, instant, merchantId, offsets, positiveInt, terminalId } from './options';

describe('command-line option parsers', () => {
  it('accept real business days and refuse impossible or malformed ones', () => {
    expect(businessDay('2024-02-29')).toBe('2024-02-29');
    for (const bad of ['2026-13-45', '2026-02-30', '2025-02-29', '24-11-2026', '2026-1-5', ''])
      expect(() => businessDay(bad), bad).toThrow(expect.objectContaining({ code: 'BUSINESS_DAY_INVALID', exitCode: 2 }));
  });

  it('take instants only with their zone, so one command means one instant everywhere', () => {
    expect(instant('2026-11-23T18:00:00+08:00').toISOString()).toBe('2026-11-23T10:00:00.000Z');
    expect(instant('2026-11-23T10:00:00.5Z').toISOString()).toBe('2026-11-23T10:00:00.500Z');
    expect(instant('2026-11-23T10:00:00.250000000-05:30').toISOString()).toBe('2026-11-23T15:30:00.250Z');
    for (const bad of ['2026-11-23T18:00:00', 'yesterday 18:00', '2026-11-23', '2026-11-33T10:00:00Z', '2026-11-31T23:59:59Z', '2026-02-30T00:00:00Z', '2026-11-23T23:60:00Z', '2026-11-23T10:00:00+24:00', '2026-11-23T10:00:00.0001Z'])
      expect(() => instant(bad), bad).toThrow(expect.objectContaining({ code: 'INSTANT_INVALID', message: expect.stringMatching(/ISO-8601 instant with its zone/) }));
  });

  it('read offsets as one number for every partition, or per topic partition, and refuse anything else', () => {
    expect(offsets('120')).toEqual({ all: '120' });
    expect(offsets('pos.terminal.events.v1/0=120, pos.terminal.events.v1/2=7')).toEqual({ each: { 'pos.terminal.events.v1/0': '120', 'pos.terminal.events.v1/2': '7' } });
    for (const bad of ['-1', 'abc', 'topic=3', 'topic/1=x']) expect(() => offsets(bad), bad).toThrow(expect.objectContaining({ code: 'OFFSET_INVALID' }));
  });

  it('check identifiers, counts and formats', () => {
    expect(terminalId('S00B0000')).toBe('S00B0000');
    expect(() => terminalId('s00b0000')).toThrow(/terminal id/);
    expect(merchantId('M00B00000000000')).toBe('M00B00000000000');
    expect(() => merchantId('M1')).toThrow(/merchant id/);
    expect(batchNo('000001')).toBe('000001');
    expect(() => batchNo('1')).toThrow(/batch number/);
    expect(positiveInt('500')).toBe(500);
    for (const bad of ['0', '-3', '1.5']) expect(() => positiveInt(bad), bad).toThrow(expect.objectContaining({ code: 'NUMBER_INVALID' }));
    expect(format('csv')).toBe('csv');
    expect(() => format('xml')).toThrow(/table, csv, json/);
  });
});
