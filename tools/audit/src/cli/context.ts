import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { MessageLog, ServiceStore } from '@pos/eventing';
import { readEnv } from '@pos/platform';
import { type Deployment, deploymentFromEnv, openRuntime, openStore, type ServiceName } from '@pos/runtime';
import { CliError, EXIT } from './errors';

export interface GlobalOptions {
  readonly dataDir?: string;
  readonly progress: boolean;
}

export interface AuditContext {
  readonly deployment: Deployment;
  readonly log: MessageLog;
  store(service: ServiceName): ServiceStore;
  /** Recorded in the projection registry while a rebuild runs. */
  readonly owner: string;
  close(): Promise<void>;
}

const quiet = {
  info: () => undefined,
  warn: (obj: object, msg: string) => process.env.LEDGER_AUDIT_DEBUG && process.stderr.write(`warn ${msg} ${JSON.stringify(obj)}\n`),
  error: (obj: object, msg: string) => process.stderr.write(`error ${msg} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? v.message : v))}\n`),
};

/**
 * Opens the same adapters the services use, chosen by the same configuration: the
 * embedded files under the data directory, or Kafka + PostgreSQL when KAFKA_BROKERS and
 * DATABASE_URL are set.
 */
export const openContext = async (options: GlobalOptions, services: readonly ServiceName[]): Promise<AuditContext> => {
  const env = readEnv();
  const dataDir = options.dataDir ? resolve(options.dataDir) : env.dataDir;
  const deployment = deploymentFromEnv(process.env, dataDir, env.partitions);
  if (deployment.kind === 'embedded') {
    // Opening a missing file would create an empty ledger and report nothing: refuse instead.
    const missing = ['log.db', ...services.map((s) => `${s}.db`)].filter((f) => !existsSync(join(dataDir, f)));
    if (missing.length > 0)
      throw new CliError('DATA_NOT_FOUND', `no ledger data in ${dataDir} (missing ${missing.join(', ')}); pass --data-dir or set LEDGER_DATA_DIR, or KAFKA_BROKERS and DATABASE_URL for the microservice deployment`, EXIT.USAGE);
  }
  let runtime;
  try {
    runtime = await openRuntime(deployment, services, 'ledger-audit', quiet);
  } catch (e) {
    throw new CliError('STORE_UNREACHABLE', `could not open the ${deployment.kind} stores: ${e instanceof Error ? e.message : String(e)}`, EXIT.FAILURE);
  }
  return {
    deployment,
    log: runtime.log,
    store: runtime.store,
    owner: `ledger-audit@${hostname()}:${process.pid}`,
    close: () => runtime.close(),
  };
};

/**
 * The back office's token store alone (no log): on the embedded default it is created when
 * missing, so tokens can be issued before the ledger first starts.
 */
export const openAccessStore = async (options: GlobalOptions): Promise<ServiceStore> => {
  const env = readEnv();
  const dataDir = options.dataDir ? resolve(options.dataDir) : env.dataDir;
  const deployment = deploymentFromEnv(process.env, dataDir, env.partitions);
  if (deployment.kind === 'embedded') mkdirSync(dataDir, { recursive: true });
  try {
    return await openStore(deployment, 'access', quiet);
  } catch (e) {
    throw new CliError('STORE_UNREACHABLE', `could not open the ${deployment.kind} access store: ${e instanceof Error ? e.message : String(e)}`, EXIT.FAILURE);
  }
};
