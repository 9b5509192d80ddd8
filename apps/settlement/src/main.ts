import 'reflect-metadata';
import { openEmbedded } from '@pos/embedded';
import { consumerProbe, exitOnSignals, readEnv, startService, storeProbe } from '@pos/platform';
import { SETTLEMENT_CONSUMER, SETTLEMENT_TOPICS, SettlementModule } from '@pos/settlement-application';

/** settlement on its own: consumes terminal events from the shared log, posts journals, publishes its own. */
const env = readEnv();
const rt = openEmbedded(env.dataDir, env.partitions, ['settlement']);
const store = rt.store('settlement');
startService({
  service: 'settlement',
  title: 'POS settlement ledger: settlement',
  env,
  modules: () => [SettlementModule.register({ store, log: rt.log })],
  probes: ({ metrics }) => [storeProbe('settlement', store, metrics), consumerProbe(SETTLEMENT_CONSUMER, () => rt.log.lag(SETTLEMENT_CONSUMER, SETTLEMENT_TOPICS), metrics)],
  release: rt.close,
}).then(exitOnSignals, (error) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'settlement failed to start', error: String(error?.stack ?? error) }));
  process.exit(1);
});
