export { startKafka, type KafkaOptions, type StartedKafka } from './kafka';
export { startPostgres, type PostgresOptions, type StartedPostgres } from './postgres';
export { sharedKafka, sharedPostgres, type SpecDatabase } from './shared';
export { useLocalImages } from './environment';
