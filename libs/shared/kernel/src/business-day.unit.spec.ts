import { describe, expect, it } from 'vitest';
import { isBusinessDay } from './business-day';

describe('isBusinessDay', () => {
  it('accepts real calendar dates, leap days included, from year 0000 to 9999', () => {
    for (const day of ['2026-11-24', '2024-02-29', '2000-02-29', '0000-01-01', '0099-12-31', '9999-12-31']) expect(isBusinessDay(day), day).toBe(true);
  });
  it('refuses dates that do not exist, without throwing, and anything not YYYY-MM-DD', () => {
    for (const day of ['2026-13-45', '2026-02-30', '2026-11-31', '1900-02-29', '2026-00-10', '2026-01-00', '2026-1-01', '20261124', '2026-11-24T00:00:00Z', ' 2026-11-24', ''])
      expect(isBusinessDay(day), day).toBe(false);
  });
});
