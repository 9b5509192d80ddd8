import type { DynamicModule } from '@nestjs/common';
import type { MessageLog, ServiceStore } from '@pos/eventing';
import {
  consumerProbe, createLogger, exitOnSignals, type LedgerEnv, type ReadinessProbe, readEnv, type RunningService, type ServiceParts, startService, storeProbe,
} from '@pos/platform';
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
  readonly modules: (deps: { store: (name: ServiceName) => ServiceStore; log: MessageLog }, parts: ServiceParts) => DynamicModule[];
}

export interface RunningProcess extends RunningService {
  readonly runtime: ServiceRuntime;
}

/** Opens the adapters the configuration selects, then starts the process's modules behind HTTP. */
export const startProcess = async (plan: ServicePlan, env: LedgerEnv = readEnv(), rawEnv: NodeJS.ProcessEnv = process.env): Promise<RunningProcess> => {
  const deployment = deploymentFromEnv(rawEnv, env.dataDir, env.partitions);
  const bootLogger = createLogger(plan.service);
  const runtime = await openRuntime(deployment, plan.services, plan.service, bootLogger);
  try {
    const running = await startService({
      service: plan.service,
      title: plan.title,
      env,
      modules: (parts) => plan.modules({ store: runtime.store, log: runtime.log }, parts),
      probes: ({ metrics }): ReadinessProbe[] => [
        { name: 'log', check: runtime.checkLog },
        ...plan.services.map((s) => storeProbe(s, runtime.store(s), metrics)),
        ...plan.consumers.map((c) => consumerProbe(c.group, () => runtime.log.lag(c.group, c.topics), metrics)),
      ],
      release: runtime.close,
    });
    running.logger.info({ deployment: deployment.kind }, 'adapters chosen by configuration');
    return { ...running, runtime };
  } catch (e) {
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
