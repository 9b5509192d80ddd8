import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventStoreContract } from '@pos/testing';
import { SqliteServiceStore } from './sqlite-service-store';

eventStoreContract('embedded SQLite store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  const store = new SqliteServiceStore(join(dir, 'service.db'));
  return {
    store,
    tamper: async (streamId, version, payload) => store.tamperForTest(streamId, version, payload),
    tamperContext: async (streamId, version, context) => store.tamperContextForTest(streamId, version, context),
    deleteEvent: (streamId, version) => store.deleteEventForTest(streamId, version),
    swapVersions: (streamId, a, b) => store.swapVersionsForTest(streamId, a, b),
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
