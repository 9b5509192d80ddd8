import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeEvent, encodeEvent, schemaVersionOf } from './registry';
import { terminalSchemas } from './terminal/terminal.schemas';

const v1 = { terminalId: 'T0000001', merchantId: 'M00000000000001', businessDay: '2026-11-24', operatorId: '01', during: 'SIGN_ON', consecutiveFailures: 2, lockedOut: false };

describe('a versioned event type', () => {
  it('is written at its current version and read from any older one, each by the schema it was written with, then upcast', () => {
    expect(schemaVersionOf('OperatorAuthenticationFailed')).toBe(2);
    expect(encodeEvent('OperatorAuthenticationFailed', { ...v1, maxFailures: 5 })).toEqual({ schemaVersion: 2, payload: { ...v1, maxFailures: 5 } });
    expect(decodeEvent('OperatorAuthenticationFailed', 1, v1)).toEqual({ type: 'OperatorAuthenticationFailed', data: { ...v1, maxFailures: 3 } });
    expect(decodeEvent('OperatorAuthenticationFailed', 2, { ...v1, maxFailures: 5 })).toEqual({ type: 'OperatorAuthenticationFailed', data: { ...v1, maxFailures: 5 } });
  });

  it('refuses a payload that breaks the schema of the version it claims, and a version nobody wrote', () => {
    expect(() => decodeEvent('OperatorAuthenticationFailed', 1, { ...v1, consecutiveFailures: 0 })).toThrow(expect.objectContaining({ code: 'EVENT_PAYLOAD_INVALID', message: expect.stringContaining('v1: consecutiveFailures') }));
    // A v2 payload must carry what v2 added: only v1 payloads are upcast.
    expect(() => decodeEvent('OperatorAuthenticationFailed', 2, v1)).toThrow(expect.objectContaining({ code: 'EVENT_PAYLOAD_INVALID', message: expect.stringContaining('maxFailures') }));
    for (const version of [0, 3, 1.5, Number.NaN]) expect(() => decodeEvent('OperatorAuthenticationFailed', version, v1), String(version)).toThrow(expect.objectContaining({ code: 'EVENT_SCHEMA_VERSION_UNKNOWN' }));
    expect(() => decodeEvent('OperatorUnlocked', 2, {})).toThrow(expect.objectContaining({ code: 'EVENT_SCHEMA_VERSION_UNKNOWN' }));
    expect(() => decodeEvent('OperatorLockedOut', 1, {})).toThrow(expect.objectContaining({ code: 'EVENT_TYPE_UNKNOWN' }));
  });
});

describe("TerminalRegistered and the merchant's time zone", () => {
  const written = {
    terminalId: 'T0000001', merchantId: 'M00000000000001', businessDay: '2026-11-24', merchantName: 'Shop', currencies: [{ currency: 'CNY', maxAmount: '5000000' }],
    operatorIds: ['01'], batchNo: '000001',
    pricing: { planId: 'default', effectiveFrom: '2026-11-24', mdrBps: { BANK_CARD: 60, QR: 38 }, refundReturnsFee: false, payoutSchedule: 'T1', rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' } },
  };

  it('is an optional field of v1 read with its default: a registration written before zones were recorded reads as Asia/Shanghai', () => {
    expect(schemaVersionOf('TerminalRegistered')).toBe(1);
    expect(decodeEvent('TerminalRegistered', 1, written).data).toMatchObject({ merchantName: 'Shop', timeZone: 'Asia/Shanghai' });
    const { data } = decodeEvent('TerminalRegistered', 1, { ...written, timeZone: 'America/New_York' });
    expect(data).toMatchObject({ timeZone: 'America/New_York' });
    expect(encodeEvent('TerminalRegistered', data)).toEqual({ schemaVersion: 1, payload: { ...written, timeZone: 'America/New_York' } });
  });

  it('is read, and ignored, by a reader of the shape before it (an older release during a rolling upgrade)', () => {
    const { timeZone: _added, ...before } = terminalSchemas.TerminalRegistered.shape;
    const older = z.object(before);
    const read = older.safeParse({ ...written, timeZone: 'Europe/Berlin' });
    expect(read.success).toBe(true);
    expect(read.data).toMatchObject({ merchantName: 'Shop', batchNo: '000001' });
    expect(read.data).not.toHaveProperty('timeZone');
  });

  it('refuses a zone that is not an IANA name the host knows', () => {
    for (const timeZone of ['+08:00', 'asia/shanghai', 'Mars/Olympus_Mons', 'Asia/Shanghai ', '', 8])
      expect(() => decodeEvent('TerminalRegistered', 1, { ...written, timeZone }), String(timeZone)).toThrow(expect.objectContaining({ code: 'EVENT_PAYLOAD_INVALID', message: expect.stringContaining('timeZone') }));
  });
});
