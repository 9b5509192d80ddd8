import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreSubscription, type StoreTx } from '@pos/eventing';
import type { EventContext, RecordedEvent } from '@pos/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteServiceStore } from './sqlite-service-store';

const ctx: EventContext = { correlationId: 'c', causationId: 'c', actor: { type: 'system', id: 'test' } };
const unlocked = (operatorId: string) => ({
  type: 'OperatorUnlocked',
  data: { terminalId: 'T0000001', merchantId: 'M00000000000001', businessDay: '2026-11-24', operatorId },
  context: ctx,
  occurredAt: new Date('2026-11-24T10:00:00Z'),
});
const silent = { error: () => undefined };

describe('a subscription over the store with a stored checkpoint', () => {
  let dir: string;
  let file: string;
  let store: SqliteServiceStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sub-'));
    file = join(dir, 's.db');
    store = new SqliteServiceStore(file);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const seen = (s: SqliteServiceStore) => s.transaction((tx) => tx.documents.list<{ op: string }>('seen', ''));
  const record = async (events: readonly RecordedEvent[], tx: StoreTx) => {
    for (const e of events) await tx.documents.put('seen', e.metadata.position.padStart(6, '0'), { op: (e.data as { operatorId: string }).operatorId });
  };

  it('applies each event once and resumes from its checkpoint after a restart', async () => {
    await store.transaction((tx) => tx.events.append('a', 0, [unlocked('01'), unlocked('02')]));
    expect(await new StoreSubscription(store, 'sub', record, silent).catchUp()).toBe(2);
    await store.transaction((tx) => tx.events.append('a', 2, [unlocked('03')]));
    await store.close();
    store = new SqliteServiceStore(file);
    const again = new StoreSubscription(store, 'sub', record, silent);
    expect(await again.catchUp()).toBe(1);
    expect(await again.catchUp()).toBe(0);
    expect((await seen(store)).map((d) => d.doc.op)).toEqual(['01', '02', '03']);
  });

  it("commits a batch's effects and its checkpoint together: a failure applies none of them", async () => {
    await store.transaction((tx) => tx.events.append('a', 0, [unlocked('01'), unlocked('02')]));
    let calls = 0;
    const flaky = new StoreSubscription(store, 'sub', async (events, tx) => {
      await record(events, tx);
      if (++calls === 1) throw new Error('crash while applying');
    }, silent);
    await expect(flaky.catchUp()).rejects.toThrow('crash while applying');
    expect(await seen(store)).toEqual([]);
    expect(await store.transaction((tx) => tx.checkpoints.get('sub'))).toBe('0');
    expect(await flaky.catchUp()).toBe(2);
    expect((await seen(store)).map((d) => d.doc.op)).toEqual(['01', '02']);
    expect(await store.transaction((tx) => tx.checkpoints.get('sub'))).toBe(await store.lastPosition());
  });

  it('reads a bounded batch at a time, in commit order', async () => {
    await store.transaction((tx) => tx.events.append('a', 0, ['01', '02', '03', '04', '05'].map(unlocked)));
    const small = new StoreSubscription(store, 'sub', record, silent, 2);
    expect([await small.catchUp(), await small.catchUp(), await small.catchUp(), await small.catchUp()]).toEqual([2, 2, 1, 0]);
    expect((await seen(store)).map((d) => d.doc.op)).toEqual(['01', '02', '03', '04', '05']);
  });
});
