import { hostname } from 'node:os';
import type { DynamicModule } from '@nestjs/common';
import { type MessageLog, OutboxRelay, type ProjectionDefinition, type RelayOptions, type ServiceStore } from '@pos/eventing';
import {
  AccessSessions, AccessTokens, bootstrapVariable, forwardsOf, BACK_OFFICE_ROLES, consumerProbe, createLogger, exitOnSignals, isLoopbackHost, type LedgerEnv, type OpsPeer,
  type ReadinessProbe, readEnv, type RunningService, type ServiceParts, startService, storeProbe,
} from '@pos/platform';
import { relayOptionsFromEnv, startBackgroundWorker } from './background';
import { ConfigurationError, type Deployment, deploymentFromEnv } from './deployment';
import { openRuntime, type ServiceName, type ServiceRuntime } from './service-runtime';

export interface ServicePlan {
  /** Process name in logs and metrics. */
  readonly service: string;
  readonly title: string;
  /** Stores this process owns. */
  readonly services: readonly ServiceName[];
  /** Consumer groups this process runs, for readiness (lag). */
  readonly consumers: ReadonlyArray<{ group: string; topics: readonly string[] }>;
  /**
   * `background`: whether the modules run their own relays, consumers and subscriptions;
   * false when a background worker runs them.
   */
  readonly modules: (deps: { store: (name: ServiceName) => ServiceStore; log: MessageLog; background: boolean; relay: RelayOptions }, parts: ServiceParts) => DynamicModule[];
  /**
   * On the embedded deployment, a worker thread (this built file, see runBackgroundWorker) that
   * runs the background work instead of the modules: SQLite commits are synchronous, and
   * those of consumers and relays would otherwise hold up every HTTP request.
   */
  readonly backgroundWorker?: string;
  /** Serves the web console at /console/ (the embedded ledger; the reconciliation app in the microservices). */
  readonly console?: boolean;
  /**
   * Forwards the terminal gateway's and settlement's routes to LEDGER_GATEWAY_URL and
   * LEDGER_SETTLEMENT_URL (the reconciliation app), so that the console has one origin.
   */
  readonly forwards?: boolean;
  /** The projections of each store this process owns (GET /v1/ops/projections, and their rebuilds). */
  readonly projections?: Partial<Record<ServiceName, readonly ProjectionDefinition[]>>;
  /**
   * Whether /v1/ops also answers for the other services (the reconciliation app, the one that
   * serves the console in the microservices deployment): those named by LEDGER_GATEWAY_URL and
   * LEDGER_SETTLEMENT_URL.
   */
  readonly mergesPeers?: boolean;
}

/** Where the microservices' other apps answer, for the one that merges their /v1/ops answers. */
export const PEER_VARIABLES: Readonly<Record<Exclude<ServiceName, 'reconciliation'>, string>> = { 'terminal-gateway': 'LEDGER_GATEWAY_URL', settlement: 'LEDGER_SETTLEMENT_URL' };

