import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Clock } from '@pos/kernel';
import type { Logger } from 'pino';
import type { BackOfficeAccess } from './access';
import { AccessGuard } from './access.guard';
import { SessionController } from './session.controller';
import type { LedgerMetrics } from './metrics';
import { BACK_OFFICE_ACCESS, CLOCK, LEDGER_CONFIG, type LedgerConfig, LOGGER, METRICS } from './tokens';

/** Process-wide services every context module may inject: logger, clock, metrics, config; the guard every route passes, and the console's sign-in. */
@Global()
@Module({})
export class CoreModule {
  static register(o: { logger: Logger; clock: Clock; metrics: LedgerMetrics; config: LedgerConfig; access: BackOfficeAccess }): DynamicModule {
    return {
      module: CoreModule,
      // Every service signs in: a session made on one is taken by all (they share the access store).
      controllers: [SessionController],
      providers: [
        { provide: LOGGER, useValue: o.logger },
        { provide: CLOCK, useValue: o.clock },
        { provide: METRICS, useValue: o.metrics },
        { provide: LEDGER_CONFIG, useValue: o.config },
        { provide: BACK_OFFICE_ACCESS, useValue: o.access },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
      exports: [LOGGER, CLOCK, METRICS, LEDGER_CONFIG, BACK_OFFICE_ACCESS],
    };
  }
}
