import 'reflect-metadata';
import { openEmbedded } from '@pos/embedded';
import { exitOnSignals, readEnv, startService, storeProbe } from '@pos/platform';
import { TerminalGatewayModule } from '@pos/terminal-application';

/** terminal-gateway on its own: the terminal API, its store, its outbox to the shared log. */
const env = readEnv();
const rt = openEmbedded(env.dataDir, env.partitions, ['terminal-gateway']);
const store = rt.store('terminal-gateway');
startService({
  service: 'terminal-gateway',
  title: 'POS settlement ledger: terminal-gateway',
  env,
  modules: () => [TerminalGatewayModule.register({ store, log: rt.log })],
  probes: ({ metrics }) => [storeProbe('terminal-gateway', store, metrics)],
  release: rt.close,
}).then(exitOnSignals, (error) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'terminal-gateway failed to start', error: String(error?.stack ?? error) }));
  process.exit(1);
});
