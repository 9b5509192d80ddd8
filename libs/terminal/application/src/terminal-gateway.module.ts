import { type DynamicModule, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type MessageLog, OutboxRelay, type RelayOptions, type ServiceStore, StoreSubscription } from '@pos/eventing';
import { LOGGER, type Logger, MESSAGE_LOG, SERVICE_STORE } from '@pos/platform';
import { AdminController } from './admin.controller';
import { TerminalApiController } from './terminal-api.controller';
import { TerminalCommandRunner } from './terminal-command.runner';
import { TerminalCredentials } from './terminal-credentials';
import { TerminalRequestHandler } from './terminal-requests';
import { RegisterTerminal } from './register-terminal/register-terminal';
import { IsoServer } from './iso8583/iso-server';
import { TerminalKeyVault } from './iso8583/terminal-key-vault';
import { applyToTerminalList, TERMINAL_LIST_SUBSCRIPTION } from './terminal-list/terminal-list.projector';

/**
 * The gateway's background work: publishing its committed events, and folding them into the
 * terminal list. Runs beside the HTTP API, or in a worker thread of its own (the embedded
 * ledger), with the same code.
 */
export class GatewayBackground {
  readonly relay: OutboxRelay;
  readonly terminalList: StoreSubscription;
  constructor(deps: GatewayDeps, logger: Logger) {
    this.relay = new OutboxRelay(deps.store, deps.log, logger.child({ component: 'outbox-relay' }), deps.relay);
    this.terminalList = new StoreSubscription(deps.store, TERMINAL_LIST_SUBSCRIPTION, applyToTerminalList, logger.child({ component: 'terminal-list' }));
  }
  async start() {
    this.relay.start();
    this.terminalList.start();
  }
  async stop() {
    await this.terminalList.stop();
    await this.relay.stop();
  }
}

const BACKGROUND = Symbol('GATEWAY_BACKGROUND');

/** Runs the background work for as long as the app runs. */
class GatewayLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(BACKGROUND) private readonly background: GatewayBackground) {}
  onApplicationBootstrap() {
    return this.background.start();
  }
  onApplicationShutdown() {
    return this.background.stop();
  }
}

export interface GatewayDeps {
  readonly store: ServiceStore;
  readonly log: MessageLog;
  /** Run the relay in this app (default), or leave it to a background worker. */
  readonly background?: boolean;
  readonly relay?: RelayOptions;
}

/** terminal-gateway: terminals, operators, sessions, open batches, capture; over HTTP and ISO 8583. */
@Module({})
export class TerminalGatewayModule {
  static register(deps: GatewayDeps): DynamicModule {
    return {
      module: TerminalGatewayModule,
      controllers: [AdminController, TerminalApiController],
      providers: [
        { provide: SERVICE_STORE, useValue: deps.store },
        { provide: MESSAGE_LOG, useValue: deps.log },
        ...(deps.background === false ? [] : [{ provide: BACKGROUND, useFactory: (logger: Logger) => new GatewayBackground(deps, logger), inject: [LOGGER] }, GatewayLifecycle]),
        TerminalCommandRunner,
        TerminalCredentials,
        TerminalRequestHandler,
        RegisterTerminal,
        TerminalKeyVault,
        // The ISO 8583 front, on LEDGER_ISO8583_PORT beside the HTTP API, in both deployments.
        IsoServer,
      ],
    };
  }
}
