import { amountAccepted, calendarDay, parsedApart } from '@pos/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonSchemaOf, parseQuery } from './openapi';

describe('jsonSchemaOf', () => {
  it('documents a field parsed apart as the form it accepts, not the lenient form the request schema reads', () => {
    const lenient = parsedApart(z.union([z.number(), z.string()]), amountAccepted(1, 12));
    const schema = jsonSchemaOf(z.object({ amount: lenient, note: z.string().optional() })) as any;
    expect(schema.$schema).toBeUndefined();
    expect(schema.required).toEqual(['amount']);
    expect(schema.properties.amount.anyOf).toEqual([
      { type: 'integer', minimum: 1, maximum: 999_999_999_999 },
      { type: 'string', pattern: '^([1-9][0-9]{0,11})$' },
    ]);
    // The lenient schema still reads what the field's own parser must judge.
    expect(lenient.safeParse('0').success).toBe(true);
  });

  it('documents a business day of a query as a calendar date', () => {
    expect(jsonSchemaOf(calendarDay)).toMatchObject({ type: 'string', format: 'date' });
  });
});

describe('parseQuery', () => {
  it('refuses 2026-13-45 and names the parameter: QUERY_INVALID', () => {
    const query = z.object({ businessDay: calendarDay });
    expect(parseQuery(query, { businessDay: '2026-02-28' })).toEqual({ businessDay: '2026-02-28' });
    expect(() => parseQuery(query, { businessDay: '2026-13-45' })).toThrow(expect.objectContaining({ code: 'QUERY_INVALID', message: expect.stringContaining('businessDay') }));
  });
});
