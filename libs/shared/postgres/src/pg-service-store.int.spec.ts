import { randomBytes } from 'node:crypto';
import { eventStoreContract } from '@pos/testing';
import { startPostgres, type StartedPostgres } from '@pos/testing/containers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from './migrations';
import { PgServiceStore } from './pg-service-store';

/** The PostgreSQL store against a real server (Testcontainers): the same contract as the embedded store. */
describe('PostgreSQL service store', () => {
  let server: StartedPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  eventStoreContract('PostgreSQL store', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const store = await PgServiceStore.open({ schema, pool: { connectionString: server.connectionString } });
    return {
      store,
      tamper: (streamId, version, payload) => store.tamperForTest(streamId, version, payload),
      tamperContext: (streamId, version, context) => store.tamperContextForTest(streamId, version, context),
      deleteEvent: (streamId, version) => store.deleteEventForTest(streamId, version),
      swapVersions: (streamId, a, b) => store.swapVersionsForTest(streamId, a, b),
      dispose: async () => {
        await store.pool.query(`DROP SCHEMA ${schema} CASCADE`);
        await store.close();
      },
    };
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
