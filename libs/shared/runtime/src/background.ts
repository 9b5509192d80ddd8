import { parentPort, Worker, workerData } from 'node:worker_threads';
import { type MessageLog, OutboxRelay, type RelayOptions, type ServiceStore } from '@pos/eventing';
import { createLogger, LedgerMetrics, type Logger } from '@pos/platform';
import type { Deployment } from './deployment';
import { openRuntime, type ServiceName, type StoreName } from './service-runtime';

/** Background work of a service: relays, consumers, subscriptions. */
export interface Background {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface BackgroundDeps {
  readonly store: (name: StoreName) => ServiceStore;
  readonly log: MessageLog;
  readonly logger: Logger;
  readonly metrics: LedgerMetrics;
  readonly relay: RelayOptions;
}

interface WorkerData {
  readonly service: string;
  readonly deployment: Extract<Deployment, { kind: 'embedded' }>;
  readonly services: readonly ServiceName[];
}

type FromWorker = { type: 'ready' } | { type: 'failed'; error: string } | { type: 'stopped' } | { type: 'metrics'; id: number; metrics: unknown };

/**
 * Where the `LEDGER_FAULT_POINT` environment variable names one, the relay stops for good at
 * that point after saying so on stderr: fault tests kill the process there, on that signal.
 * (`relay-after-publish`: a batch is on the log and still in the outbox.) Never set in production.
 */
export const relayOptionsFromEnv = (env: NodeJS.ProcessEnv, logger: Pick<Logger, 'warn'>): RelayOptions => {
  if (env.LEDGER_FAULT_POINT !== 'relay-after-publish') return {};
  // `LEDGER_FAULT_AFTER_EVENTS`: only once the relay has published that many events (so a test's terminals are registered and trading).
  let published = 0;
  const after = Number(env.LEDGER_FAULT_AFTER_EVENTS ?? 0);
  return {
    afterPublish: async (records) => {
      published += records.length;
      if (published < after) return;
      logger.warn({ faultPoint: 'relay-after-publish', events: records.length }, 'fault point reached: relay stopped between publish and delete');
      process.stderr.write(`${JSON.stringify({ faultPoint: 'relay-after-publish', events: records.length })}\n`);
      await new Promise(() => undefined);
    },
  };
};

/**
 * Runs the services' background work in a worker thread (the embedded ledger), so the
 * synchronous SQLite commits of consumers and relays never hold up the HTTP thread. The
 * worker opens its own connections to the same files; SQLite's own locking keeps the two
 * threads' writes apart. A worker that fails takes the process down: a read side that
 * silently stopped would be worse.
 */
export const startBackgroundWorker = async (
  file: string,
  data: WorkerData,
  logger: Logger,
  metrics: LedgerMetrics,
  heapMb: number,
): Promise<{ stop(): Promise<void> }> => {
  const worker = new Worker(file, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the background worker exited with ${code} before it was ready`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (m: FromWorker) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (m.type === 'ready') resolve();
      else reject(new Error(`the background worker did not start: ${m.type === 'failed' ? m.error : m.type}`));
    });
  });
  let stopping = false;
  worker.on('error', (e) => {
    logger.fatal({ err: e }, 'background worker failed; exiting');
    process.exit(1);
  });
  worker.on('exit', (code) => {
    if (stopping) return;
    logger.fatal({ code }, 'background worker exited; exiting');
    process.exit(1);
  });
  let nextId = 0;
  const pending = new Map<number, (metrics: unknown) => void>();
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'metrics') pending.get(m.id)?.(m.metrics);
  });
  metrics.addSource(
    () =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, (value) => {
          pending.delete(id);
          resolve(value as never);
        });
        worker.postMessage({ type: 'metrics', id });
      }),
  );
  return {
    stop: async () => {
      stopping = true;
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (m: FromWorker) => m.type === 'stopped' && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'stop' });
      await stopped;
      await worker.terminate();
    },
  };
};

/** The body of a background worker thread: opens its adapters, starts what `build` gives, stops it on request. */
export const runBackgroundWorker = (build: (deps: BackgroundDeps) => readonly Background[]): void => {
  const port = parentPort;
  if (!port) throw new Error('runBackgroundWorker runs in a worker thread');
  const data = workerData as WorkerData;
  const logger = createLogger(data.service).child({ thread: 'background' });
  const metrics = new LedgerMetrics({ defaultMetrics: false });
  void (async () => {
    const runtime = await openRuntime(data.deployment, [...data.services, 'access'], `${data.service}-background`, logger);
    const parts = [...build({ store: runtime.store, log: runtime.log, logger, metrics, relay: relayOptionsFromEnv(process.env, logger) })];
    // The access events (tokens issued, used, revoked) are relayed here too, as every process relays them.
    const accessRelay = new OutboxRelay(runtime.store('access'), runtime.log, logger.child({ component: 'access-outbox' }));
    parts.push({ start: async () => accessRelay.start(), stop: () => accessRelay.stop() });
    for (const p of parts) await p.start();
    port.on('message', async (m: { type: 'stop' } | { type: 'metrics'; id: number }) => {
      if (m.type === 'metrics') port.postMessage({ type: 'metrics', id: m.id, metrics: await metrics.registry.getMetricsAsJSON() });
      if (m.type === 'stop') {
        for (const p of [...parts].reverse()) await p.stop();
        await runtime.close();
        port.postMessage({ type: 'stopped' });
        port.close();
      }
    });
    port.postMessage({ type: 'ready' });
  })().catch((e: unknown) => {
    logger.error({ err: e }, 'background worker failed to start');
    port.postMessage({ type: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  });
};
