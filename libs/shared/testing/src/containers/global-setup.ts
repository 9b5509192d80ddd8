import type { TestProject } from 'vitest/node';
import { startKafka } from './kafka';
import { startPostgres } from './postgres';
import type { SharedKafkaInfo, SharedPostgresInfo } from './shared';

/**
 * The int tier's globalSetup (vitest.config.ts): one PostgreSQL and one Kafka for every int spec,
 * started side by side once instead of once per file. Specs take their own database, topics and
 * consumer groups from them (`sharedPostgres`, `sharedKafka`). A test that kills or restarts a
 * server must start its own with `startPostgres`/`startKafka` instead: others share these.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = performance.now();
  const [pg, kafka] = await Promise.all([startPostgres(), startKafka()]);
  console.info(`[int] shared PostgreSQL and Kafka started in ${Math.round((performance.now() - t0) / 100) / 10} s`);
  const postgres: SharedPostgresInfo = { host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database };
  project.provide('ledgerPostgres', postgres);
  project.provide('ledgerKafka', { brokers: kafka.brokers } satisfies SharedKafkaInfo);
  return async () => {
    await Promise.all([pg.stop(), kafka.stop()]);
  };
}
