import { EventTypes, type LedgerEvent, type PayoutScheduled } from '@pos/contracts';
import type { RecordedEvent } from '@pos/kernel';
import { describe, expect, it } from 'vitest';
import type { DocumentStoreTx, StoreTx } from '../event-store.port';
import { diffCollections, digestCollection } from './digest';
import { BufferedDocuments, MemoryDocuments } from './documents';
import {
  activeCollection, applyLive, applyLiveBatch, generationCollection, projection, PROJECTION_REGISTRY, type ProjectionDefinition, type ProjectionState, queueCollection, queuedItems,
} from './projection';
import { applyReplayed, newCounts } from './replay';

const event = (id: string, terminalId: string, amount: bigint): RecordedEvent<PayoutScheduled> => ({
  type: 'PayoutScheduled',
  // The toy projection keys by merchant: here the "terminal" names it.
  data: { payoutId: id, merchantId: terminalId, currency: 'CNY', amount, payoutDate: '2026-11-25', batches: [] },
  metadata: {
    eventId: id, streamId: `s-${terminalId}`, version: 1, position: '1', occurredAt: '2026-11-24T10:00:00.000Z', schemaVersion: 1, prevHash: '', hash: '',
    correlationId: 'c', causationId: 'c', actor: { type: 'system', id: 'test' },
  },
});

/** A toy projection: per terminal, how many payouts and their sum. */
const counter: ProjectionDefinition = projection({
  name: 'counter',
  service: 'test',
  description: 'count and sum per terminal',
  source: { kind: 'log', topics: ['t'], consumerGroup: 'counter' },
  handles: EventTypes.of('PayoutScheduled'),
  apply: async (e, docs, collection) => {
    const d = e.data;
    if (d.amount < 0n) throw new Error('negative amounts are refused');
    const row = (await docs.get<{ n: number; sum: bigint }>(collection, d.merchantId)) ?? { n: 0, sum: 0n };
    await docs.put(collection, d.merchantId, { n: row.n + 1, sum: row.sum + d.amount });
  },
});

const txOver = (documents: DocumentStoreTx): StoreTx => ({ documents, lock: async () => undefined }) as unknown as StoreTx;

const building = (handover: Record<string, string>): ProjectionState => ({
  projection: 'counter',
  active: { generation: 1, collection: 'counter', since: '2026-11-24T00:00:00.000Z' },
  building: { generation: 2, collection: generationCollection('counter', 2), since: '2026-11-24T01:00:00.000Z', handover, owner: 'test' },
  lastGeneration: 2,
});

describe('live projectors and generations', () => {
  it('given no registry entry, when an event arrives, then it lands in generation 1 under the projection name', async () => {
    const docs = new MemoryDocuments();
    await applyLive(counter, event('e1', 'T1', 5n), { key: 't/0', offset: '0' }, txOver(docs));
    expect(await docs.get('counter', 'T1')).toEqual({ n: 1, sum: 5n });
    expect(generationCollection('counter', 1)).toBe('counter');
  });

  it('given a build with a handover, when events arrive, then only those at or after the handover also feed the new generation', async () => {
    const docs = new MemoryDocuments();
    await docs.put(PROJECTION_REGISTRY, 'counter', building({ 't/0': '5' }));
    await applyLive(counter, event('before', 'T1', 1n), { key: 't/0', offset: '4' }, txOver(docs));
    await applyLive(counter, event('at', 'T1', 10n), { key: 't/0', offset: '5' }, txOver(docs));
    // A partition the handover does not name had nothing at handover time: all of it is live's.
    await applyLive(counter, event('other', 'T2', 100n), { key: 't/1', offset: '0' }, txOver(docs));
    expect(await docs.get('counter', 'T1')).toEqual({ n: 2, sum: 11n });
    expect(await docs.get('counter~g2', 'T1')).toEqual({ n: 1, sum: 10n });
    expect(await docs.get('counter~g2', 'T2')).toEqual({ n: 1, sum: 100n });
  });

  it('given a build still replaying, when events past the handover arrive, then they are queued a batch at a time in live order, not applied to it', async () => {
    const docs = new MemoryDocuments();
    const state = building({ 't/0': '5' });
    await docs.put(PROJECTION_REGISTRY, 'counter', { ...state, building: { ...state.building!, replaying: true } });
    await applyLiveBatch([counter], [{ event: event('before', 'T1', 1n), at: { key: 't/0', offset: '4' } }, { event: event('at', 'T1', 10n), at: { key: 't/0', offset: '5' } }], txOver(docs));
    await applyLive(counter, event('next', 'T1', 7n), { key: 't/0', offset: '6' }, txOver(docs));
    expect(await docs.get('counter', 'T1')).toEqual({ n: 3, sum: 18n });
    // Applied now, these would read a generation the replay has not filled yet.
    expect(await docs.get('counter~g2', 'T1')).toBeUndefined();
    const queue = await docs.list<{ items: string }>(queueCollection(state.building!), '');
    expect(queue.map((q) => queuedItems(q.doc).map((i) => [i.event.metadata.eventId, i.at.offset, i.event.type === 'PayoutScheduled' && i.event.data.amount]))).toEqual([[['at', '5', 10n]], [['next', '6', 7n]]]);
    expect((await docs.get<ProjectionState>(PROJECTION_REGISTRY, 'counter'))?.building?.queued).toBe(2);
  });

  it('given an event of a type the projection does not handle, then it passes it by: nothing read, nothing written', async () => {
    const docs = new MemoryDocuments();
    const payout = event('e1', 'T1', 5n);
    const other: RecordedEvent<LedgerEvent> = { type: 'OperatorUnlocked', data: { terminalId: 'T1', merchantId: 'M00000000000001', businessDay: '2026-11-24', operatorId: '01' }, metadata: payout.metadata };
    await applyLiveBatch([counter], [{ event: other, at: { key: 't/0', offset: '0' } }], txOver(docs));
    expect(await docs.list('counter', '')).toEqual([]);
    await applyLiveBatch([counter], [{ event: payout, at: { key: 't/0', offset: '1' } }], txOver(docs));
    expect(await docs.list('counter', '')).toEqual([{ key: 'T1', doc: { n: 1, sum: 5n } }]);
  });

  it('given a registry entry, when a query asks, then it reads the active generation', async () => {
    const docs = new MemoryDocuments();
    await docs.put(PROJECTION_REGISTRY, 'counter', { ...building({}), active: { generation: 3, collection: 'counter~g3', since: 'x' } });
    const store = { getDocument: (c: string, k: string) => docs.get(c, k), listDocuments: (c: string, p: string) => docs.list(c, p) } as never;
    expect(await activeCollection(store, 'counter')).toBe('counter~g3');
  });
});

