import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { DEFAULT_CONSUMER_TUNING, type KafkaConsumerTuning } from '@pos/kafka';

/**
 * Which adapters a process uses, chosen by configuration only: the embedded
 * default (SQLite + in-process log) unless both KAFKA_BROKERS and
 * DATABASE_URL are set, which selects Kafka + PostgreSQL.
 */
export type Deployment =
  | { readonly kind: 'embedded'; readonly dataDir: string; readonly partitions: number }
  | {
      readonly kind: 'distributed';
      readonly brokers: readonly string[];
      readonly partitions: number;
      readonly replicationFactor: number;
      readonly kafkaSsl?: boolean | ConnectionOptions;
      readonly kafkaSasl?: SASLOptions;
      readonly kafkaConsumer: KafkaConsumerTuning;
      readonly databaseUrl: string;
      readonly databaseSsl?: boolean | ConnectionOptions;
    };

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigurationError(`${name} must be an integer in [${min}, ${max}]`);
  return n;
};

const tls = (env: NodeJS.ProcessEnv, flag: string, caFile: string): boolean | ConnectionOptions | undefined => {
  const on = env[flag];
  if (on === undefined || on === '' || on === 'false') return undefined;
  if (on !== 'true') throw new ConfigurationError(`${flag} must be true or false`);
  const ca = env[caFile];
  return ca ? { ca: [readFileSync(ca, 'utf8')], rejectUnauthorized: true } : true;
};

const sasl = (env: NodeJS.ProcessEnv): SASLOptions | undefined => {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (!mechanism) return undefined;
  const username = env.KAFKA_SASL_USERNAME;
  const password = env.KAFKA_SASL_PASSWORD;
  if (!username || !password) throw new ConfigurationError('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM');
  if (mechanism === 'plain') return { mechanism, username, password };
  if (mechanism === 'scram-sha-256' || mechanism === 'scram-sha-512') return { mechanism, username, password };
  throw new ConfigurationError('KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512');
};

/** Consumer group timing (see KafkaConsumerTuning); a heartbeat must fit three times into the session. */
const consumerTuning = (env: NodeJS.ProcessEnv): KafkaConsumerTuning => {
  const d = DEFAULT_CONSUMER_TUNING;
  const sessionTimeoutMs = int(env, 'KAFKA_SESSION_TIMEOUT_MS', d.sessionTimeoutMs, 1_000, 3_600_000);
  const heartbeatIntervalMs = int(env, 'KAFKA_HEARTBEAT_INTERVAL_MS', Math.min(d.heartbeatIntervalMs, Math.floor(sessionTimeoutMs / 3)), 100, 1_200_000);
  if (heartbeatIntervalMs * 3 > sessionTimeoutMs) throw new ConfigurationError('KAFKA_HEARTBEAT_INTERVAL_MS must be at most a third of KAFKA_SESSION_TIMEOUT_MS');
  const partitionsConsumedConcurrently = int(env, 'KAFKA_PARTITIONS_CONCURRENTLY', d.partitionsConsumedConcurrently, 1, 1000);
  return { sessionTimeoutMs, heartbeatIntervalMs, partitionsConsumedConcurrently };
};

export const deploymentFromEnv = (env: NodeJS.ProcessEnv, dataDir: string, partitions: number): Deployment => {
  const brokers = env.KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter(Boolean) ?? [];
  const databaseUrl = env.DATABASE_URL;
  if (brokers.length === 0 && !databaseUrl) return { kind: 'embedded', dataDir, partitions };
  if (brokers.length === 0 || !databaseUrl)
    throw new ConfigurationError('set both KAFKA_BROKERS and DATABASE_URL for the microservice deployment, or neither for the embedded default');
  return {
    kind: 'distributed',
    brokers,
    partitions: int(env, 'KAFKA_PARTITIONS', 6, 1, 1000),
    replicationFactor: int(env, 'KAFKA_REPLICATION_FACTOR', 1, 1, 10),
    kafkaSsl: tls(env, 'KAFKA_SSL', 'KAFKA_SSL_CA_FILE'),
    kafkaSasl: sasl(env),
    kafkaConsumer: consumerTuning(env),
    databaseUrl,
    databaseSsl: tls(env, 'DATABASE_SSL', 'DATABASE_SSL_CA_FILE'),
  };
};
