import { join } from 'node:path';
import { SqliteMessageLog, SqliteServiceStore } from '@pos/embedded';
import type { MessageLog, ServiceStore } from '@pos/eventing';
import { KafkaMessageLog } from '@pos/kafka';
import { PgServiceStore } from '@pos/postgres';
import type { Deployment } from './deployment';

export type ServiceName = 'terminal-gateway' | 'settlement' | 'reconciliation';
/** The services' stores, and the back office's tokens (`access`), which every service reads. */
export type StoreName = ServiceName | 'access';

export interface ServiceRuntime {
  readonly deployment: Deployment['kind'];
  readonly log: MessageLog;
  store(name: StoreName): ServiceStore;
  /** Reachability of the log, for readiness. */
  checkLog(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface RuntimeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Each service's PostgreSQL schema: it owns its tables, nobody else reads them (`access` excepted: every service checks tokens there). */
export const schemaOf = (service: StoreName): string => service.replace(/-/g, '_');

/** One store: its SQLite file under the data directory, or its schema on PostgreSQL (migrated). */
export const openStore = async (deployment: Deployment, name: StoreName, logger: RuntimeLogger): Promise<ServiceStore> =>
  deployment.kind === 'embedded'
    ? new SqliteServiceStore(join(deployment.dataDir, `${name}.db`))
    : PgServiceStore.open({
        schema: schemaOf(name),
        pool: { connectionString: deployment.databaseUrl, ssl: deployment.databaseSsl },
        onIdleError: (e) => logger.warn({ err: e, store: name }, 'an idle database connection failed; it is replaced on next use'),
      });

/** Opens the adapters this process needs: only the stores it names. */
export const openRuntime = async (deployment: Deployment, services: readonly StoreName[], clientId: string, logger: RuntimeLogger): Promise<ServiceRuntime> => {
  const stores = new Map<StoreName, ServiceStore>();
  let log: MessageLog;
  let checkLog: () => Promise<Record<string, unknown>>;
  if (deployment.kind === 'embedded') {
    const sqliteLog = new SqliteMessageLog(join(deployment.dataDir, 'log.db'), deployment.partitions);
    log = sqliteLog;
    checkLog = async () => ({ kind: 'embedded' });
  } else {
    const kafka = new KafkaMessageLog({
      brokers: deployment.brokers,
      clientId,
      partitions: deployment.partitions,
      replicationFactor: deployment.replicationFactor,
      ssl: deployment.kafkaSsl,
      sasl: deployment.kafkaSasl,
      consumer: deployment.kafkaConsumer,
      log: logger,
    });
    log = kafka;
    checkLog = () => kafka.describe();
  }
  for (const s of services) stores.set(s, await openStore(deployment, s, logger));
  return {
    deployment: deployment.kind,
    log,
    store: (name) => {
      const s = stores.get(name);
      if (!s) throw new Error(`${name} store is not open in this process`);
      return s;
    },
    checkLog,
    close: async () => {
      await log.close();
      await Promise.all([...stores.values()].map((s) => s.close()));
    },
  };
};
