import { randomUUID } from 'node:crypto';
import { EventTypes, type OperatorAuthenticationFailed, TERMINAL_EVENTS, TOPICS } from '@pos/contracts';
import { applyLiveBatch, fromLogMessage, type NewEvent, projection, replayIntoMemory, sourceEnd, StoreSubscription, storePosition } from '@pos/eventing';
import type { EventContext } from '@pos/kernel';
import { expect, it } from 'vitest';
import type { StoreHarness } from './event-store.contract';
import type { WrittenEvent } from './raw-store';

const STREAM = 'terminal-T0000001';
const context: EventContext = { correlationId: 'corr-1', causationId: 'cause-1', actor: { type: 'terminal', id: 'T0000001' } };
const scope = { terminalId: 'T0000001', merchantId: 'M00000000000001', businessDay: '2026-11-24', operatorId: '01', during: 'SIGN_ON' } as const;

/** OperatorAuthenticationFailed as releases before v2 wrote it: no maxFailures, schema version 1. */
const writtenAtV1 = (consecutiveFailures: number): WrittenEvent => ({
  eventId: randomUUID(),
  type: 'OperatorAuthenticationFailed',
  schemaVersion: 1,
  payload: { ...scope, consecutiveFailures, lockedOut: consecutiveFailures >= 3 },
  context,
  occurredAt: `2026-11-24T10:0${consecutiveFailures}:00.000Z`,
  topic: TOPICS.terminal,
  key: 'T0000001',
});

const failedNow = (data: OperatorAuthenticationFailed['data']): NewEvent => ({ type: 'OperatorAuthenticationFailed', data, context, occurredAt: new Date('2026-11-24T11:00:00Z') });

/** A read model of the lockout limits, to see what projections are handed. */
const limits = projection({
  name: 'limits',
  service: 'test',
  description: 'the lockout limit each failure was judged by',
  source: { kind: 'store', subscription: 'limits' },
  handles: EventTypes.of('OperatorAuthenticationFailed'),
  apply: async (e, docs, collection) => docs.put(collection, String(e.metadata.version).padStart(3, '0'), { failures: e.data.consecutiveFailures, maxFailures: e.data.maxFailures }),
});

/**
 * Events are versioned by upcasting: rows an older release wrote at v1 stay as written (their
 * hash covers those bytes) and every reader sees them as v2, while new events are written at v2.
 */
export const upcastingContract = (harness: () => StoreHarness): void => {
  it('reads OperatorAuthenticationFailed written at v1 as v2 everywhere: reads, the outbox, projections and replays; appends are v2', async () => {
    const { store, raw } = harness();
    await raw.appendWritten(STREAM, [writtenAtV1(1), writtenAtV1(2)]);
    expect(await store.verifyStream(STREAM)).toEqual({ streamId: STREAM, events: 2, ok: true });
    await store.transaction((tx) => tx.events.append(STREAM, 2, [failedNow({ ...scope, consecutiveFailures: 3, maxFailures: 5, lockedOut: false })]));

    // Reads: the v1 rows upcast (every v1 event was judged by the fixed limit of 3), the new one as written; metadata keeps the stored version.
    const read = await store.readStream(STREAM, TERMINAL_EVENTS);
    expect(read.map(({ type, data }) => ({ type, data }))).toEqual([
      { type: 'OperatorAuthenticationFailed', data: { ...scope, consecutiveFailures: 1, maxFailures: 3, lockedOut: false } },
      { type: 'OperatorAuthenticationFailed', data: { ...scope, consecutiveFailures: 2, maxFailures: 3, lockedOut: false } },
      { type: 'OperatorAuthenticationFailed', data: { ...scope, consecutiveFailures: 3, maxFailures: 5, lockedOut: false } },
    ]);
    expect(read.map((e) => e.metadata.schemaVersion)).toEqual([1, 1, 2]);
    expect(await store.readAll('0', 10)).toEqual(read);
    expect(await store.verifyStream(STREAM)).toEqual({ streamId: STREAM, events: 3, ok: true });

    // The outbox publishes each as stored, with its version; a consumer reads it as v2.
    const published: Array<{ version: string | undefined; payload: unknown; event: unknown }> = [];
    await store.publishOutbox(10, async (records) => {
      for (const r of records) published.push({ version: r.message.headers['schema-version'], payload: JSON.parse(r.message.value).data, event: fromLogMessage(r.message) });
    });
    expect(published.map((p) => p.version)).toEqual(['1', '1', '2']);
    expect(published[0].payload).toEqual({ ...scope, consecutiveFailures: 1, lockedOut: false });
    expect(published.map((p) => p.event)).toEqual(read);

    // Projections, live and replayed, are handed v2.
    const live = new StoreSubscription(store, 'limits', (events, tx) => applyLiveBatch([limits], events.map((event) => ({ event, at: storePosition(event) })), tx), { error: () => undefined });
    expect(await live.catchUp()).toBe(3);
    const expected = [
      { key: '001', doc: { failures: 1, maxFailures: 3 } },
      { key: '002', doc: { failures: 2, maxFailures: 3 } },
      { key: '003', doc: { failures: 3, maxFailures: 5 } },
    ];
    expect(await store.listDocuments('limits', '')).toEqual(expected);
    const replay = await replayIntoMemory(limits, { store }, { until: await sourceEnd(limits, { store }) });
    expect(replay.counts).toMatchObject({ read: 3, applied: 3, skipped: 0 });
    expect(await replay.docs.list(replay.collection, '')).toEqual(expected);
  });
};
