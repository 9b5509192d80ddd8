import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Clock } from '@pos/kernel';
import type { Logger } from 'pino';
import type { LedgerMetrics } from './metrics';
import { CLOCK, LEDGER_CONFIG, type LedgerConfig, LOGGER, METRICS } from './tokens';

/** Process-wide services every context module may inject: logger, clock, metrics, config. */
@Global()
@Module({})
export class CoreModule {
  static register(o: { logger: Logger; clock: Clock; metrics: LedgerMetrics; config: LedgerConfig }): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: LOGGER, useValue: o.logger },
        { provide: CLOCK, useValue: o.clock },
        { provide: METRICS, useValue: o.metrics },
        { provide: LEDGER_CONFIG, useValue: o.config },
      ],
      exports: [LOGGER, CLOCK, METRICS, LEDGER_CONFIG],
    };
  }
}
