import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, schemaVersionOf } from './registry';

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
