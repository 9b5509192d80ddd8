import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from './hash-chain';
import { draftStoredEvent, storedEventHash } from './stored-event';

const context = { correlationId: 'c-1', causationId: 'c-0', actor: { type: 'terminal' as const, id: 'T0000001' } };
const sale = (n: number, extra: Record<string, unknown> = {}) => ({
  terminalId: 'T0000001', merchantId: 'M00000000000001', businessDay: '2026-11-24', stan: String(n).padStart(6, '0'), fingerprint: `fingerprint-of-request-${n}-${'x'.repeat(n % 7)}`,
  transactionId: `T0000001-26328${String(n).padStart(7, '0')}`, kind: 'SALE', method: n % 2 ? 'QR' : 'BANK_CARD', amount: BigInt(n * 37), currency: 'CNY',
  rrn: `26328${String(n).padStart(7, '0')}`, authCode: '123456', batchNo: '000001', operatorId: '01', capture: 'ONLINE', ...extra,
});

describe('a drafted event', () => {
  it('hashes exactly as a verifier recomputes it from the stored JSON, whatever the payload', () => {
    let prev = GENESIS_HASH;
    for (let n = 1; n <= 200; n++) {
      const data = sale(n, n % 3 === 0 ? { maskedPan: '411111******1111' } : n % 5 === 0 ? { originalRrn: undefined } : {});
      const d = draftStoredEvent('terminal-T0000001', n, { type: 'TransactionCompleted', data, context, occurredAt: new Date(Date.UTC(2026, 10, 24, 10, 0, n)) }, prev);
      // What a verifier has: the row as stored, payload and context parsed back from their JSON.
      const recomputed = storedEventHash({ ...d, payload: JSON.parse(d.payloadJson), context: JSON.parse(JSON.stringify(d.context)) });
      expect(recomputed).toBe(d.hash);
      expect(d.prevHash).toBe(prev);
      prev = d.hash;
    }
  });

  it('stores its payload as canonical JSON: sorted keys, amounts as strings, no undefined', () => {
    const d = draftStoredEvent('terminal-T0000001', 1, { type: 'TransactionCompleted', data: sale(7, { maskedPan: undefined }), context, occurredAt: new Date(0) }, GENESIS_HASH);
    const keys = Object.keys(JSON.parse(d.payloadJson));
    expect(keys).toEqual([...keys].sort());
    expect(JSON.parse(d.payloadJson)).toMatchObject({ amount: '259', stan: '000007' });
    expect(d.payloadJson).not.toContain('maskedPan');
    expect(d).toMatchObject({ topic: 'pos.terminal.events.v1', key: 'T0000001', version: 1, schemaVersion: 1 });
  });

  it('refuses data that breaks its contract before anything is hashed', () => {
    expect(() => draftStoredEvent('s', 1, { type: 'TransactionCompleted', data: { terminalId: 'nope' }, context, occurredAt: new Date(0) }, GENESIS_HASH)).toThrow(/EVENT_PAYLOAD_INVALID|TransactionCompleted/);
  });
});
