import { RECONCILIATION_CONSUMER, RECONCILIATION_SERVICE_PROJECTIONS, RECONCILIATION_TOPICS, ReconciliationModule } from '@pos/reconciliation-application';
import type { ServicePlan } from '@pos/runtime';
import { SETTLEMENT_CONSUMER, SETTLEMENT_PROJECTIONS, SETTLEMENT_TOPICS, SettlementModule } from '@pos/settlement-application';
import { GATEWAY_PROJECTIONS, TerminalGatewayModule } from '@pos/terminal-application';

/**
 * The three services in one process. On the embedded default (no
 * KAFKA_BROKERS/DATABASE_URL) each has its own SQLite store and they talk
 * only through the in-process log: a newcomer needs no Kafka and no database.
 */
export const ledgerPlan: ServicePlan = {
  service: 'ledger',
  title: 'POS settlement ledger (terminal-gateway + settlement + reconciliation)',
  services: ['terminal-gateway', 'settlement', 'reconciliation'],
  consumers: [
    { group: SETTLEMENT_CONSUMER, topics: SETTLEMENT_TOPICS },
    { group: RECONCILIATION_CONSUMER, topics: RECONCILIATION_TOPICS },
  ],
  projections: { 'terminal-gateway': GATEWAY_PROJECTIONS, settlement: SETTLEMENT_PROJECTIONS, reconciliation: RECONCILIATION_SERVICE_PROJECTIONS },
  modules: ({ store, log, background, relay }) => [
    TerminalGatewayModule.register({ store: store('terminal-gateway'), log, background, relay }),
    SettlementModule.register({ store: store('settlement'), log, background, relay }),
    ReconciliationModule.register({ store: store('reconciliation'), log, background, relay }),
  ],
  console: true,
};
