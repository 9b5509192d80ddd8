import { randomBytes } from 'node:crypto';
import { LEDGER_EVENTS } from '@pos/contracts';
import { draftStream, GENESIS_HASH, type NewEvent, STORE_START } from '@pos/eventing';
import { eventStoreContract, rawPgStore } from '@pos/testing';
import { sharedPostgres, type SpecDatabase } from '@pos/testing/shared-containers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, quoteIdent } from './migrations';
import { PgServiceStore } from './pg-service-store';

/** The PostgreSQL store against a real server (Testcontainers): the same contract as the embedded store. */
describe('PostgreSQL service store', () => {
  let server: SpecDatabase;
  beforeAll(async () => {
    server = await sharedPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  eventStoreContract('PostgreSQL store', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const store = await PgServiceStore.open({ schema, pool: { connectionString: server.connectionString } });
    return {
      store,
      raw: rawPgStore(store.pool, schema),
      dispose: async () => {
        await store.pool.query(`DROP SCHEMA ${schema} CASCADE`);
        await store.close();
      },
      lockWaiters: async () =>
        Number((await store.pool.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).rows[0].n),
    };
  });

  const unlocked = (terminalId: string, operatorId = '01'): NewEvent => ({
    type: 'OperatorUnlocked',
    data: { terminalId, merchantId: 'M00000000000001', businessDay: '2026-11-24', operatorId },
    context: { correlationId: 'c', causationId: 'c', actor: { type: 'system', id: 'test' } },
    occurredAt: new Date('2026-11-24T10:00:00Z'),
  });
  const openStore = () => PgServiceStore.open({ schema: `t_${randomBytes(6).toString('hex')}`, pool: { connectionString: server.connectionString } });

  /** A transaction that appended and then stays open until `release` is called. */
  const held = (store: PgServiceStore, streamId: string) => {
    let release!: () => void;
    let appended!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inside = new Promise<void>((r) => (appended = r));
    const done = store.transaction(async (tx) => {
      await tx.events.append(streamId, 0, [unlocked('T0000001')]);
      appended();
      await gate;
    });
    return { inside, release, done };
  };

  it('appends to other streams while a transaction that appended is still open: no store-wide lock', async () => {
    const store = await openStore();
    try {
      const open = held(store, 'slow');
      await open.inside;
      // Both finish while the first transaction holds its stream: a store-wide lock would block them until release.
      const [group] = await store.appendBatch([{ streamId: 'fast-1', expectedVersion: 0, prevHash: GENESIS_HASH, events: [unlocked('T0000002')] }]);
      await store.transaction((tx) => tx.events.append('fast-2', 0, [unlocked('T0000003')]));
      expect(group.ok).toBe(true);
      expect((await store.readStream('fast-2', LEDGER_EVENTS)).length).toBe(1);
      open.release();
      await open.done;
    } finally {
      await store.close();
    }
  });

  it('never lets a reader skip an event that commits after a later one: positions follow the commit horizon', async () => {
    const store = await openStore();
    try {
      // `late` takes the lower row position, then `early` appends after it and commits first.
      const late = held(store, 'late');
      await late.inside;
      await store.transaction((tx) => tx.events.append('early', 0, [unlocked('T0000002')]));
      expect((await store.readStream('early', LEDGER_EVENTS)).length).toBe(1);
      // A reader polling now must not take `early`: resuming after it would skip `late` for ever.
      expect(await store.readAll(STORE_START, 10)).toEqual([]);
      expect(await store.lastPosition()).toBe(STORE_START);
      late.release();
      await late.done;
      const all = await store.readAll(STORE_START, 10);
      expect(all.map((e) => e.metadata.streamId)).toEqual(['late', 'early']);
      expect(BigInt(all[0].metadata.position) < BigInt(all[1].metadata.position)).toBe(true);
      expect(await store.lastPosition()).toBe(all[1].metadata.position);
      expect(await store.readAll(all[0].metadata.position, 10)).toEqual([all[1]]);
    } finally {
      await store.close();
    }
  });

  it('orders by transaction id as a number, also where the id gains a digit', async () => {
    const store = await openStore();
    try {
      await store.transaction((tx) => tx.events.append('before', 0, [unlocked('T0000001')]));
      // Spend transaction ids up to the next power of ten: text order would now put the next one first.
      const { rows: [{ xid }] } = await store.pool.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
      const spend = 10 ** xid.length - Number(xid) + 1;
      await store.pool.query(`DO $$ BEGIN FOR i IN 1..${spend} LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$`);
      const [after] = await store.transaction((tx) => tx.events.append('after', 0, [unlocked('T0000002')]));
      expect((await store.readAll(STORE_START, 10)).map((e) => e.metadata.streamId)).toEqual(['before', 'after']);
      expect(await store.lastPosition()).toBe(after.metadata.position);
      expect(await store.countBetween(STORE_START, (BigInt(after.metadata.position) + 1n).toString())).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('upgrades a version-1 store in place: old events keep their order, a checkpoint its place, the outbox its rows', async () => {
    const schema = `v1_${randomBytes(6).toString('hex')}`;
    const s = quoteIdent(schema);
    const pool = new pg.Pool({ connectionString: server.connectionString, max: 2 });
    let store: PgServiceStore | undefined;
    try {
      // Written by version 1: a stream of three events, a subscription that applied the first, the last still queued.
      await pool.query(`CREATE SCHEMA ${s}`);
      await pool.query(`CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      await pool.query(`SET search_path TO ${s}; ${MIGRATIONS[0].sql}; INSERT INTO schema_migrations (version, name) VALUES (1, 'v1'); RESET search_path`);
      const drafts = draftStream('terminal-T0000001', 0, GENESIS_HASH, ['01', '02', '03'].map((op) => unlocked('T0000001', op)));
      const positions: string[] = [];
      for (const d of drafts) {
        const { rows } = await pool.query(
          `INSERT INTO ${s}.events (event_id, stream_id, version, type, schema_version, payload, context, occurred_at, occurred_at_text, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING position`,
          [d.eventId, d.streamId, d.version, d.type, d.schemaVersion, d.payloadJson, JSON.stringify(d.context), d.occurredAt, d.occurredAt, d.prevHash, d.hash],
        );
        positions.push(String(rows[0].position));
      }
      await pool.query(`INSERT INTO ${s}.streams (stream_id, version, last_hash) VALUES ($1, 3, $2)`, ['terminal-T0000001', drafts[2].hash]);
      await pool.query(`INSERT INTO ${s}.outbox (position) VALUES ($1)`, [positions[2]]);
      await pool.query(`INSERT INTO ${s}.checkpoints (subscription_id, position) VALUES ('sub', $1)`, [positions[0]]);

      store = await PgServiceStore.open({ schema, pool: { connectionString: server.connectionString } });
      const checkpoint = await store.transaction((tx) => tx.checkpoints.get('sub'));
      expect((await store.readAll(checkpoint, 10)).map((e) => e.metadata.version)).toEqual([2, 3]);
      expect((await store.readAll(STORE_START, 10)).map((e) => e.metadata.version)).toEqual([1, 2, 3]);
      expect(await store.verifyStream('terminal-T0000001')).toEqual({ streamId: 'terminal-T0000001', ok: true, events: 3 });
      // The queued row gets its topic and key from the stored payload.
      await store.publishOutbox(10, async ([r]) => void expect(r.message).toMatchObject({ topic: 'pos.terminal.events.v1', key: 'T0000001' }));
      // What is appended from now on sorts after everything written before.
      const last = await store.lastPosition();
      await store.transaction((tx) => tx.events.append('terminal-T0000001', 3, [unlocked('T0000001', '04')]));
      expect((await store.readAll(last, 10)).map((e) => e.metadata.version)).toEqual([4]);
    } finally {
      await store?.close();
      await pool.end();
    }
  });

  it('migrates once, safely twice and from several processes at the same time', async () => {
    const pool = new pg.Pool({ connectionString: server.connectionString, max: 6 });
    try {
      const results = await Promise.all([1, 2, 3].map(() => migrate(pool, 'migrations_race')));
      expect(results.flat().sort()).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(pool, 'migrations_race')).toEqual([]);
      const { rows } = await pool.query('SELECT version FROM migrations_race.schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await pool.end();
    }
  });
});
