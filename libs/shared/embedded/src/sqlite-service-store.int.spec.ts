import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreContract, rawSqliteStore } from '@pos/testing';
import { SqliteServiceStore } from './sqlite-service-store';

eventStoreContract('embedded SQLite store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  const store = new SqliteServiceStore(join(dir, 'service.db'));
  const raw = rawSqliteStore(store.file);
  return {
    store,
    raw,
    dispose: async () => {
      await raw.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
