import { openEmbedded, type SqliteMessageLog, type SqliteServiceStore } from '@pos/embedded';
import { consumerProbe, type LedgerEnv, type RunningService, startService, storeProbe } from '@pos/platform';
import { RECONCILIATION_CONSUMER, RECONCILIATION_TOPICS, ReconciliationModule } from '@pos/reconciliation-application';
import { SETTLEMENT_CONSUMER, SETTLEMENT_TOPICS, SettlementModule } from '@pos/settlement-application';
import { TerminalGatewayModule } from '@pos/terminal-application';

export interface RunningLedger extends RunningService {
  readonly stores: Readonly<Record<'gateway' | 'settlement' | 'reconciliation', SqliteServiceStore>>;
  readonly log: SqliteMessageLog;
}

/**
 * The embedded default: the three services in one process, each with its own
 * SQLite store, talking only through the in-process log (also SQLite), so a
 * newcomer needs no Kafka and no database server.
 */
export const startEmbeddedLedger = async (env: LedgerEnv): Promise<RunningLedger> => {
  const rt = openEmbedded(env.dataDir, env.partitions, ['terminal-gateway', 'settlement', 'reconciliation']);
  const stores = { gateway: rt.store('terminal-gateway'), settlement: rt.store('settlement'), reconciliation: rt.store('reconciliation') };
  const service = await startService({
    service: 'ledger',
    title: 'POS settlement ledger (embedded: terminal-gateway + settlement + reconciliation)',
    env,
    modules: () => [
      TerminalGatewayModule.register({ store: stores.gateway, log: rt.log }),
      SettlementModule.register({ store: stores.settlement, log: rt.log }),
      ReconciliationModule.register({ store: stores.reconciliation, log: rt.log }),
    ],
    probes: ({ metrics }) => [
      storeProbe('terminal-gateway', stores.gateway, metrics),
      storeProbe('settlement', stores.settlement, metrics),
      storeProbe('reconciliation', stores.reconciliation, metrics),
      consumerProbe(SETTLEMENT_CONSUMER, () => rt.log.lag(SETTLEMENT_CONSUMER, SETTLEMENT_TOPICS), metrics),
      consumerProbe(RECONCILIATION_CONSUMER, () => rt.log.lag(RECONCILIATION_CONSUMER, RECONCILIATION_TOPICS), metrics),
    ],
    release: rt.close,
  });
  return { ...service, stores, log: rt.log };
};
