import { type DynamicModule, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  applyLiveBatch, type Consumer, type MessageLog, OutboxRelay, type RelayOptions, type ServiceStore, startIdempotentConsumer, StoreSubscription, storePosition,
} from '@pos/eventing';
import { checkpointSignerFrom } from '@pos/eventing';
import type { Clock } from '@pos/kernel';
import { CLOCK, LEDGER_CONFIG, type LedgerConfig, LOGGER, type LedgerMetrics, type Logger, METRICS, SERVICE_STORE } from '@pos/platform';
import { CheckpointRecorder } from './checkpoint/checkpoint-recorder';
import { CheckpointsController } from './checkpoint/checkpoints.controller';
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

/** Runs the checkpoint recorder's cut-off timer for as long as the app runs. */
class CheckpointSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(CheckpointRecorder) private readonly recorder: CheckpointRecorder) {}
  onApplicationBootstrap() {
    this.recorder.start();
  }
  onApplicationShutdown() {
    return this.recorder.stop();
  }
}

/**
 * The recorder of daily checkpoints, in the process that serves reconciliation (the embedded
 * ledger's HTTP thread, or the reconciliation service): it signs with the configured key, and
 * refuses to start without one except on the embedded default on loopback.
 */
const checkpointRecorder = {
  provide: CheckpointRecorder,
  inject: [DEPS, LEDGER_CONFIG, CLOCK, LOGGER],
  useFactory: (deps: ReconciliationDeps, config: LedgerConfig, clock: Clock, logger: Logger) => {
    const c = config.checkpoints ?? { developmentKeyAccepted: false, graceSeconds: 300 };
    const signer = checkpointSignerFrom(c.signingKey, c.developmentKeyAccepted);
    const log = logger.child({ component: 'checkpoints' });
    log.info({ keyId: signer.keyId, development: signer.development }, 'daily checkpoints signed with this key');
    return new CheckpointRecorder(deps.store, deps.log, signer, clock, log, { graceSeconds: c.graceSeconds });
  },
};

/** reconciliation: daily totals, the audit trail, and three-way reconciliation against acquirer clearing files. */
@Module({})
export class ReconciliationModule {
  static register(deps: ReconciliationDeps): DynamicModule {
    return {
      module: ReconciliationModule,
      controllers: [DailyTotalsController, AuditTrailController, ClearingReconciliationController, CheckpointsController],
      providers: [
        { provide: DEPS, useValue: deps }, { provide: SERVICE_STORE, useValue: deps.store }, checkpointRecorder, CheckpointSchedule,
        ...(deps.background === false ? [] : [ReconciliationRuntime]),
      ],
    };
  }
}
