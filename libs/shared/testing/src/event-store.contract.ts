import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEDGER_EVENTS, TERMINAL_EVENTS } from '@pos/contracts';
import { waitFor } from './wait';
import { ConcurrencyError, type EventContext } from '@pos/kernel';
import { checkpointTree, contentOfLogMessage, fromLogMessage, GENESIS_HASH, type NewEvent, type ServiceStore, STORE_START, StoreSubscription } from '@pos/eventing';
import type { RawStore } from './raw-store';
import { upcastingContract } from './upcasting.contract';

export interface StoreHarness {
  store: ServiceStore;
  /** The same database, written behind the store's back. */
  raw: RawStore;
  dispose(): Promise<void>;
  /** Transactions now waiting for a named lock; none for a store that runs one transaction at a time. */
  lockWaiters?(): Promise<number>;
}

const ctx: EventContext = { correlationId: 'corr-1', causationId: 'cause-1', actor: { type: 'system', id: 'test' } };

const unlocked = (terminalId: string, operatorId = '01'): NewEvent => ({
  type: 'OperatorUnlocked',
  data: { terminalId, merchantId: 'M00000000000001', businessDay: '2026-11-24', operatorId },
  context: ctx,
  occurredAt: new Date('2026-11-24T10:00:00Z'),
});

const payout = (amount: bigint): NewEvent => ({
  type: 'PayoutScheduled',
  data: {
    payoutId: 'p1', merchantId: 'M00000000000001', currency: 'CNY', amount, payoutDate: '2026-11-25',
    batches: [{ settlementId: 's1', terminalId: 'T0000001', batchNo: '000001', businessDay: '2026-11-24', schedule: 'T1', payoutDate: '2026-11-25', amount }],
  },
  context: ctx,
  occurredAt: new Date('2026-11-24T10:00:00Z'),
});

