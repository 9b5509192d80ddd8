import 'reflect-metadata';
import { runMain } from '@pos/runtime';
import { GATEWAY_PROJECTIONS, TerminalGatewayModule } from '@pos/terminal-application';

/** terminal-gateway alone: the terminal API, its store, and its outbox to the log. */
runMain({
  service: 'terminal-gateway',
  title: 'POS settlement ledger: terminal-gateway',
  services: ['terminal-gateway'],
  consumers: [],
  projections: { 'terminal-gateway': GATEWAY_PROJECTIONS },
  modules: ({ store, log, background, relay }) => [TerminalGatewayModule.register({ store: store('terminal-gateway'), log, background, relay })],
});
