import { type DynamicModule, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  applyLiveBatch, type Consumer, type MessageLog, OutboxRelay, type RelayOptions, type ServiceStore, startIdempotentConsumer, StoreSubscription, storePosition,
} from '@pos/eventing';
import { LOGGER, type LedgerMetrics, type Logger, METRICS, SERVICE_STORE } from '@pos/platform';
import { AuditTrailController } from './audit-trail/audit-trail.controller';
import { BREAKS_PROJECTION, BREAKS_SUBSCRIPTION } from './breaks/breaks.projector';
import { ClearingReconciliationController } from './clearing-reconciliation/clearing-reconciliation.controller';
import { DailyTotalsController } from './daily-totals/daily-totals.controller';
import { applyToReconciliation, RECONCILIATION_CONSUMER, RECONCILIATION_TOPICS } from './reconciliation.projector';

const DEPS = Symbol('RECONCILIATION_DEPS');

export interface ReconciliationDeps {
  readonly store: ServiceStore;
  readonly log: MessageLog;
  /** Run the consumer, relay and subscription in this app (default), or leave them to a background worker. */
  readonly background?: boolean;
  readonly relay?: RelayOptions;
}

/** The reconciliation projections' background work (a plain class: a worker thread of the embedded ledger constructs it directly). */
export class ReconciliationRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: Consumer;
  /** Publishes reconciliation's own events (clearing files, breaks, runs, DayReconciled). */
  readonly relay: OutboxRelay;
  /** Breaks and runs, folded from reconciliation's own events. */
  readonly breaks: StoreSubscription;

  constructor(
    @Inject(DEPS) private readonly deps: ReconciliationDeps,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) private readonly metrics: LedgerMetrics,
  ) {
    this.relay = new OutboxRelay(deps.store, deps.log, logger.child({ component: 'reconciliation-outbox' }), deps.relay);
    this.breaks = new StoreSubscription(deps.store, BREAKS_SUBSCRIPTION, (events, tx) => applyLiveBatch([BREAKS_PROJECTION], events.map((event) => ({ event, at: storePosition(event) })), tx), logger.child({ component: 'breaks' }));
  }

  async onApplicationBootstrap() {
    this.relay.start();
    this.breaks.start();
    this.consumer = await startIdempotentConsumer({
      name: RECONCILIATION_CONSUMER,
      topics: RECONCILIATION_TOPICS,
      store: this.deps.store,
      log: this.deps.log,
      logger: this.logger.child({ component: 'reconciliation-consumer' }),
      apply: applyToReconciliation,
      onApplied: (e) => {
        this.metrics.consumed.inc({ service: 'reconciliation', consumer: RECONCILIATION_CONSUMER, type: e.type });
        this.metrics.projectionPosition.inc({ service: 'reconciliation', projection: 'daily-totals+audit-trail' });
      },
      onDeadLetter: (code) => this.metrics.deadLettered.inc({ service: 'reconciliation', consumer: RECONCILIATION_CONSUMER, code }),
    });
  }

  lag() {
    return this.consumer?.lag() ?? Promise.resolve(0);
  }

  async onApplicationShutdown() {
    await this.consumer?.stop();
    await this.breaks.stop();
    await this.relay.stop();
  }
}

/** reconciliation: daily totals, the audit trail, and three-way reconciliation against acquirer clearing files. */
@Module({})
export class ReconciliationModule {
  static register(deps: ReconciliationDeps): DynamicModule {
    return {
      module: ReconciliationModule,
      controllers: [DailyTotalsController, AuditTrailController, ClearingReconciliationController],
      providers: [{ provide: DEPS, useValue: deps }, { provide: SERVICE_STORE, useValue: deps.store }, ...(deps.background === false ? [] : [ReconciliationRuntime])],
    };
  }
}
