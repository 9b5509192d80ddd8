import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteMessageLog, SqliteServiceStore } from '@pos/embedded';
import {
  abortRebuild, activeCollection, type Consumer, PROJECTION_REGISTRY, readProjectionState, liveDigest, type MessageLog, OutboxRelay, type ProjectionDefinition, rebuildProjection, type RebuildReport, replayIntoMemory, type ServiceStore,
  sourceEnd, startIdempotentConsumer,
} from '@pos/eventing';
import { KafkaMessageLog } from '@pos/kafka';
import { PgServiceStore } from '@pos/postgres';
import { applyToReconciliation, AUDIT_TRAIL_PROJECTION, DAILY_TOTALS_PROJECTION, RECONCILIATION_TOPICS } from '@pos/reconciliation-application';
import { startKafka, startPostgres, type StartedKafka, type StartedPostgres } from '@pos/testing/containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalMorning } from './testing/terminal-morning';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const NOW = new Date('2026-11-24T10:00:00Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const morning = (terminalId: string, sales: number) => terminalMorning(terminalId, Array.from({ length: sales }, (_, i) => BigInt(100 + i * 7)), NOW);

interface World {
  readonly gateway: ServiceStore;
  readonly reconciliation: ServiceStore;
  readonly log: MessageLog;
  close(): Promise<void>;
}

/** Appends one terminal's morning to the gateway store (the relay publishes it). */
const trade = async (w: World, terminalId: string, sales: number) => {
  const ctx = { correlationId: `c-${terminalId}`, causationId: `c-${terminalId}`, actor: { type: 'terminal' as const, id: terminalId } };
  let version = 0;
  for (const e of morning(terminalId, sales)) {
    await w.gateway.transaction((tx) => tx.events.append(`terminal-${terminalId}`, version, [{ type: e.type, data: e.data, context: ctx, occurredAt: NOW }]));
    version++;
  }
};

const settle = async (w: World, consumer: Consumer) => {
  for (const deadline = Date.now() + 60_000; ; ) {
    if ((await w.gateway.outboxBacklog()) === 0 && (await consumer.lag()) === 0) return;
    if (Date.now() > deadline) throw new Error('pipeline did not settle in 60 s');
    await sleep(100);
  }
};

const terminal = (n: number) => `T${String(n).padStart(7, '0')}`;

/**
 * Both deployments: while a live consumer keeps projecting fresh traffic, each reconciliation
 * projection is rebuilt from the log into a new generation, compared and swapped; afterwards the
 * live projection equals a replay of the whole log, and a point-in-time replay equals the digest
 * the live projection had at that instant.
 */
