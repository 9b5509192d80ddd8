import { join } from 'node:path';
import { SqliteMessageLog } from './sqlite-message-log';
import { SqliteServiceStore } from './sqlite-service-store';

export type ServiceName = 'terminal-gateway' | 'settlement' | 'reconciliation';

export interface EmbeddedRuntime {
  readonly log: SqliteMessageLog;
  readonly stores: Readonly<Partial<Record<ServiceName, SqliteServiceStore>>>;
  store(name: ServiceName): SqliteServiceStore;
  close(): Promise<void>;
}

/**
 * The embedded adapters under one data directory: `<service>.db` per service
 * and one `log.db`. Services may share a process (apps/ledger) or not: SQLite
 * locks the files, and consumers poll, so separate processes work too.
 */
export const openEmbedded = (dataDir: string, partitions: number, services: readonly ServiceName[]): EmbeddedRuntime => {
  const log = new SqliteMessageLog(join(dataDir, 'log.db'), partitions);
  const stores = Object.fromEntries(services.map((s) => [s, new SqliteServiceStore(join(dataDir, `${s}.db`))])) as Partial<Record<ServiceName, SqliteServiceStore>>;
  return {
    log,
    stores,
    store: (name) => {
      const s = stores[name];
      if (!s) throw new Error(`${name} store is not open in this process`);
      return s;
    },
    close: async () => {
      await Promise.all(Object.values(stores).map((s) => s.close()));
      await log.close();
    },
  };
};
