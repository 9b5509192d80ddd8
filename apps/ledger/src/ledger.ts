import { join } from 'node:path';
import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TOPICS } from '@pos/contracts';
import { SqliteMessageLog, SqliteServiceStore } from '@pos/embedded';
import { systemClock } from '@pos/kernel';
import { CoreModule, createHttpApp, createLogger, LedgerMetrics, OpsModule, type ReadinessProbe } from '@pos/platform';
import { RECONCILIATION_CONSUMER, RECONCILIATION_TOPICS, ReconciliationModule } from '@pos/reconciliation-application';
import { SETTLEMENT_CONSUMER, SETTLEMENT_TOPICS, SettlementModule } from '@pos/settlement-application';
import { TerminalGatewayModule } from '@pos/terminal-application';
import type { LedgerEnv } from './config';

@Module({})
class LedgerModule {
  static register(parts: DynamicModule[]): DynamicModule {
    return { module: LedgerModule, imports: [CqrsModule.forRoot(), ...parts] };
  }
}

export interface RunningLedger {
  readonly app: INestApplication;
  readonly url: string;
  readonly stores: Readonly<Record<'gateway' | 'settlement' | 'reconciliation', SqliteServiceStore>>;
  readonly log: SqliteMessageLog;
  close(): Promise<void>;
}

/**
 * The embedded default: the three services in one process, each with its own
 * SQLite store, talking only through the in-process log (also SQLite), so a
 * newcomer needs no Kafka and no database server.
 */
export const startEmbeddedLedger = async (env: LedgerEnv): Promise<RunningLedger> => {
  const logger = createLogger('ledger');
  const metrics = new LedgerMetrics();
  const log = new SqliteMessageLog(join(env.dataDir, 'log.db'), env.partitions);
  const stores = {
    gateway: new SqliteServiceStore(join(env.dataDir, 'terminal-gateway.db')),
    settlement: new SqliteServiceStore(join(env.dataDir, 'settlement.db')),
    reconciliation: new SqliteServiceStore(join(env.dataDir, 'reconciliation.db')),
  };
  const probes: ReadinessProbe[] = [
    ...Object.entries(stores).map(([name, store]) => ({
      name: `${name}-store`,
      check: async () => {
        const backlog = await store.outboxBacklog();
        metrics.outboxBacklog.set({ service: name }, backlog);
        return { outboxBacklog: backlog };
      },
    })),
    ...[
      [SETTLEMENT_CONSUMER, SETTLEMENT_TOPICS],
      [RECONCILIATION_CONSUMER, RECONCILIATION_TOPICS],
    ].map(([group, topics]) => ({
      name: `${group as string}-consumer`,
      check: async () => {
        const lag = await log.lag(group as string, topics as readonly string[]);
        metrics.consumerLag.set({ service: group as string, consumer: group as string }, lag);
        return { lag };
      },
    })),
  ];
  const root = LedgerModule.register([
    CoreModule.register({ logger, clock: systemClock, metrics, config: { adminToken: env.adminToken, scryptCost: env.scryptCost } }),
    TerminalGatewayModule.register({ store: stores.gateway, log }),
    SettlementModule.register({ store: stores.settlement, log }),
    ReconciliationModule.register({ store: stores.reconciliation, log }),
    OpsModule.register(metrics, probes),
  ]);
  const app = await createHttpApp(root, { service: 'ledger', title: 'POS settlement ledger (embedded)', logger, metrics });
  await app.listen(env.port, env.host);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${env.host}:${address.port}`;
  logger.info({ url, dataDir: env.dataDir, topics: Object.values(TOPICS) }, 'ledger started on the embedded default');
  let closed = false;
  return {
    app,
    url,
    stores,
    log,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      await Promise.all(Object.values(stores).map((s) => s.close()));
      await log.close();
    },
  };
};
