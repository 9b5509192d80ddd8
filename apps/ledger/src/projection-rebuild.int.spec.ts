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
import { applyToReconciliation, AUDIT_TRAIL_PROJECTION, DAILY_TOTALS_PROJECTION, HOST_KEYS, HOST_LEDGER_PROJECTION, RECONCILIATION_TOPICS } from '@pos/reconciliation-application';
import type { TerminalEvent } from '@pos/contracts';
import { decide, evolve, initialTerminalState, parseCommand, type TerminalCommand } from '@pos/terminal-domain';
import { laterInstant, namespacedLog, waitFor } from '@pos/testing';
import { sharedKafka, sharedPostgres, type SpecDatabase } from '@pos/testing/shared-containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalMorning } from './testing/terminal-morning';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const NOW = new Date('2026-11-24T10:00:00Z');

const morning = (terminalId: string, sales: number) => terminalMorning(terminalId, Array.from({ length: sales }, (_, i) => BigInt(100 + i * 7)), NOW);

interface World {
  readonly gateway: ServiceStore;
  readonly reconciliation: ServiceStore;
  readonly log: MessageLog;
  close(): Promise<void>;
}

/** Appends a terminal's events after its first `version` ones to the gateway store (the relay publishes them). */
const append = async (w: World, terminalId: string, events: readonly TerminalEvent[], version = 0) => {
  const ctx = { correlationId: `c-${terminalId}`, causationId: `c-${terminalId}`, actor: { type: 'terminal' as const, id: terminalId } };
  for (const [i, e] of events.entries())
    await w.gateway.transaction((tx) => tx.events.append(`terminal-${terminalId}`, version + i, [{ type: e.type, data: e.data, context: ctx, occurredAt: NOW }]));
};

/** Appends one terminal's morning to the gateway store. */
const trade = (w: World, terminalId: string, sales: number) => append(w, terminalId, morning(terminalId, sales));

/** What the terminal of `morningEvents` does next: another sale, then the reversal of its first sale (stan 000002). */
const afternoon = (morningEvents: readonly TerminalEvent[]): TerminalEvent[] => {
  let state = morningEvents.reduce(evolve, initialTerminalState);
  const out: TerminalEvent[] = [];
  const stan = String(morningEvents.length + 1).padStart(6, '0');
  for (const command of [
    { type: 'Sale', stan, fingerprint: `fingerprint-${stan}`, batchNo: '000001', amount: 4_321n, currency: 'CNY', method: 'QR', hasQrToken: true },
    { type: 'Reverse', stan: '900001', fingerprint: 'fingerprint-900001', batchNo: '000001', originalStan: '000002', reason: '98' },
  ] as const)
    for (const e of decide(parseCommand<TerminalCommand>(command), state, NOW).events) {
      out.push(e);
      state = evolve(state, e);
    }
  return out;
};

/** The store, with `before` run ahead of its n-th transaction: a rebuild held between registering its handover and replaying. */
const heldBefore = (store: ServiceStore, n: number, before: () => Promise<void>): ServiceStore => {
  let calls = 0;
  return new Proxy(store, {
    get: (target, key) => {
      if (key === 'transaction')
        return async (work: Parameters<ServiceStore['transaction']>[0]) => {
          if (++calls === n) await before();
          return target.transaction(work);
        };
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};

/** Until everything appended is published and projected. */
const settle = (w: World, consumer: Consumer) =>
  waitFor(async () => (await w.gateway.outboxBacklog()) === 0 && (await consumer.lag()) === 0, 'the pipeline to settle', 60_000, 50);

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
    const HOST = ofGroup(HOST_LEDGER_PROJECTION);

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

      // Traffic keeps flowing while both projections are rebuilt (small batches, so the two
      // interleave), a terminal's morning at a time, each once the live consumer has projected the last.
      let trading = true;
      const traffic = (async () => {
        for (let t = 100; trading || t <= 102; t++) {
          await trade(w, terminal(t), 4);
          await settle(w, consumer);
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

    it('rebuilds the host ledger while terminals registered before the handover sell and reverse, and fees and statuses equal live', async () => {
      // Amounts whose fees are not 0 (38 bps), so a sale priced without its terminal's plan shows.
      const days = [30, 31, 32].map((t) => ({ id: terminal(t), morning: terminalMorning(terminal(t), [10_000n, 20_000n, 30_000n], NOW) }));
      for (const d of days) await append(w, d.id, d.morning);
      await settle(w, consumer);
      // Held after the handover is taken and before anything is replayed: the live consumer
      // applies the afternoon (past the handover) first, to documents the replay has yet to write.
      let past = 0;
      const store = heldBefore(w.reconciliation, 2, async () => {
        for (const d of days) {
          const events = afternoon(d.morning);
          past += events.length;
          await append(w, d.id, events, d.morning.length);
        }
        await settle(w, consumer);
      });
      const r = await rebuildProjection({ def: HOST, store, log: w.log, swap: 'if-equal', owner: 'test', now: () => new Date(), batchSize: 5, dropGraceMs: 0 });
      expect(r.equal, JSON.stringify(r.differences.slice(0, 3))).toBe(true);
      // The afternoon reached the new generation after the replay, in the live projector's order.
      expect(r.joined.applied).toBe(past);
      expect(r.outcome).toBe('SWAPPED');
      const docs = await activeCollection(w.reconciliation, HOST.name);
      expect(docs).toMatch(/~g2$/);
      for (const d of days) {
        const first = d.morning.find((e) => e.type === 'TransactionCompleted')!.data as { rrn: string; businessDay: string };
        expect(await w.reconciliation.getDocument(docs, HOST_KEYS.transaction(first.businessDay, d.id, first.rrn))).toMatchObject({ status: 'REVERSED' });
        const sales = await w.reconciliation.listDocuments<{ expectedFee: bigint }>(docs, HOST_KEYS.transactionsOf(first.businessDay));
        const fees = sales.filter((s) => s.key.includes(`|${d.id}|`)).map((s) => String(s.doc.expectedFee));
        expect(fees).toHaveLength(4);
        expect(fees).not.toContain('0');
      }
    });

    it('replays a projection as of an instant to exactly what the live projection held then', async () => {
      await trade(w, terminal(20), 5);
      await settle(w, consumer);
      // Later than every message so far: what the log holds up to it is what the live projection holds now.
      const instant = await laterInstant();
      const snapshot = await liveDigest(DAILY, w.reconciliation);
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

let pg: SpecDatabase | undefined;
afterAll(async () => {
  await pg?.stop();
});

rebuildSuite('PostgreSQL and Kafka', async () => {
  pg = await sharedPostgres();
  const suffix = randomBytes(3).toString('hex');
  const gateway = await PgServiceStore.open({ schema: `gw_${suffix}`, pool: { connectionString: pg.connectionString } });
  const reconciliation = await PgServiceStore.open({ schema: `rc_${suffix}`, pool: { connectionString: pg.connectionString } });
  // The services' own topic names, under a prefix of this spec's on the shared broker.
  const log = namespacedLog(new KafkaMessageLog({ brokers: sharedKafka().brokers, clientId: `rebuild-${suffix}`, partitions: 3, replicationFactor: 1, log: silent }), `rebuild-${suffix}`);
  return world(gateway, reconciliation, log);
});
