import type { BatchSettled, OperatorAuthenticationFailed, TerminalSignedOn, TransactionCompleted } from '@pos/contracts';
import type { Actor, Event, RecordedEvent } from '@pos/kernel';
import { describe, expect, it } from 'vitest';
import { auditEntryOf, auditTrailKey, auditTrailKeyPrefix, inCausalOrder, projectAuditTrail } from './audit-trail.projection';

const DAY = '2025-03-14';
const M = 'M001';
const T = 'T0000001';
const OPERATOR: Actor = { type: 'operator', id: '01' };

const recorded = <E extends Event>(
  type: E['type'],
  data: E['data'],
  meta: { streamId?: string; version: number; occurredAt: string; actor?: Actor },
): RecordedEvent<Event<E['type'], E['data']>> => ({
  type,
  data,
  metadata: {
    eventId: `evt-${meta.streamId ?? 'terminal'}-${meta.version}`,
    streamId: meta.streamId ?? `terminal-${T}`,
    version: meta.version,
    occurredAt: meta.occurredAt,
    actor: meta.actor ?? { type: 'terminal', id: T },
    correlationId: `corr-${meta.version}`,
    causationId: `cause-${meta.version}`,
    schemaVersion: 1,
    position: String(meta.version),
    prevHash: `hash-${meta.version - 1}`,
    hash: `hash-${meta.version}`,
  },
});

const signedOn = (version: number, occurredAt: string, terminalId = T, businessDay = DAY) =>
  recorded<TerminalSignedOn>(
    'TerminalSignedOn',
    { terminalId, merchantId: M, businessDay, stan: '000001', fingerprint: 'fp', operatorId: '01', batchNo: '000001' },
    { version, occurredAt, actor: OPERATOR },
  );

const sale = (version: number, occurredAt: string, amount: bigint) =>
  recorded<TransactionCompleted>(
    'TransactionCompleted',
    {
      terminalId: T,
      merchantId: M,
      businessDay: DAY,
      stan: '000002',
      fingerprint: 'fp2',
      transactionId: `${T}-000000000001`,
      kind: 'SALE',
      method: 'BANK_CARD',
      amount,
      currency: 'CNY',
      rrn: '000000000001',
      authCode: '123456',
      batchNo: '000001',
      operatorId: '01',
      maskedPan: '622202******1234',
      capture: 'ONLINE',
    },
    { version, occurredAt, actor: OPERATOR },
  );

