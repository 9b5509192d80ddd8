import 'reflect-metadata';
import { ReconciliationModule, RECONCILIATION_CONSUMER, RECONCILIATION_SERVICE_PROJECTIONS, RECONCILIATION_TOPICS } from '@pos/reconciliation-application';
import { runMain } from '@pos/runtime';

/**
 * reconciliation alone: projects daily totals and the audit trail from the log; serves the
 * console, and forwards the other services' routes to them (LEDGER_GATEWAY_URL, LEDGER_SETTLEMENT_URL).
 */
runMain({
  service: 'reconciliation',
  title: 'POS settlement ledger: reconciliation',
  services: ['reconciliation'],
  consumers: [{ group: RECONCILIATION_CONSUMER, topics: RECONCILIATION_TOPICS }],
  projections: { reconciliation: RECONCILIATION_SERVICE_PROJECTIONS },
  // It serves the console: /v1/ops answers for the gateway and settlement too (LEDGER_GATEWAY_URL, LEDGER_SETTLEMENT_URL).
  mergesPeers: true,
  modules: ({ store, log, background, relay }) => [ReconciliationModule.register({ store: store('reconciliation'), log, background, relay })],
  console: true,
  forwards: true,
});
