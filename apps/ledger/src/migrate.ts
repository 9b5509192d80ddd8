import 'reflect-metadata';
import { createLogger, readEnv } from '@pos/platform';
import { deploymentFromEnv, openRuntime } from '@pos/runtime';

/** `npm run migrate`: applies every service's schema migrations (they also run on start-up; both are safe twice). */
const env = readEnv();
const logger = createLogger('migrate');
openRuntime(deploymentFromEnv(process.env, env.dataDir, env.partitions), ['terminal-gateway', 'settlement', 'reconciliation'], 'migrate', logger)
  .then(async (rt) => {
    logger.info({ deployment: rt.deployment }, 'schemas are up to date');
    await rt.close();
  })
  .catch((e) => {
    logger.error({ err: e }, 'migration failed');
    process.exit(1);
  });