describe('audit trail', () => {
  it('an entry carries the actor, the hash chain links and the stream position', () => {
    const event = signedOn(3, '2025-03-14T08:00:00.000Z');
    const keyed = auditEntryOf(event);
    expect(keyed).toBeDefined();
    expect(keyed!.entry).toEqual({
      terminalId: T,
      businessDay: DAY,
      eventId: `evt-terminal-3`,
      type: 'TerminalSignedOn',
      occurredAt: '2025-03-14T08:00:00.000Z',
      actor: { type: 'operator', id: '01' },
      streamId: `terminal-${T}`,
      version: 3,
      correlationId: 'corr-3',
      causationId: 'cause-3',
      schemaVersion: 1,
      hash: 'hash-3',
      prevHash: 'hash-2',
      data: event.data,
    });
    expect(keyed!.key).toBe(`${T}|${DAY}|2025-03-14T08:00:00.000Z|terminal-${T}|0000000003`);
  });

  it('an entry of an event stored at an older version says its data is in the current one (it was upcast on read)', () => {
    const data = { terminalId: T, merchantId: M, businessDay: DAY, operatorId: '01', during: 'SIGN_ON' as const, consecutiveFailures: 1, maxFailures: 3, lockedOut: false };
    const stored = recorded<OperatorAuthenticationFailed>('OperatorAuthenticationFailed', data, { version: 5, occurredAt: '2025-03-14T08:01:00.000Z' });
    expect(stored.metadata.schemaVersion).toBe(1);
    expect(auditEntryOf(stored)!.entry).toMatchObject({ schemaVersion: 2, data });
  });

  it('amounts are stringified so the entry survives JSON', () => {
    const keyed = auditEntryOf(sale(4, '2025-03-14T08:05:00.000Z', 12_345_678_901_234_567_890n))!;
    const data = keyed.entry.data as Record<string, unknown>;
    expect(data.amount).toBe('12345678901234567890');
    expect(data.maskedPan).toBe('622202******1234');
    expect(JSON.parse(JSON.stringify(keyed.entry)).data.amount).toBe('12345678901234567890');
  });

  it('bigints nested in arrays and objects are stringified too', () => {
    const settled = recorded<BatchSettled>(
      'BatchSettled',
      {
        settlementId: 'S1',
        terminalId: T,
        merchantId: M,
        batchNo: '000001',
        businessDay: DAY,
        closeResult: 'BALANCED',
        pricingPlanId: 'P1',
        roundingRule: 'PER_TRANSACTION_HALF_UP',
        refundReturnsFee: false,
        payoutSchedule: 'D0',
        payoutDate: DAY,
        lines: [],
        totals: [{ currency: 'CNY', gross: 100_00n, fees: 60n, net: 99_40n }],
        postings: [{ account: 'FEE_INCOME', side: 'CREDIT', amount: 60n, currency: 'CNY' }],
      },
      { streamId: `settlement-${T}-${DAY}-000001`, version: 1, occurredAt: '2025-03-14T23:00:00.000Z', actor: { type: 'system', id: 'settlement' } },
    );
    const { entry } = auditEntryOf(settled)!;
    expect(entry.data).toMatchObject({
      totals: [{ currency: 'CNY', gross: '10000', fees: '60', net: '9940' }],
      postings: [{ account: 'FEE_INCOME', amount: '60' }],
    });
    expect(entry.actor).toEqual({ type: 'system', id: 'settlement' });
  });


  it('keys sort in the order events occurred, version padded so 10 sorts after 9', () => {
    const events = [
      sale(10, '2025-03-14T09:00:00.000Z', 1n),
      signedOn(9, '2025-03-14T09:00:00.000Z'),
      signedOn(2, '2025-03-14T07:00:00.000Z'),
      sale(11, '2025-03-14T10:00:00.000Z', 2n),
    ];
    const keys = events.map((e) => auditEntryOf(e)!.key);
    expect([...keys].sort().map((k) => k.slice(-10))).toEqual(['0000000002', '0000000009', '0000000010', '0000000011']);
    expect(projectAuditTrail(events).map((k) => k.entry.version)).toEqual([2, 9, 10, 11]);
  });

  it('an effect that shares its cause\'s occurred-at is listed after it, whatever its stream is called', () => {
    const at = '2025-03-14T23:00:00.000Z';
    const settlementStream = `settlement-${T}-${DAY}-000001`;
    const closed = recorded('BatchClosed', { terminalId: T, businessDay: DAY, batchNo: '000001' }, { version: 12, occurredAt: at });
    const caused = (type: string, version: number) => {
      const e = recorded(type, { terminalId: T, businessDay: DAY, batchNo: '000001' }, { streamId: settlementStream, version, occurredAt: at });
      return { ...e, metadata: { ...e.metadata, causationId: closed.metadata.eventId } };
    };
    const later = sale(13, '2025-03-14T23:00:01.000Z', 1n);
    const trail = projectAuditTrail([caused('PayoutScheduled', 2), later, closed, caused('BatchSettled', 1), signedOn(11, '2025-03-14T22:00:00.000Z')]).map((k) => k.entry);
    // By key alone, 'settlement-' sorts before 'terminal-': the settlement would come first.
    expect(trail.map((e) => e.type)).toEqual(['TerminalSignedOn', 'BatchSettled', 'PayoutScheduled', 'BatchClosed', 'TransactionCompleted']);
    expect(inCausalOrder(trail).map((e) => e.type)).toEqual(['TerminalSignedOn', 'BatchClosed', 'BatchSettled', 'PayoutScheduled', 'TransactionCompleted']);
  });

  it('a cause listed after its effect by time (a skewed clock) still comes first; entries without causes in the trail keep key order', () => {
    const effect = { eventId: 'e', causationId: 'c', streamId: 'b', version: 1 };
    const cause = { eventId: 'c', causationId: 'x', streamId: 'a', version: 5 };
    const next = { eventId: 'n', causationId: 'y', streamId: 'b', version: 2 };
    const other = { eventId: 'o', causationId: 'z', streamId: 'z', version: 1 };
    expect(inCausalOrder([effect, next, other, cause]).map((e) => e.eventId)).toEqual(['o', 'c', 'e', 'n']);
    // Corrupt data (each the other's cause) loses nothing.
    expect(inCausalOrder([{ ...effect, causationId: 'c' }, { ...cause, causationId: 'e' }]).map((e) => e.eventId).sort()).toEqual(['c', 'e']);
  });

  it('an occurredAt with an offset is keyed by its UTC instant so it sorts correctly', () => {
    const key = auditTrailKey({ terminalId: T, businessDay: DAY, occurredAt: '2025-03-14T10:00:00+08:00', streamId: 's', version: 1 });
    expect(key).toBe(`${T}|${DAY}|2025-03-14T02:00:00.000Z|s|0000000001`);
  });

  it('a day prefix lists only that terminal and that day', () => {
    const prefix = auditTrailKeyPrefix(T, DAY);
    expect(prefix).toBe(`${T}|${DAY}|`);
    const trail = projectAuditTrail([
      signedOn(1, '2025-03-14T07:00:00.000Z'),
      signedOn(2, '2025-03-15T07:00:00.000Z', T, '2025-03-15'),
      signedOn(3, '2025-03-14T07:00:00.000Z', 'T00000010'),
    ]);
    expect(trail.filter((k) => k.key.startsWith(prefix)).map((k) => k.entry.version)).toEqual([1]);
  });

  it('events without a terminal and business day give no entry', () => {
    const unrelated = recorded('MerchantOnboarded', { merchantId: M }, { version: 1, occurredAt: '2025-03-14T00:00:00.000Z' });
    expect(auditEntryOf(unrelated)).toBeUndefined();
    expect(auditEntryOf(recorded('Odd', null, { version: 1, occurredAt: '2025-03-14T00:00:00.000Z' }))).toBeUndefined();
    expect(auditEntryOf(recorded('NoDay', { terminalId: T }, { version: 1, occurredAt: '2025-03-14T00:00:00.000Z' }))).toBeUndefined();
    expect(projectAuditTrail([unrelated])).toEqual([]);
  });

  it('any event type naming a terminal and day gets an entry', () => {
    const custom = recorded('ReconciliationBreakDetected', { terminalId: T, businessDay: DAY, amount: 5n }, { version: 1, occurredAt: '2025-03-14T12:00:00.000Z' });
    expect(auditEntryOf(custom)?.entry).toMatchObject({ type: 'ReconciliationBreakDetected', data: { amount: '5' } });
  });
});
