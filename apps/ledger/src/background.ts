import 'reflect-metadata';
import { ReconciliationRuntime } from '@pos/reconciliation-application';
import { runBackgroundWorker } from '@pos/runtime';
import { SettlementRuntime } from '@pos/settlement-application';
import { GatewayBackground } from '@pos/terminal-application';

/** The embedded ledger's background worker thread: the three services' relays, consumers and subscriptions. */
runBackgroundWorker(({ store, log, logger, metrics, relay }) => {
  const gateway = new GatewayBackground({ store: store('terminal-gateway'), log, relay }, logger);
  const settlement = new SettlementRuntime({ store: store('settlement'), log, relay }, logger, metrics);
  const reconciliation = new ReconciliationRuntime({ store: store('reconciliation'), log, relay }, logger, metrics);
  return [
    gateway,
    { start: () => settlement.onApplicationBootstrap(), stop: () => settlement.onApplicationShutdown() },
    { start: () => reconciliation.onApplicationBootstrap(), stop: () => reconciliation.onApplicationShutdown() },
  ];
});
