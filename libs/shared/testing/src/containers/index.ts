export { startKafka, type KafkaOptions, type StartedKafka } from './kafka';
export { startPostgres, type PostgresOptions, type StartedPostgres } from './postgres';
export { useLocalImages } from './environment';
