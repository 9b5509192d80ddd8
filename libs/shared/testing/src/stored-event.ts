import { type LedgerEventType, schemaVersionOf } from '@pos/contracts';
import { GENESIS_HASH } from '@pos/eventing';
import type { RecordedEvent } from '@pos/kernel';
import { expect } from 'vitest';

const HASH = /^[0-9a-f]{64}$/;

/**
 * A stored event whole, for `toEqual`: type, data and metadata. What the store and the clock
 * make up (event id, position, hashes, instant, correlation) is matched by shape unless given;
 * the first event of a stream chains from the genesis hash; new events are written at their current version.
 */
export const storedEvent = (
  type: LedgerEventType,
  data: object,
  metadata: Pick<RecordedEvent['metadata'], 'streamId' | 'version' | 'actor'> & Partial<RecordedEvent['metadata']>,
): RecordedEvent =>
  ({
    type,
    data,
    metadata: {
      eventId: expect.any(String),
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      schemaVersion: schemaVersionOf(type),
      correlationId: expect.any(String),
      causationId: expect.any(String),
      position: expect.stringMatching(/^\d+$/),
      prevHash: metadata.version === 1 ? GENESIS_HASH : expect.stringMatching(HASH),
      hash: expect.stringMatching(HASH),
      ...metadata,
    },
  }) as RecordedEvent;
