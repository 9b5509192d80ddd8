import { Controller, type DynamicModule, Get, Header, Inject, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { RouteAccessOf } from './access.guard';
import { OPS_SOURCES, OpsController, type OpsSources, type ProbeResult } from './ops.controller';
import { METRICS } from './tokens';
import type { LedgerMetrics } from './metrics';

/** A dependency whose state readiness reports: the store, the log, a consumer. */
export interface ReadinessProbe {
  readonly name: string;
  check(): Promise<Record<string, unknown>>;
}

const PROBES = Symbol('READINESS_PROBES');

@ApiExcludeController()
@RouteAccessOf('public')
@Controller('health')
class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(PROBES) private readonly probes: ReadinessProbe[],
  ) {}

  /** Liveness: the process answers. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([async () => this.indicators.check('process').up({ pid: process.pid })]);
  }

  /** Readiness: every dependency answers (store, log, consumers). */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.probes.map((p) => async () => {
        const session = this.indicators.check(p.name);
        try {
          return session.up(await p.check());
        } catch (e) {
          return session.down({ message: e instanceof Error ? e.message : String(e) });
        }
      }),
    );
  }
}

@ApiExcludeController()
@RouteAccessOf('public')
@Controller('metrics')
class MetricsController {
  constructor(
    @Inject(METRICS) private readonly metrics: LedgerMetrics,
    @Inject(PROBES) private readonly probes: ReadinessProbe[],
  ) {}

  /** A scrape refreshes the gauges the probes own (consumer lag, outbox backlog) first. */
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async scrape() {
    await Promise.all(this.probes.map((p) => p.check().catch(() => undefined)));
    return this.metrics.scrape();
  }
}

/** Every probe's answer, a failure as `down` with its message. */
const readinessOf = (probes: readonly ReadinessProbe[]) => async (): Promise<Record<string, ProbeResult>> =>
  Object.fromEntries(
    await Promise.all(
      probes.map(async (p): Promise<[string, ProbeResult]> => {
        try {
          return [p.name, { status: 'up', ...(await p.check()) }];
        } catch (e) {
          return [p.name, { status: 'down', message: e instanceof Error ? e.message : String(e) }];
        }
      }),
    ),
  );

/** Health (@nestjs/terminus) and Prometheus metrics for one process; with `ops`, the operations routes (/v1/ops) too. */
@Module({})
export class OpsModule {
  static register(metrics: LedgerMetrics, probes: ReadinessProbe[], ops?: Omit<OpsSources, 'readiness'>): DynamicModule {
    return {
      module: OpsModule,
      imports: [TerminusModule],
      controllers: [HealthController, MetricsController, ...(ops ? [OpsController] : [])],
      providers: [
        { provide: METRICS, useValue: metrics },
        { provide: PROBES, useValue: probes },
        ...(ops ? [{ provide: OPS_SOURCES, useValue: { ...ops, readiness: readinessOf(probes) } }] : []),
      ],
    };
  }
}