export const opsPeersOf = (plan: Pick<ServicePlan, 'services' | 'mergesPeers'>, env: NodeJS.ProcessEnv): OpsPeer[] => {
  if (!plan.mergesPeers) return [];
  return Object.entries(PEER_VARIABLES).flatMap(([name, variable]) => {
    const raw = env[variable];
    if (!raw || plan.services.includes(name as ServiceName)) return [];
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigurationError(`${variable} must be an http(s) URL, e.g. http://terminal-gateway:3000`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigurationError(`${variable} must be an http(s) URL, e.g. http://terminal-gateway:3000`);
    return [{ name, url: url.toString().replace(/\/+$/, '') }];
  });
};

export interface RunningProcess extends RunningService {
  readonly runtime: ServiceRuntime;
}

/** Whether the well-known development token is accepted: only by the embedded default listening on loopback. */
export const developmentTokenPolicy = (deployment: Deployment, host: string): { accepted: boolean; reason: string } => {
  if (deployment.kind !== 'embedded') return { accepted: false, reason: 'the microservice deployment (Kafka + PostgreSQL)' };
  if (!isLoopbackHost(host)) return { accepted: false, reason: `listening on ${host}, not loopback` };
  return { accepted: true, reason: `the embedded default on ${host}` };
};

/**
 * The microservices start only with a back-office token to check requests against: one from
 * LEDGER_<ROLE>_TOKEN, or one issued into the access store (`npm run tokens -- issue`).
 */
const requireTokens = async (deployment: Deployment, env: LedgerEnv, tokens: AccessTokens): Promise<void> => {
  if (deployment.kind !== 'distributed' || env.bootstrapTokens.length > 0 || (await tokens.activeCount()) > 0) return;
  throw new ConfigurationError(
    `no back-office tokens: set ${BACK_OFFICE_ROLES.map(bootstrapVariable).join(', ')} (256 random bits each, e.g. \`openssl rand -hex 32\`), or issue one with \`npm run tokens -- issue --name NAME --role ROLE\` against this DATABASE_URL; the development token works only on the embedded default on loopback`,
  );
};

/** Opens the adapters the configuration selects, then starts the process's modules behind HTTP. */
export const startProcess = async (plan: ServicePlan, env: LedgerEnv = readEnv(), rawEnv: NodeJS.ProcessEnv = process.env): Promise<RunningProcess> => {
  const deployment = deploymentFromEnv(rawEnv, env.dataDir, env.partitions);
  const bootLogger = createLogger(plan.service);
  const runtime = await openRuntime(deployment, [...plan.services, 'access'], plan.service, bootLogger);
  const inWorker = deployment.kind === 'embedded' && plan.backgroundWorker !== undefined;
  let worker: { stop(): Promise<void> } | undefined;
  let accessRelay: OutboxRelay | undefined;
  try {
    const tokens = new AccessTokens(runtime.store('access'));
    await requireTokens(deployment, env, tokens);
    const running = await startService({
      service: plan.service,
      title: plan.title,
      env,
      modules: (parts) => plan.modules({ store: runtime.store, log: runtime.log, background: !inWorker, relay: relayOptionsFromEnv(rawEnv, parts.logger) }, parts),
      console: plan.console,
      forwards: plan.forwards ? forwardsOf(env) : undefined,
      access: { tokens, sessions: new AccessSessions(runtime.store('access')), development: developmentTokenPolicy(deployment, env.host) },
      ops: {
        service: plan.service,
        projections: plan.services.flatMap((s) => (plan.projections?.[s] ? [{ store: runtime.store(s), log: runtime.log, projections: plan.projections[s] }] : [])),
        consumers: plan.consumers,
        outbox: [...plan.services, 'access' as const].map((s) => ({ service: s, store: runtime.store(s) })),
        log: runtime.log,
        peers: opsPeersOf(plan, rawEnv),
        owner: `${plan.service}@${hostname()}:${process.pid}`,
      },
      beforeListen: async ({ logger, metrics }) => {
        if (inWorker && deployment.kind === 'embedded')
          worker = await startBackgroundWorker(plan.backgroundWorker!, { service: plan.service, deployment, services: plan.services }, logger, metrics, env.backgroundHeapMb);
        // The access events (tokens issued, used, revoked) go to the log too; every process relays them, one at a time.
        else (accessRelay = new OutboxRelay(runtime.store('access'), runtime.log, logger.child({ component: 'access-outbox' }))).start();
      },
      probes: ({ metrics }): ReadinessProbe[] => [
        { name: 'log', check: runtime.checkLog },
        ...[...plan.services, 'access' as const].map((s) => storeProbe(s, runtime.store(s), metrics)),
        ...plan.consumers.map((c) => consumerProbe(c.group, () => runtime.log.lag(c.group, c.topics), metrics)),
      ],
      // After HTTP stopped: the worker's relays publish what the last requests committed, then the stores close.
      release: async () => {
        await worker?.stop();
        await accessRelay?.stop();
        await runtime.close();
      },
    });
    running.logger.info({ deployment: deployment.kind }, 'adapters chosen by configuration');
    if (plan.forwards && !env.gatewayUrl && !env.settlementUrl)
      running.logger.info({}, 'not forwarding the other services\' routes: set LEDGER_GATEWAY_URL and LEDGER_SETTLEMENT_URL for the console to reach them here');
    return { ...running, runtime };
  } catch (e) {
    await worker?.stop().catch(() => undefined);
    await accessRelay?.stop().catch(() => undefined);
    await runtime.close().catch(() => undefined);
    throw e;
  }
};

/** `main.ts` of every app: start, stop cleanly on SIGTERM, exit 1 with a JSON line if start fails. */
export const runMain = (plan: ServicePlan): void => {
  startProcess(plan).then(exitOnSignals, (error) => {
    console.error(JSON.stringify({ level: 'fatal', service: plan.service, msg: 'failed to start', error: String(error?.stack ?? error) }));
    process.exit(1);
  });
};
