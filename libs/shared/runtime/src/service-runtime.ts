import { join } from 'node:path';
import { SqliteMessageLog, SqliteServiceStore } from '@pos/embedded';
import type { MessageLog, ServiceStore } from '@pos/eventing';
import { KafkaMessageLog } from '@pos/kafka';
import { PgServiceStore } from '@pos/postgres';
import type { Deployment } from './deployment';

export type ServiceName = 'terminal-gateway' | 'settlement' | 'reconciliation';

export interface ServiceRuntime {
  readonly deployment: Deployment['kind'];
  readonly log: MessageLog;
  store(name: ServiceName): ServiceStore;
  /** Reachability of the log, for readiness. */
  checkLog(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface RuntimeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Each service's PostgreSQL schema: it owns its tables, nobody else reads them. */
export const schemaOf = (service: ServiceName): string => service.replace(/-/g, '_');

/** Opens the adapters this process needs: only the stores of the services it runs. */
export const openRuntime = async (deployment: Deployment, services: readonly ServiceName[], clientId: string, logger: RuntimeLogger): Promise<ServiceRuntime> => {
  const stores = new Map<ServiceName, ServiceStore>();
  let log: MessageLog;
  let checkLog: () => Promise<Record<string, unknown>>;
  if (deployment.kind === 'embedded') {
    const sqliteLog = new SqliteMessageLog(join(deployment.dataDir, 'log.db'), deployment.partitions);
    log = sqliteLog;
    checkLog = async () => ({ kind: 'embedded' });
    for (const s of services) stores.set(s, new SqliteServiceStore(join(deployment.dataDir, `${s}.db`)));
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
    for (const s of services)
      stores.set(
        s,
        await PgServiceStore.open({
          schema: schemaOf(s),
          pool: { connectionString: deployment.databaseUrl, ssl: deployment.databaseSsl },
          onIdleError: (e) => logger.warn({ err: e, store: s }, 'an idle database connection failed; it is replaced on next use'),
        }),
      );
  }
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