describe('replaying into a buffer', () => {
  it('given buffered writes, when not flushed, then the backing documents do not change; when flushed, each touched document is written once', async () => {
    const backing = new MemoryDocuments();
    const buffer = new BufferedDocuments(backing);
    await counter.apply(event('e1', 'T1', 1n), buffer, 'c');
    await counter.apply(event('e2', 'T1', 2n), buffer, 'c');
    expect(await backing.get('c', 'T1')).toBeUndefined();
    expect(await buffer.flush()).toBe(1);
    expect(await backing.get('c', 'T1')).toEqual({ n: 2, sum: 3n });
  });

  it('given duplicates and a refused event, when replayed, then each event applies once and the refused one is skipped whole', async () => {
    const docs = new MemoryDocuments();
    const counts = newCounts();
    const at = (offset: number) => ({ key: 't/0', offset: String(offset) });
    await applyReplayed(
      [
        { at: at(0), event: event('e1', 'T1', 5n) },
        { at: at(1), event: event('e1', 'T1', 5n) },
        { at: at(2), event: event('bad', 'T1', -1n) },
        { at: at(3), rejected: { code: 'EVENT_TYPE_UNKNOWN', message: 'unknown event type' } },
        { at: at(4), event: event('e2', 'T1', 7n) },
      ],
      docs,
      (e, d) => counter.apply(e, d, 'counter'),
      new Set(),
      counts,
    );
    expect(await docs.get('counter', 'T1')).toEqual({ n: 2, sum: 12n });
    expect(counts).toMatchObject({ read: 5, applied: 2, duplicates: 1, skipped: 2 });
    expect(counts.skippedEvents.map((s) => s.code)).toEqual(['APPLY_FAILED', 'EVENT_TYPE_UNKNOWN']);
  });
});

describe('digests', () => {
  it('given the same documents written in another order, then the digests are equal; given one changed amount, then they differ and the diff names it', async () => {
    const docs = new MemoryDocuments();
    await docs.put('a', 'T1', { n: 1, sum: 5n });
    await docs.put('a', 'T2', { n: 2, sum: 7n });
    await docs.put('b', 'T2', { sum: 7n, n: 2 });
    await docs.put('b', 'T1', { n: 1, sum: 5n });
    expect(await digestCollection(docs, 'a')).toEqual(await digestCollection(docs, 'b'));
    await docs.put('b', 'T2', { n: 2, sum: 8n });
    await docs.put('b', 'T3', { n: 1, sum: 1n });
    expect((await digestCollection(docs, 'a')).digest).not.toBe((await digestCollection(docs, 'b')).digest);
    expect(await diffCollections(docs, 'a', 'b')).toEqual([
      { key: 'T2', left: { n: 2, sum: '7' }, right: { n: 2, sum: '8' } },
      { key: 'T3', right: { n: 1, sum: '1' } },
    ]);
  });
});
