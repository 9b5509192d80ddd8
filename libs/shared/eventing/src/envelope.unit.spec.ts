import { describe, expect, it } from 'vitest';
import { fromLogMessage, PoisonMessageError, toLogMessage } from './envelope';
import { recordedFromDraft, draftStoredEvent } from './stored-event';
import { GENESIS_HASH } from './hash-chain';

const context = { correlationId: 'c-1', causationId: 'c-0', actor: { type: 'admin' as const, id: 'back-office' } };
const data = { terminalId: 'T0000001', merchantId: 'M00000000000001', businessDay: '2026-11-24', operatorId: '01' };
const draft = draftStoredEvent('terminal-T0000001', 1, { type: 'OperatorUnlocked', data, context, occurredAt: new Date('2026-11-24T10:00:00Z') }, GENESIS_HASH);
const event = recordedFromDraft(draft, data, '7');
const good = toLogMessage(event);
const withMetadata = (patch: Record<string, unknown>) => {
  const raw = JSON.parse(good.value);
  return { ...good, value: JSON.stringify({ ...raw, metadata: { ...raw.metadata, ...patch } }) };
};

describe('a published event read back', () => {
  it('is the event as recorded, metadata field by field', () => {
    expect(fromLogMessage(good)).toEqual(event);
  });

  it('keeps a back-office token actor whole: its id, name and the role it acted in', () => {
    const actor = { type: 'token' as const, id: 'tk-0123456789abcdef', name: 'anna', role: 'operations' };
    const byToken = recordedFromDraft(draftStoredEvent('terminal-T0000001', 1, { type: 'OperatorUnlocked', data, context: { ...context, actor }, occurredAt: new Date('2026-11-24T10:00:00Z') }, GENESIS_HASH), data, '7');
    expect(fromLogMessage(toLogMessage(byToken)).metadata.actor).toEqual(actor);
  });

  it('is refused as malformed when its metadata is not what every writer writes, naming the field', () => {
    for (const [patch, field] of [
      [{ occurredAt: undefined }, 'metadata.occurredAt'],
      [{ hash: 42 }, 'metadata.hash'],
      [{ version: '1' }, 'metadata.version'],
      [{ actor: { type: 'root', id: 'x' } }, 'metadata.actor.type'],
      [{ actor: 'admin' }, 'metadata.actor'],
      [{ actor: { type: 'token', id: 'tk-1', role: 7 } }, 'metadata.actor.role'],
      [{ correlationId: null }, 'metadata.correlationId'],
    ] as const) {
      const read = () => fromLogMessage(withMetadata(patch));
      expect(read, field).toThrow(PoisonMessageError);
      expect(read, field).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED', message: expect.stringContaining(field) }));
    }
  });
});
