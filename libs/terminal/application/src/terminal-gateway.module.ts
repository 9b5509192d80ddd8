import { type DynamicModule, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { type MessageLog, OutboxRelay, type RelayOptions, type ServiceStore } from '@pos/eventing';
import { LOGGER, type Logger, MESSAGE_LOG, SERVICE_STORE } from '@pos/platform';
import { AdminController } from './admin.controller';
import { CaptureSaleHandler } from './capture-sale/capture-sale.handler';
import { RefundSaleHandler } from './refund-sale/refund-sale.handler';
import { RegisterTerminalHandler } from './register-terminal/register-terminal.handler';
import { ReverseTransactionHandler } from './reverse-transaction/reverse-transaction.handler';
import { SettleBatchHandler } from './settle-batch/settle-batch.handler';
import { SignOffHandler } from './sign-off/sign-off.handler';
import { SignOnHandler } from './sign-on/sign-on.handler';
import { TerminalApiController } from './terminal-api.controller';
import { TerminalCommandRunner } from './terminal-command.runner';
import { TerminalCredentials } from './terminal-credentials';
import { UnlockOperatorHandler } from './unlock-operator/unlock-operator.handler';
import { EndBatchUploadHandler } from './upload-batch/end-batch-upload.handler';
import { UploadBatchHandler } from './upload-batch/upload-batch.handler';
import { VoidSaleHandler } from './void-sale/void-sale.handler';

/**
 * The gateway's background work: publishing its committed events. Runs beside the HTTP
 * API, or in a worker thread of its own (the embedded ledger), with the same code.
 */
export class GatewayBackground {
  readonly relay: OutboxRelay;
  constructor(deps: GatewayDeps, logger: Logger) {
    this.relay = new OutboxRelay(deps.store, deps.log, logger.child({ component: 'outbox-relay' }), deps.relay);
  }
  async start() {
    this.relay.start();
  }
  async stop() {
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

/** terminal-gateway: terminals, operators, sessions, open batches, capture. */
@Module({})
export class TerminalGatewayModule {
  static register(deps: GatewayDeps): DynamicModule {
    return {
      module: TerminalGatewayModule,
      imports: [CqrsModule],
      controllers: [AdminController, TerminalApiController],
      providers: [
        { provide: SERVICE_STORE, useValue: deps.store },
        { provide: MESSAGE_LOG, useValue: deps.log },
        ...(deps.background === false ? [] : [{ provide: BACKGROUND, useFactory: (logger: Logger) => new GatewayBackground(deps, logger), inject: [LOGGER] }, GatewayLifecycle]),
        TerminalCommandRunner,
        TerminalCredentials,
        RegisterTerminalHandler,
        SignOnHandler,
        CaptureSaleHandler,
        VoidSaleHandler,
        RefundSaleHandler,
        ReverseTransactionHandler,
        SettleBatchHandler,
        UploadBatchHandler,
        EndBatchUploadHandler,
        SignOffHandler,
        UnlockOperatorHandler,
      ],
    };
  }
}