/** One contract, every adapter: the embedded SQLite store and the PostgreSQL store must both pass it. */
export const eventStoreContract = (name: string, open: () => Promise<StoreHarness>): void => {
  describe(`${name} honours the event store contract`, () => {
    let h: StoreHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('appends with an expected version and reads the stream back in order with metadata', async () => {
      await h.store.transaction((tx) => tx.events.append('terminal-T0000001', 0, [unlocked('T0000001', '01'), unlocked('T0000001', '02')]));
      const events = await h.store.readStream('terminal-T0000001', LEDGER_EVENTS);
      expect(events.map((e) => [e.metadata.version, (e.data as { operatorId: string }).operatorId])).toEqual([[1, '01'], [2, '02']]);
      expect(events[0].metadata).toMatchObject({ streamId: 'terminal-T0000001', correlationId: 'corr-1', actor: { type: 'system', id: 'test' }, schemaVersion: 1 });
      expect(events[1].metadata.prevHash).toBe(events[0].metadata.hash);
    });

    it('reads a stream typed by the events it may hold, and refuses one of another type in it', async () => {
      await h.store.transaction((tx) => tx.events.append('terminal-T0000001', 0, [unlocked('T0000001', '01')]));
      const [e] = await h.store.readStream('terminal-T0000001', TERMINAL_EVENTS);
      // Typed by TERMINAL_EVENTS: the switch narrows the data without a cast.
      expect(e.type === 'OperatorUnlocked' && e.data.operatorId).toBe('01');
      await h.store.transaction((tx) => tx.events.append('terminal-T0000001', 1, [payout(5n)]));
      const refused = { name: 'ContractError', code: 'EVENT_TYPE_UNEXPECTED', message: expect.stringContaining('terminal-T0000001 v2 is a PayoutScheduled') };
      await expect(h.store.readStream('terminal-T0000001', TERMINAL_EVENTS)).rejects.toMatchObject(refused);
      await expect(h.store.transaction((tx) => tx.events.readStream('terminal-T0000001', TERMINAL_EVENTS))).rejects.toMatchObject(refused);
      expect((await h.store.readStream('terminal-T0000001', LEDGER_EVENTS)).map((x) => x.type)).toEqual(['OperatorUnlocked', 'PayoutScheduled']);
    });

    it('refuses a stale expected version with a retryable conflict and writes nothing', async () => {
      await h.store.transaction((tx) => tx.events.append('terminal-T0000001', 0, [unlocked('T0000001')]));
      await expect(h.store.transaction((tx) => tx.events.append('terminal-T0000001', 0, [unlocked('T0000001')]))).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await h.store.readStream('terminal-T0000001', LEDGER_EVENTS)).toHaveLength(1);
      expect(await h.store.outboxBacklog()).toBe(1);
    });

    it('lets exactly one of two racing writers win', async () => {
      const race = await Promise.allSettled(
        ['01', '02'].map((op) => h.store.transaction((tx) => tx.events.append('terminal-T0000002', 0, [unlocked('T0000002', op)]))),
      );
      expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = race.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(ConcurrencyError);
      expect(await h.store.readStream('terminal-T0000002', LEDGER_EVENTS)).toHaveLength(1);
    });

    it('rolls back events, outbox, documents and processed marks together', async () => {
      await expect(
        h.store.transaction(async (tx) => {
          await tx.events.append('terminal-T0000003', 0, [unlocked('T0000003')]);
          await tx.documents.put('c', 'k', { n: 1n });
          await tx.processed.mark('consumer', 'm1');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await h.store.readStream('terminal-T0000003', LEDGER_EVENTS)).toHaveLength(0);
      expect(await h.store.outboxBacklog()).toBe(0);
      expect(await h.store.transaction((tx) => tx.documents.get('c', 'k'))).toBeUndefined();
      expect(await h.store.transaction((tx) => tx.processed.has('consumer', 'm1'))).toBe(false);
    });

    it('reads everything from a position in commit order, and keeps bigint amounts exact', async () => {
      await h.store.transaction((tx) => tx.events.append('a', 0, [unlocked('T0000001')]));
      await h.store.transaction((tx) => tx.events.append('b', 0, [payout(123456789012345678901234567890n)]));
      await h.store.transaction((tx) => tx.events.append('a', 1, [unlocked('T0000001', '02')]));
      const all = await h.store.readAll(STORE_START, 100);
      expect(all.map((e) => e.metadata.streamId)).toEqual(['a', 'b', 'a']);
      expect((all[1].data as { amount: bigint }).amount).toBe(123456789012345678901234567890n);
      const rest = await h.store.readAll(all[0].metadata.position, 100);
      expect(rest.map((e) => e.metadata.position)).toEqual([all[1].metadata.position, all[2].metadata.position]);
    });

    it('puts every appended event in the outbox, in order, until a publish succeeds', async () => {
      await h.store.transaction((tx) => tx.events.append('a', 0, [unlocked('T0000001'), unlocked('T0000001', '02'), unlocked('T0000001', '03')]));
      const seen: number[][] = [];
      await expect(h.store.publishOutbox(2, async () => { throw new Error('broker down'); })).rejects.toThrow('broker down');
      expect(await h.store.outboxBacklog()).toBe(3);
      expect(await h.store.publishOutbox(2, async (rs) => { seen.push(rs.map((r) => r.version)); })).toBe(2);
      expect(await h.store.publishOutbox(2, async (rs) => { seen.push(rs.map((r) => r.version)); })).toBe(1);
      expect(await h.store.publishOutbox(2, async () => { throw new Error('nothing to publish'); })).toBe(0);
      expect(seen).toEqual([[1, 2], [3]]);
      expect(await h.store.outboxBacklog()).toBe(0);
    });

    it('lets only one publisher drain the outbox at a time', async () => {
      await h.store.transaction((tx) => tx.events.append('a', 0, [unlocked('T0000001'), unlocked('T0000001', '02')]));
      const order: string[] = [];
      const slow = (name: string) => async (rs: readonly unknown[]) => {
        order.push(`${name}:start:${rs.length}`);
        await new Promise((r) => setTimeout(r, 50));
        order.push(`${name}:end`);
      };
      const [a, b] = await Promise.all([h.store.publishOutbox(10, slow('a')), h.store.publishOutbox(10, slow('b'))]);
      expect(a + b).toBe(2);
      expect(order.filter((o) => o.endsWith(':start:2'))).toHaveLength(1);
      expect(order.indexOf(order.find((o) => o.endsWith(':end'))!)).toBe(1);
    });

    it('detects an edited event through the hash chain', async () => {
      await h.store.transaction((tx) => tx.events.append('a', 0, [unlocked('T0000001'), unlocked('T0000001', '02'), unlocked('T0000001', '03')]));
      expect(await h.store.verifyStream('a')).toMatchObject({ ok: true, events: 3 });
      await h.raw.tamper('a', 2, { terminalId: 'T0000001', merchantId: 'M00000000000001', businessDay: '2026-11-24', operatorId: '99' });
      expect(await h.store.verifyStream('a')).toMatchObject({ ok: false, brokenAtVersion: 2 });
    });

    describe('verification names the first broken link of a tampered stream', () => {
      const HASH = /^[0-9a-f]{64}$/;
      let ids: string[];
      // Given a stream of five events, each verified as stored.
      beforeEach(async () => {
        const stored = await h.store.transaction((tx) => tx.events.append('a', 0, ['01', '02', '03', '04', '05'].map((op) => unlocked('T0000001', op))));
        ids = stored.map((e) => e.metadata.eventId);
        // Another stream beside it, which no tampering of 'a' may affect.
        await h.store.transaction((tx) => tx.events.append('b', 0, [unlocked('T0000002')]));
      });

      it('reports an untouched stream as ok with its event count', async () => {
        expect(await h.store.verifyStream('a')).toEqual({ streamId: 'a', events: 5, ok: true });
      });

      it('reports a stream that was never written as ok and empty', async () => {
        expect(await h.store.verifyStream('never')).toEqual({ streamId: 'never', events: 0, ok: true });
      });

      it('names an edited payload in the middle, with its event and both hashes', async () => {
        await h.raw.tamper('a', 3, { terminalId: 'T0000001', merchantId: 'M00000000000001', businessDay: '2026-11-24', operatorId: '99' });
        const report = await h.store.verifyStream('a');
        expect(report).toMatchObject({ streamId: 'a', events: 5, ok: false, brokenAtVersion: 3, eventId: ids[2], code: 'EVENT_CONTENT_ALTERED' });
        const detail = report.detail as { storedHash: string; recomputedHash: string };
        expect(detail.storedHash).toMatch(HASH);
        expect(detail.recomputedHash).toMatch(HASH);
        expect(detail.recomputedHash).not.toBe(detail.storedHash);
        expect(report.reason).toMatch(/version 3/);
        expect(await h.store.verifyStream('b')).toMatchObject({ ok: true });
      });

      it('names an edited actor in the context', async () => {
        await h.raw.tamperContext('a', 2, { ...ctx, actor: { type: 'admin', id: 'back-office' } });
        expect(await h.store.verifyStream('a')).toMatchObject({ ok: false, brokenAtVersion: 2, eventId: ids[1], code: 'EVENT_CONTENT_ALTERED' });
      });

      it('names a deleted middle event as the missing version', async () => {
        await h.raw.deleteEvent('a', 3);
        const report = await h.store.verifyStream('a');
        expect(report).toMatchObject({ events: 4, ok: false, brokenAtVersion: 3, code: 'EVENT_MISSING', detail: { expectedVersion: 3, foundVersion: 4 } });
        // The missing version has no stored event to name.
        expect(report).not.toHaveProperty('eventId');
      });

      it('names a deleted first event as the missing version 1', async () => {
        await h.raw.deleteEvent('a', 1);
        expect(await h.store.verifyStream('a')).toMatchObject({ ok: false, brokenAtVersion: 1, code: 'EVENT_MISSING', detail: { expectedVersion: 1, foundVersion: 2 } });
      });

      it("names a deleted last event through the stream head, at the head's version", async () => {
        const before = await h.store.readStream('a', LEDGER_EVENTS);
        await h.raw.deleteEvent('a', 5);
        expect(await h.store.verifyStream('a')).toMatchObject({
          events: 4, ok: false, brokenAtVersion: 5, code: 'STREAM_HEAD_MISMATCH',
          detail: { headVersion: 5, headHash: before[4].metadata.hash, lastStoredVersion: 4, lastStoredHash: before[3].metadata.hash },
        });
      });

      it('names a stream whose every event was deleted, as its head remains', async () => {
        await h.raw.deleteEvent('b', 1);
        expect(await h.store.verifyStream('b')).toMatchObject({
          events: 0, ok: false, brokenAtVersion: 1, code: 'STREAM_HEAD_MISMATCH', detail: { headVersion: 1, lastStoredVersion: null, lastStoredHash: null },
        });
      });

      it('names two swapped events at the lower of their versions', async () => {
        await h.raw.swapVersions('a', 2, 4);
        const report = await h.store.verifyStream('a');
        // Version 2 now holds the fourth event, which links to the third.
        expect(report).toMatchObject({ events: 5, ok: false, brokenAtVersion: 2, eventId: ids[3], code: 'CHAIN_LINK_BROKEN' });
        const stored = await h.store.readStream('a', LEDGER_EVENTS);
        expect(report.detail).toEqual({ expectedPrevHash: stored[0].metadata.hash, storedPrevHash: stored[2].metadata.hash });
      });

      it('names two swapped neighbours at the end at the lower version, not at the head', async () => {
        await h.raw.swapVersions('a', 4, 5);
        expect(await h.store.verifyStream('a')).toMatchObject({ ok: false, brokenAtVersion: 4, eventId: ids[4], code: 'CHAIN_LINK_BROKEN' });
      });
    });

    it('stores documents and lists them by key prefix in key order', async () => {
      await h.store.transaction(async (tx) => {
        await tx.documents.put('totals', '2026-11-24|M2', { v: 2n });
        await tx.documents.put('totals', '2026-11-24|M1', { v: 1n });
        await tx.documents.put('totals', '2026-11-25|M1', { v: 3n });
      });
      const day = await h.store.transaction((tx) => tx.documents.list<{ v: bigint }>('totals', '2026-11-24|'));
      expect(day.map((d) => [d.key, d.doc.v])).toEqual([['2026-11-24|M1', 1n], ['2026-11-24|M2', 2n]]);
      expect((await h.store.listDocuments<{ v: bigint }>('totals', '2026-11-24|')).map((d) => d.key)).toEqual(['2026-11-24|M1', '2026-11-24|M2']);
      expect(await h.store.getDocument<{ v: bigint }>('totals', '2026-11-25|M1')).toEqual({ v: 3n });
    });

    it('remembers processed messages and subscription checkpoints', async () => {
      await h.store.transaction((tx) => tx.processed.mark('settlement', 'e1'));
      expect(await h.store.transaction((tx) => tx.processed.has('settlement', 'e1'))).toBe(true);
      expect(await h.store.transaction((tx) => tx.processed.has('reconciliation', 'e1'))).toBe(false);
      expect(await h.store.transaction((tx) => tx.checkpoints.get('sub'))).toBe(STORE_START);
      await h.store.transaction((tx) => tx.checkpoints.set('sub', '42'));
      expect(await h.store.transaction((tx) => tx.checkpoints.get('sub'))).toBe('42');
    });

    it('reads documents from one snapshot while writes commit beside it', async () => {
      await h.store.transaction(async (tx) => {
        await tx.documents.put('blue', 'k1', { n: 1n });
        await tx.documents.put('green', 'k1', { n: 1n });
      });
      const seen = await h.store.readSnapshot(async (docs) => {
        const before = await docs.list<{ n: bigint }>('blue', '');
        // Both collections move together after the snapshot was taken: the snapshot sees neither move.
        await h.store.transaction(async (tx) => {
          await tx.documents.put('blue', 'k2', { n: 2n });
          await tx.documents.put('green', 'k2', { n: 2n });
        });
        const after = await docs.list<{ n: bigint }>('green', '');
        return { before: before.map((d) => d.key), after: after.map((d) => d.key), one: await docs.get<{ n: bigint }>('green', 'k1') };
      });
      expect(seen).toEqual({ before: ['k1'], after: ['k1'], one: { n: 1n } });
      expect((await h.store.listDocuments('green', '')).map((d) => d.key)).toEqual(['k1', 'k2']);
    });

    it('puts many documents at once, the last of a repeated key winning, beside single puts', async () => {
      const many = Array.from({ length: 2_500 }, (_, i) => ({ key: `k${String(i).padStart(5, '0')}`, doc: { n: BigInt(i) } }));
      await h.store.transaction(async (tx) => {
        await tx.documents.put('bulk', 'k00000', { n: -1n });
        await tx.documents.putMany('bulk', [...many, { key: 'k00001', doc: { n: 99n } }]);
      });
      const rows = await h.store.listDocuments<{ n: bigint }>('bulk', '');
      expect(rows).toHaveLength(2_500);
      expect(rows[0].doc.n).toBe(0n);
      expect(rows[1].doc.n).toBe(99n);
      expect(rows[2_499]).toEqual({ key: 'k02499', doc: { n: 2_499n } });
    });

    it('clears one collection and leaves the others', async () => {
      await h.store.transaction(async (tx) => {
        await tx.documents.put('old', 'a', { n: 1 });
        await tx.documents.put('old', 'b', { n: 2 });
        await tx.documents.put('new', 'a', { n: 3 });
      });
      expect(await h.store.transaction((tx) => tx.documents.clear('old'))).toBe(2);
      expect(await h.store.listDocuments('old', '')).toEqual([]);
      expect(await h.store.listDocuments('new', '')).toHaveLength(1);
    });

    it('reports the last committed position', async () => {
      expect(await h.store.lastPosition()).toBe(STORE_START);
      const [, second] = await h.store.transaction((tx) => tx.events.append('a', 0, [unlocked('T0000001'), unlocked('T0000001', '02')]));
      expect(await h.store.lastPosition()).toBe(second.metadata.position);
    });

    it('serialises an exclusive lock holder with shared holders of the same name', async () => {
      const order: string[] = [];
      let release!: () => void;
      let locked!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const exclusiveIn = new Promise<void>((r) => (locked = r));
      const exclusive = h.store.transaction(async (tx) => {
        await tx.lock('projection:x', 'exclusive');
        order.push('exclusive:in');
        locked();
        await held;
        order.push('exclusive:out');
      });
      await exclusiveIn;
      const shared = h.store.transaction(async (tx) => {
        await tx.lock('projection:x', 'shared');
        order.push('shared:in');
      });
      // Released once the shared holder is queued on the lock (a store that runs one transaction
      // at a time has not even begun it), so a lock that let it through would show in the order.
      if (h.lockWaiters) await waitFor(async () => (await h.lockWaiters!()) > 0 || order.includes('shared:in'), 'the shared holder to wait for the lock', 10_000);
      release();
      await Promise.all([exclusive, shared]);
      expect(order).toEqual(['exclusive:in', 'exclusive:out', 'shared:in']);
    });

    describe('group commit', () => {
      it('appends many streams in one commit, each with its events, outbox rows and documents', async () => {
        const outcomes = await h.store.appendBatch([
          { streamId: 'g1', expectedVersion: 0, prevHash: GENESIS_HASH, events: [unlocked('T0000001'), unlocked('T0000001', '02')], documents: [{ collection: 'side', key: 'g1', doc: { n: 1n } }] },
          { streamId: 'g2', expectedVersion: 0, prevHash: GENESIS_HASH, events: [payout(5n)] },
        ]);
        expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
        const [g1] = outcomes;
        if (!g1.ok) throw new Error('unreachable');
        // What the append returns is what a reader gets back, position and hash chain included.
        expect(await h.store.readStream('g1', LEDGER_EVENTS)).toEqual(g1.recorded);
        expect(g1.recorded[1].metadata.prevHash).toBe(g1.recorded[0].metadata.hash);
        expect(await h.store.outboxBacklog()).toBe(3);
        expect(await h.store.getDocument('side', 'g1')).toEqual({ n: 1n });
        expect(await h.store.verifyStream('g1')).toMatchObject({ ok: true, events: 2 });
      });

      it('refuses a stale stream on its own: the others commit, its events and documents are not written', async () => {
        const [first] = await h.store.appendBatch([{ streamId: 's', expectedVersion: 0, prevHash: GENESIS_HASH, events: [unlocked('T0000001')] }]);
        if (!first.ok) throw new Error('setup failed');
        const head = first.recorded[0].metadata.hash;
        const outcomes = await h.store.appendBatch([
          { streamId: 's', expectedVersion: 0, prevHash: GENESIS_HASH, events: [unlocked('T0000001', '02')], documents: [{ collection: 'side', key: 'stale', doc: 1 }] },
          { streamId: 'fresh', expectedVersion: 0, prevHash: GENESIS_HASH, events: [unlocked('T0000002')], documents: [{ collection: 'side', key: 'fresh', doc: 2 }] },
          { streamId: 'wrong-hash', expectedVersion: 0, prevHash: head, events: [unlocked('T0000003')] },
        ]);
        expect(outcomes.map((o) => (o.ok ? 'ok' : o.conflict.code))).toEqual(['STREAM_VERSION_CONFLICT', 'ok', 'STREAM_VERSION_CONFLICT']);
        expect(await h.store.readStream('s', LEDGER_EVENTS)).toHaveLength(1);
        expect(await h.store.readStream('wrong-hash', LEDGER_EVENTS)).toHaveLength(0);
        expect(await h.store.getDocument('side', 'stale')).toBeUndefined();
        expect(await h.store.getDocument('side', 'fresh')).toBe(2);
        // The stale writer reloads and appends after the head it now knows.
        const [retry] = await h.store.appendBatch([{ streamId: 's', expectedVersion: 1, prevHash: head, events: [unlocked('T0000001', '02')] }]);
        expect(retry.ok).toBe(true);
        expect(await h.store.verifyStream('s')).toMatchObject({ ok: true, events: 2 });
      });

      it('lets exactly one of two racing groups append to a stream', async () => {
        const race = await Promise.all(
          ['01', '02'].map((op) => h.store.appendBatch([{ streamId: 'raced', expectedVersion: 0, prevHash: GENESIS_HASH, events: [unlocked('T0000004', op)] }])),
        );
        expect(race.flat().filter((o) => o.ok)).toHaveLength(1);
        expect(await h.store.readStream('raced', LEDGER_EVENTS)).toHaveLength(1);
      });

      it('writes nothing of a group when one of its events breaks the contract', async () => {
        const bad = { ...unlocked('T0000001'), data: { terminalId: 'nope' } };
        await expect(
          h.store.appendBatch([
            { streamId: 'ok', expectedVersion: 0, prevHash: GENESIS_HASH, events: [unlocked('T0000001')] },
            { streamId: 'bad', expectedVersion: 0, prevHash: GENESIS_HASH, events: [bad] },
          ]),
        ).rejects.toThrow(/EVENT_PAYLOAD_INVALID|OperatorUnlocked/);
        expect(await h.store.readStream('ok', LEDGER_EVENTS)).toHaveLength(0);
        expect(await h.store.outboxBacklog()).toBe(0);
      });
    });

    it('publishes the stored event as its wire message, as a consumer parses it', async () => {
      const [stored] = await h.store.transaction((tx) => tx.events.append('terminal-T0000009', 0, [payout(123456789012345678901234567890n)]));
      let published: unknown;
      await h.store.publishOutbox(10, async ([r]) => {
        published = fromLogMessage(r.message);
        // A merchant's payout names no terminal of its own: it is keyed by its stream.
        expect(r.message).toMatchObject({ topic: 'pos.settlement.events.v1', key: 'terminal-T0000009', headers: { 'event-type': 'PayoutScheduled', 'event-id': stored.metadata.eventId } });
      });
      expect(published).toEqual(stored);
    });

    it('remembers a batch of processed messages and tells which of a batch it has seen', async () => {
      await h.store.transaction((tx) => tx.processed.markMany('c', ['m1', 'm2']));
      expect([...(await h.store.transaction((tx) => tx.processed.seen('c', ['m0', 'm1', 'm2', 'm3'])))].sort()).toEqual(['m1', 'm2']);
      expect(await h.store.transaction((tx) => tx.processed.seen('other', ['m1']))).toEqual(new Set());
      // Marking one again fails the transaction: a second applier of the same batch loses, whole.
      await expect(h.store.transaction((tx) => tx.processed.markMany('c', ['m3', 'm1']))).rejects.toThrow();
      expect(await h.store.transaction((tx) => tx.processed.has('c', 'm3'))).toBe(false);
    });

    it('reads several documents in one call, and a stream up to a version', async () => {
      await h.store.transaction(async (tx) => {
        await tx.documents.put('many', 'a', { n: 1n });
        await tx.documents.put('many', 'b', { n: 2n });
        await tx.events.append('v', 0, ['01', '02', '03'].map((op) => unlocked('T0000001', op)));
      });
      expect(await h.store.transaction((tx) => tx.documents.getMany('many', ['a', 'b', 'c']))).toEqual(new Map([['a', { n: 1n }], ['b', { n: 2n }]]));
      expect((await h.store.readStream('v', LEDGER_EVENTS, 2, 2)).map((e) => e.metadata.version)).toEqual([2]);
      const all = await h.store.readAll(STORE_START, 10);
      expect(await h.store.countBetween(STORE_START, (BigInt(all[2].metadata.position) + 1n).toString())).toBe(3);
      expect(await h.store.countBetween(all[0].metadata.position, all[2].metadata.position)).toBe(1);
    });

    it('lets one of two racing subscriptions with one id apply each event, exactly once', async () => {
      await h.store.transaction((tx) => tx.events.append('a', 0, ['01', '02', '03', '04'].map((op) => unlocked('T0000001', op))));
      const apply = async (events: readonly { metadata: { eventId: string } }[], tx: Parameters<Parameters<ServiceStore['transaction']>[0]>[0]) => {
        for (const e of events) {
          const n = (await tx.documents.get<number>('applied', e.metadata.eventId)) ?? 0;
          await tx.documents.put('applied', e.metadata.eventId, n + 1);
        }
      };
      const silent = { error: () => undefined };
      const [a, b] = [new StoreSubscription(h.store, 'raced', apply, silent, 2), new StoreSubscription(h.store, 'raced', apply, silent, 2)];
      const counts = await Promise.all([a.catchUp(), b.catchUp(), a.catchUp(), b.catchUp(), a.catchUp()]);
      expect(counts.reduce((x, y) => x + y, 0)).toBe(4);
      expect((await h.store.listDocuments<number>('applied', '')).map((d) => d.doc)).toEqual([1, 1, 1, 1]);
    });

    it('hands a checkpoint its stored events exactly as the log carries them, and a rewritten history gives another tree though its chain verifies', async () => {
      await h.store.transaction((tx) => tx.events.append('terminal-T0000001', 0, [unlocked('T0000001', '01'), unlocked('T0000001', '02'), unlocked('T0000001', '03')]));
      await h.store.transaction((tx) => tx.events.append('settlement-T0000001-2026-11-24-000001', 0, [payout(12_345n)]));
      const read = async () => [...(await h.store.readStoredEvents('settlement-T0000001-2026-11-24-000001', 1, 1)), ...(await h.store.readStoredEvents('terminal-T0000001', 2, 3))];
      const stored = await read();
      expect(stored.map((e) => [e.streamId, e.version])).toEqual([['settlement-T0000001-2026-11-24-000001', 1], ['terminal-T0000001', 2], ['terminal-T0000001', 3]]);
      const published: string[] = [];
      await h.store.publishOutbox(100, async (records) => void published.push(...records.map((r) => r.message.value)));
      const fromLog = published.map(contentOfLogMessage).filter((e) => stored.some((s) => s.streamId === e.streamId && s.version === e.version));
      const tree = checkpointTree(stored);
      expect(tree.altered).toEqual([]);
      expect(checkpointTree(fromLog).rootHash).toBe(tree.rootHash);
      expect(tree.streams).toEqual([
        { streamId: 'settlement-T0000001-2026-11-24-000001', fromVersion: 1, toVersion: 1, headHash: stored[0].hash },
        { streamId: 'terminal-T0000001', fromVersion: 2, toVersion: 3, headHash: stored[2].hash },
      ]);
      await h.raw.rewriteHistory('terminal-T0000001', 2, { ...(stored[1].payload as object), operatorId: '09' });
      expect((await h.store.verifyStream('terminal-T0000001')).ok).toBe(true);
      const forged = checkpointTree(await read());
      expect(forged.altered).toEqual([]);
      expect(forged.rootHash).not.toBe(tree.rootHash);
      expect(forged.streams.find((s) => s.streamId === 'terminal-T0000001')?.headHash).not.toBe(stored[2].hash);
    });

    upcastingContract(() => h);

    it('refuses an event whose payload breaks its contract', async () => {
      const bad = { ...unlocked('T0000001'), data: { terminalId: 'nope' } };
      await expect(h.store.transaction((tx) => tx.events.append('a', 0, [bad]))).rejects.toThrow(/EVENT_PAYLOAD_INVALID|OperatorUnlocked/);
      expect(await h.store.readStream('a', LEDGER_EVENTS)).toHaveLength(0);
    });
  });
};
