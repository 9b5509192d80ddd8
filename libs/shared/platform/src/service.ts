import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { systemClock } from '@pos/kernel';
import type { Logger } from 'pino';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type AccessTokens, BackOfficeAccess } from './access';
import { CONSOLE_PATH, consoleMiddleware } from './console';
import { type Forward, forwardMiddleware } from './forward';
import type { AccessSessions } from './session';
import type { LedgerEnv } from './config';
import { CoreModule } from './core.module';
import { createHttpApp } from './http-app';
import { createLogger } from './logger';
import { LedgerMetrics } from './metrics';
import { OpsModule, type ReadinessProbe } from './ops.module';
import type { OpsSources } from './ops.controller';

@Module({})
class ServiceRootModule {
  static register(parts: DynamicModule[]): DynamicModule {
    return { module: ServiceRootModule, imports: [CqrsModule.forRoot(), ...parts] };
  }
}

export interface ServiceParts {
  readonly logger: Logger;
  readonly metrics: LedgerMetrics;
}

export interface RunningService {
  readonly app: INestApplication;
  readonly url: string;
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * Starts one process: the given context modules behind one HTTP server with
 * health, metrics and OpenAPI. `release` closes what the modules were given
 * (stores, logs) after Nest has stopped the consumers and relays.
 */
export const startService = async (o: {
  service: string;
  title: string;
  env: LedgerEnv;
  modules: (parts: ServiceParts) => DynamicModule[];
  /** The back office's tokens and console sessions (the access store), and whether the development token is accepted here. */
  access: { tokens: AccessTokens; sessions: AccessSessions; development: { accepted: boolean; reason: string } };
  probes: (parts: ServiceParts) => ReadinessProbe[];
  /** Serves the web console at /console/ from `env.consoleDir` (the embedded ledger, and the reconciliation app). */
  console?: boolean;
  /** Forwards the other services' routes to them (the reconciliation app in front of the microservices). */
  forwards?: readonly Forward[];
  /** What the operations routes (/v1/ops) answer from: projections, consumers, outboxes, peers. */
  ops?: Omit<OpsSources, 'readiness'>;
  /** Runs once the app is initialised, before it takes requests (e.g. a background worker). */
  beforeListen?: (parts: ServiceParts) => Promise<void>;
  release: () => Promise<void>;
}): Promise<RunningService> => {
  const logger = createLogger(o.service);
  const metrics = new LedgerMetrics();
  const parts = { logger, metrics };
  const access = new BackOfficeAccess({ ...o.access, bootstrap: o.env.bootstrapTokens, clock: systemClock, logger: logger.child({ component: 'access' }) });
  const root = ServiceRootModule.register([
    CoreModule.register({ logger, clock: systemClock, metrics, access, config: {
        scryptCost: o.env.scryptCost,
        terminalCacheEntries: o.env.terminalCacheEntries,
        terminalFront: { host: o.env.host, port: o.env.iso8583Port, keyEncryptionKey: o.env.keyEncryptionKey, developmentKeyAccepted: o.access.development.accepted },
        checkpoints: { signingKey: o.env.checkpointSigningKey, developmentKeyAccepted: o.access.development.accepted, graceSeconds: o.env.checkpointGraceSeconds },
      } }),
    ...o.modules(parts),
    OpsModule.register(metrics, o.probes(parts), o.ops),
  ]);
  const beforeBody = [...(o.forwards?.length ? [forwardMiddleware(o.forwards, logger)] : []), ...(o.console ? [consoleMiddleware(o.env.consoleDir)] : [])];
  const app = await createHttpApp(root, { service: o.service, title: o.title, logger, metrics, beforeBody });
  try {
    await o.beforeListen?.(parts);
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  await app.listen(o.env.port, o.env.host);
  const { port } = app.getHttpServer().address() as { port: number };
  const url = `http://${o.env.host}:${port}`;
  logger.info({ url, dataDir: o.env.dataDir }, `${o.service} started`);
  if (o.console) {
    if (existsSync(join(o.env.consoleDir, 'index.html'))) logger.info({ console: `${url}${CONSOLE_PATH}`, dir: o.env.consoleDir }, 'the console is served');
    else logger.warn({ dir: o.env.consoleDir }, `no console in ${o.env.consoleDir} (npm run build, or LEDGER_CONSOLE_DIR): ${CONSOLE_PATH} answers a 404 page`);
  }
  for (const f of o.forwards ?? []) logger.info({ service: f.service, target: f.target.origin, prefixes: f.prefixes }, `forwarding ${f.prefixes.join(', ')} to ${f.service}`);
  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    logger,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await o.release();
      })()),
  };
};

/** SIGTERM/SIGINT: stop taking requests, let consumers finish the message in hand, close stores, exit. */
export const exitOnSignals = (service: RunningService): void => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      service.logger.info({ signal }, 'shutting down');
      service.close().then(
        () => process.exit(0),
        (e) => {
          service.logger.error({ err: e }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
};

/** Readiness of a service store: answers, and how much of its outbox is unpublished. */
export const storeProbe = (name: string, store: { outboxBacklog(): Promise<number> }, metrics: LedgerMetrics): ReadinessProbe => ({
  name: `${name}-store`,
  check: async () => {
    const backlog = await store.outboxBacklog();
    metrics.outboxBacklog.set({ service: name }, backlog);
    return { outboxBacklog: backlog };
  },
});

/** Readiness of a consumer group: how far behind the log it is. */
export const consumerProbe = (group: string, lag: () => Promise<number>, metrics: LedgerMetrics): ReadinessProbe => ({
  name: `${group}-consumer`,
  check: async () => {
    const value = await lag();
    metrics.consumerLag.set({ service: group, consumer: group }, value);
    return { lag: value };
  },
});
