import { type DynamicModule, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Consumer, type MessageLog, OutboxRelay, type RelayOptions, type ServiceStore, startIdempotentConsumer, StoreSubscription } from '@pos/eventing';
import { LOGGER, type LedgerMetrics, type Logger, METRICS, SERVICE_STORE } from '@pos/platform';
import { applyToLedgerBalances, LEDGER_BALANCES_SUBSCRIPTION } from './ledger-balances/ledger-balances.projector';
import { SettlementQueriesController } from './list-settlements/settlement-queries.controller';
import { PricingController } from './pricing/pricing.controller';
import { applyToSettlement, SETTLEMENT_CONSUMER, SETTLEMENT_TOPICS } from './settle-batch/settlement.projector';

const DEPS = Symbol('SETTLEMENT_DEPS');

export interface SettlementDeps {
  readonly store: ServiceStore;
  readonly log: MessageLog;
  /** Run the consumer, relay and subscription in this app (default), or leave them to a background worker. */
  readonly background?: boolean;
  readonly relay?: RelayOptions;
}

/**
 * Runs the settlement consumer and publishes settlement events while the app is up (or in
 * a worker thread of the embedded ledger: a plain class, constructed there directly).
 */
export class SettlementRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: Consumer;
  readonly relay: OutboxRelay;
  readonly balances: StoreSubscription;

  constructor(
    @Inject(DEPS) private readonly deps: SettlementDeps,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) private readonly metrics: LedgerMetrics,
  ) {
    this.relay = new OutboxRelay(deps.store, deps.log, logger.child({ component: 'settlement-outbox' }), deps.relay);
    this.balances = new StoreSubscription(deps.store, LEDGER_BALANCES_SUBSCRIPTION, applyToLedgerBalances, logger.child({ component: 'ledger-balances' }));
  }

  async onApplicationBootstrap() {
    this.relay.start();
    this.balances.start();
    this.consumer = await startIdempotentConsumer({
      name: SETTLEMENT_CONSUMER,
      topics: SETTLEMENT_TOPICS,
      store: this.deps.store,
      log: this.deps.log,
      logger: this.logger.child({ component: 'settlement-consumer' }),
      apply: applyToSettlement,
      onApplied: (e) => this.metrics.consumed.inc({ service: 'settlement', consumer: SETTLEMENT_CONSUMER, type: e.type }),
      onDeadLetter: (code) => this.metrics.deadLettered.inc({ service: 'settlement', consumer: SETTLEMENT_CONSUMER, code }),
    });
  }

  lag() {
    return this.consumer?.lag() ?? Promise.resolve(0);
  }

  async onApplicationShutdown() {
    await this.consumer?.stop();
    await this.balances.stop();
    await this.relay.stop();
  }
}

/** settlement: the double-entry ledger, merchant pricing, payouts. */
@Module({})
export class SettlementModule {
  static register(deps: SettlementDeps): DynamicModule {
    return {
      module: SettlementModule,
      controllers: [SettlementQueriesController, PricingController],
      providers: [{ provide: DEPS, useValue: deps }, { provide: SERVICE_STORE, useValue: deps.store }, ...(deps.background === false ? [] : [SettlementRuntime])],
    };
  }
}