const rebuildSuite = (name: string, open: () => Promise<World>) =>
  describe(`rebuilding projections beside live traffic (${name})`, () => {
    let w: World;
    let relay: OutboxRelay;
    let consumer: Consumer;
    const group = `reconciliation-${randomBytes(3).toString('hex')}`;
    // The live consumer of this suite runs under its own group: the rebuild waits for that group.
    const ofGroup = (def: ProjectionDefinition): ProjectionDefinition => ({ ...def, source: { kind: 'log', topics: RECONCILIATION_TOPICS, consumerGroup: group } });
    const DAILY = ofGroup(DAILY_TOTALS_PROJECTION);
    const AUDIT = ofGroup(AUDIT_TRAIL_PROJECTION);

    beforeAll(async () => {
      w = await open();
      relay = new OutboxRelay(w.gateway, w.log, silent);
      relay.start();
      consumer = await startIdempotentConsumer({ name: group, topics: RECONCILIATION_TOPICS, store: w.reconciliation, log: w.log, logger: silent, apply: applyToReconciliation });
    });
    afterAll(async () => {
      await consumer?.stop();
      await relay?.stop();
      await w?.close();
    });

    it('rebuilds daily totals and the audit trail while traffic continues, swaps them, and they stay equal to a full replay', async () => {
      for (let t = 1; t <= 6; t++) await trade(w, terminal(t), 8);
      await settle(w, consumer);

      // Traffic keeps flowing while both projections are rebuilt (small batches, so the two interleave).
      let trading = true;
      const traffic = (async () => {
        for (let t = 100; trading || t <= 102; t++) {
          await trade(w, terminal(t), 4);
          await sleep(20);
        }
      })();
      const reports: RebuildReport[] = [];
      for (const def of [DAILY, AUDIT])
        reports.push(await rebuildProjection({ def, store: w.reconciliation, log: w.log, swap: 'if-equal', owner: 'test', now: () => new Date(), batchSize: 5, dropGraceMs: 0 }));
      trading = false;
      await traffic;
      await settle(w, consumer);

      for (const r of reports) {
        expect(r.equal, JSON.stringify({ differences: r.differences, counts: r.counts, handover: r.handover })).toBe(true);
        expect(r.outcome).toBe('SWAPPED');
        expect(r.generation).toBe(2);
        expect(r.counts.applied).toBeGreaterThan(40);
      }
      // Events appended after the handover reached the new generation through the live consumer alone.
      const end = await sourceEnd(DAILY, { store: w.reconciliation, log: w.log });
      const after = Object.entries(end).reduce((n, [k, v]) => n + Number(BigInt(v) - BigInt(reports[0].handover[k] ?? '0')), 0);
      expect(after).toBeGreaterThan(0);

      for (const def of [DAILY, AUDIT] as ProjectionDefinition[]) {
        expect(await activeCollection(w.reconciliation, def.name)).toBe(`${def.name}~g2`);
        const live = await liveDigest(def, w.reconciliation);
        const replay = await replayIntoMemory(def, { store: w.reconciliation, log: w.log }, { until: end });
        expect(live.generation).toBe(2);
        expect(live.digest).toBe(replay.digest.digest);
        expect(live.documents).toBeGreaterThan(0);
      }
      // The first generation was dropped after the swap.
      expect(await w.reconciliation.listDocuments('daily-totals', '')).toEqual([]);
    });

    it('replays a projection as of an instant to exactly what the live projection held then', async () => {
      await trade(w, terminal(20), 5);
      await settle(w, consumer);
      await sleep(20);
      const instant = new Date();
      const snapshot = await liveDigest(DAILY, w.reconciliation);
      await sleep(20);
      await trade(w, terminal(21), 5);
      await settle(w, consumer);
      const now = await liveDigest(DAILY, w.reconciliation);
      expect(now.digest).not.toBe(snapshot.digest);

      const deps = { store: w.reconciliation, log: w.log };
      const asOf = await replayIntoMemory(DAILY, deps, { until: await w.log.offsetsForTime(RECONCILIATION_TOPICS, instant) });
      expect(asOf.digest).toEqual({ documents: snapshot.documents, digest: snapshot.digest });
      // What came after the instant is exactly the other terminal's morning.
      const since = await replayIntoMemory(DAILY, deps, { from: await w.log.offsetsForTime(RECONCILIATION_TOPICS, instant), until: await w.log.endOffsets(RECONCILIATION_TOPICS) });
      expect((await since.docs.list<{ terminalId: string; salesCount: number }>('daily-totals', '')).map((r) => [r.doc.terminalId, r.doc.salesCount])).toEqual([[terminal(21), 5]]);
    });

    it('refuses a second rebuild of a projection while one is registered, and a failed build leaves live untouched', async () => {
      const store = w.reconciliation;
      const broken: ProjectionDefinition = { ...DAILY, apply: async () => { throw new Error('boom'); } };
      // Every event refused: the rebuilt generation is empty, differs from live and is discarded.
      const r = await rebuildProjection({ def: broken, store, log: w.log, swap: 'if-equal', owner: 'test', now: () => new Date(), dropGraceMs: 0 });
      expect(r.outcome).toBe('REFUSED_DIFFERENT');
      expect(r.counts.skipped).toBe(r.counts.read);
      expect(r.differences.length).toBeGreaterThan(0);
      expect(await activeCollection(store, 'daily-totals')).toBe('daily-totals~g2');
      expect(await store.listDocuments('daily-totals~g3', '')).toEqual([]);

      // A build registered by a process that died: the next rebuild is refused until it is aborted.
      await store.transaction(async (tx) => {
        const state = await readProjectionState(tx.documents, 'daily-totals');
        await tx.documents.put(PROJECTION_REGISTRY, 'daily-totals', {
          ...state, lastGeneration: state.lastGeneration + 1,
          building: { generation: state.lastGeneration + 1, collection: 'daily-totals~g9', since: new Date().toISOString(), handover: {}, owner: 'gone@host:1' },
        });
      });
      await expect(rebuildProjection({ def: DAILY, store, log: w.log, swap: 'if-equal', owner: 'test', now: () => new Date() })).rejects.toMatchObject({ code: 'REBUILD_IN_PROGRESS' });
      expect((await abortRebuild(DAILY, store)).owner).toBe('gone@host:1');
      await expect(abortRebuild(DAILY, store)).rejects.toMatchObject({ code: 'REBUILD_NOT_RUNNING' });
      expect((await rebuildProjection({ def: DAILY, store, log: w.log, swap: 'if-equal', owner: 'test', now: () => new Date(), dropGraceMs: 0 })).outcome).toBe('SWAPPED');
    });
  });

const world = (gateway: ServiceStore, reconciliation: ServiceStore, log: MessageLog, cleanUp: () => void = () => undefined): World => ({
  gateway, reconciliation, log,
  close: async () => {
    await log.close();
    await gateway.close();
    await reconciliation.close();
    cleanUp();
  },
});

rebuildSuite('embedded SQLite store and log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rebuild-'));
  const gateway = new SqliteServiceStore(join(dir, 'terminal-gateway.db'));
  const reconciliation = new SqliteServiceStore(join(dir, 'reconciliation.db'));
  const log = new SqliteMessageLog(join(dir, 'log.db'), 4, 20);
  return world(gateway, reconciliation, log, () => rmSync(dir, { recursive: true, force: true }));
});

let pg: StartedPostgres | undefined;
let kafka: StartedKafka | undefined;
afterAll(async () => {
  await Promise.all([pg?.stop(), kafka?.stop()]);
});

rebuildSuite('PostgreSQL and Kafka', async () => {
  [pg, kafka] = await Promise.all([startPostgres(), startKafka()]);
  const suffix = randomBytes(3).toString('hex');
  const gateway = await PgServiceStore.open({ schema: `gw_${suffix}`, pool: { connectionString: pg.connectionString } });
  const reconciliation = await PgServiceStore.open({ schema: `rc_${suffix}`, pool: { connectionString: pg.connectionString } });
  const log = new KafkaMessageLog({ brokers: kafka.brokers, clientId: `rebuild-${suffix}`, partitions: 3, replicationFactor: 1, log: silent });
  return world(gateway, reconciliation, log);
});
