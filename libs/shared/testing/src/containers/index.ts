// The int tier's shared servers are `@pos/testing/shared-containers`: they read vitest's injected
// context, so they stay out of this entry, which benchmarks and tools import outside vitest.
export { startKafka, type KafkaOptions, type StartedKafka } from './kafka';
export { startPostgres, type PostgresOptions, type StartedPostgres } from './postgres';
export { freeLoopbackPort, useLocalImages } from './environment';
