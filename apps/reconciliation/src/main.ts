import 'reflect-metadata';
import { openEmbedded } from '@pos/embedded';
import { consumerProbe, exitOnSignals, readEnv, startService, storeProbe } from '@pos/platform';
import { RECONCILIATION_CONSUMER, RECONCILIATION_TOPICS, ReconciliationModule } from '@pos/reconciliation-application';

/** reconciliation on its own: projects daily totals and the audit trail from the shared log. */
const env = readEnv();
const rt = openEmbedded(env.dataDir, env.partitions, ['reconciliation']);
const store = rt.store('reconciliation');
startService({
  service: 'reconciliation',
  title: 'POS settlement ledger: reconciliation',
  env,
  modules: () => [ReconciliationModule.register({ store, log: rt.log })],
  probes: ({ metrics }) => [
    storeProbe('reconciliation', store, metrics),
    consumerProbe(RECONCILIATION_CONSUMER, () => rt.log.lag(RECONCILIATION_CONSUMER, RECONCILIATION_TOPICS), metrics),
  ],
  release: rt.close,
}).then(exitOnSignals, (error) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'reconciliation failed to start', error: String(error?.stack ?? error) }));
  process.exit(1);
});
