import { type DynamicModule, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Consumer, type MessageLog, type ServiceStore, startIdempotentConsumer } from '@pos/eventing';
import { LOGGER, type LedgerMetrics, type Logger, METRICS, SERVICE_STORE } from '@pos/platform';
import { AuditTrailController } from './audit-trail/audit-trail.controller';
import { DailyTotalsController } from './daily-totals/daily-totals.controller';
import { applyToReconciliation, RECONCILIATION_CONSUMER, RECONCILIATION_TOPICS } from './reconciliation.projector';

const DEPS = Symbol('RECONCILIATION_DEPS');

export interface ReconciliationDeps {
  readonly store: ServiceStore;
  readonly log: MessageLog;
}

export class ReconciliationRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: Consumer;

  constructor(
    @Inject(DEPS) private readonly deps: ReconciliationDeps,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) private readonly metrics: LedgerMetrics,
  ) {}

  async onApplicationBootstrap() {
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
  }
}

/** reconciliation: daily totals and the audit trail (clearing files and breaks come next). */
@Module({})
export class ReconciliationModule {
  static register(deps: ReconciliationDeps): DynamicModule {
    return {
      module: ReconciliationModule,
      controllers: [DailyTotalsController, AuditTrailController],
      providers: [{ provide: DEPS, useValue: deps }, { provide: SERVICE_STORE, useValue: deps.store }, ReconciliationRuntime],
      exports: [ReconciliationRuntime],
    };
  }
}
