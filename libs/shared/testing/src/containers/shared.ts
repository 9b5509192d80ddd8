import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** What the int tier's globalSetup hands every spec (see global-setup.ts). */
export interface SharedPostgresInfo {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The server's own database: specs take one of their own. */
  readonly database: string;
}
export interface SharedKafkaInfo {
  readonly brokers: string[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    ledgerPostgres: SharedPostgresInfo;
    ledgerKafka: SharedKafkaInfo;
  }
}

const provided = <K extends 'ledgerPostgres' | 'ledgerKafka'>(key: K) => {
  const value = inject(key);
  if (!value) throw new Error(`${key} is provided by the int tier's globalSetup: run the spec as *.int.spec.ts (vitest --project int)`);
  return value;
};

const urlOf = (s: SharedPostgresInfo, database: string) =>
  `postgresql://${encodeURIComponent(s.user)}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/${encodeURIComponent(database)}`;

/** A database of this spec's own on the shared server. */
export interface SpecDatabase {
  readonly connectionString: string;
  readonly database: string;
  readonly user: string;
  /** Drops the database (idempotent), whatever connections are still open. */
  stop(): Promise<void>;
}

/** Runs one statement on the shared server's own database. */
const onServer = async (s: SharedPostgresInfo, sql: string) => {
  const client = new pg.Client({ connectionString: urlOf(s, s.database) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

/**
 * A fresh database on the int tier's shared PostgreSQL: what one spec file writes, no other
 * sees. Not for tests that crash or restart the server: those start their own (`startPostgres`).
 */
export const sharedPostgres = async (): Promise<SpecDatabase> => {
  const server = provided('ledgerPostgres');
  const database = `spec_${randomBytes(6).toString('hex')}`;
  await onServer(server, `CREATE DATABASE ${database}`);
  let dropped: Promise<void> | undefined;
  return {
    connectionString: urlOf(server, database),
    database,
    user: server.user,
    stop: () => (dropped ??= onServer(server, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)),
  };
};

/**
 * The int tier's shared Kafka broker. Specs isolate themselves by topic (a random name, or
 * `namespacedLog` for the services' fixed topics) and by consumer group; nobody may restart it.
 */
export const sharedKafka = (): SharedKafkaInfo => provided('ledgerKafka');
