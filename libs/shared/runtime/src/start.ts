import type { DynamicModule } from '@nestjs/common';
import type { MessageLog, RelayOptions, ServiceStore } from '@pos/eventing';
import {
  consumerProbe, createLogger, exitOnSignals, type LedgerEnv, type ReadinessProbe, readEnv, type RunningService, type ServiceParts, startService, storeProbe,
} from '@pos/platform';
import { relayOptionsFromEnv, startBackgroundWorker } from './background';
import { deploymentFromEnv } from './deployment';
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
}

export interface RunningProcess extends RunningService {
  readonly runtime: ServiceRuntime;
}

/** Opens the adapters the configuration selects, then starts the process's modules behind HTTP. */
export const startProcess = async (plan: ServicePlan, env: LedgerEnv = readEnv(), rawEnv: NodeJS.ProcessEnv = process.env): Promise<RunningProcess> => {
  const deployment = deploymentFromEnv(rawEnv, env.dataDir, env.partitions);
  const bootLogger = createLogger(plan.service);
  const runtime = await openRuntime(deployment, plan.services, plan.service, bootLogger);
  const inWorker = deployment.kind === 'embedded' && plan.backgroundWorker !== undefined;
  let worker: { stop(): Promise<void> } | undefined;
  try {
    const running = await startService({
      service: plan.service,
      title: plan.title,
      env,
      modules: (parts) => plan.modules({ store: runtime.store, log: runtime.log, background: !inWorker, relay: relayOptionsFromEnv(rawEnv, parts.logger) }, parts),
      beforeListen: async ({ logger, metrics }) => {
        if (inWorker && deployment.kind === 'embedded')
          worker = await startBackgroundWorker(plan.backgroundWorker!, { service: plan.service, deployment, services: plan.services }, logger, metrics, env.backgroundHeapMb);
      },
      probes: ({ metrics }): ReadinessProbe[] => [
        { name: 'log', check: runtime.checkLog },
        ...plan.services.map((s) => storeProbe(s, runtime.store(s), metrics)),
        ...plan.consumers.map((c) => consumerProbe(c.group, () => runtime.log.lag(c.group, c.topics), metrics)),
      ],
      // After HTTP stopped: the worker's relays publish what the last requests committed, then the stores close.
      release: async () => {
        await worker?.stop();
        await runtime.close();
      },
    });
    running.logger.info({ deployment: deployment.kind }, 'adapters chosen by configuration');
    return { ...running, runtime };
  } catch (e) {
    await worker?.stop().catch(() => undefined);
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
