import type { Pool } from 'pg';

/** 2^48: a store position on PostgreSQL is `tx * 2^48 + position` (see pg-service-store.ts). */
export const POSITION_RADIX = 281_474_976_710_656n;

/**
 * Schema migrations of a service store, applied in order, each once. Safe to
 * run twice and from several replicas at once: an advisory lock serialises
 * them and applied versions are recorded in the same transaction.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'event store, outbox, documents, processed messages, checkpoints',
    sql: `
CREATE TABLE events (
  position bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  stream_id text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  type text NOT NULL,
  schema_version integer NOT NULL,
  payload jsonb NOT NULL,
  context jsonb NOT NULL,
  occurred_at timestamptz NOT NULL,
  occurred_at_text text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  UNIQUE (stream_id, version)
);
CREATE TABLE streams (stream_id text COLLATE "C" PRIMARY KEY, version integer NOT NULL, last_hash text NOT NULL);
CREATE TABLE outbox (outbox_id bigserial PRIMARY KEY, position bigint NOT NULL REFERENCES events(position));
CREATE TABLE documents (collection text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, doc text NOT NULL, PRIMARY KEY (collection, key));
CREATE TABLE processed (consumer text NOT NULL, message_id text NOT NULL, processed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (consumer, message_id));
CREATE TABLE checkpoints (subscription_id text PRIMARY KEY, position bigint NOT NULL);
`,
  },
  {
    version: 2,
    name: 'appends without a store-wide lock: commit order by transaction id, outbox rows with topic and key',
    // Rows written before this migration all get this migration's transaction id, so the
    // commit order of old rows stays their position order, and a checkpoint at old position
    // N becomes (this transaction, N): before every event appended from now on.
    sql: `
ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_commit_order ON events (tx, position);
ALTER TABLE outbox ADD COLUMN topic text, ADD COLUMN key text;
ALTER TABLE checkpoints ALTER COLUMN position TYPE text
  USING (pg_current_xact_id()::text::numeric * ${POSITION_RADIX} + position)::text;
`,
  },
];

const quoteIdent = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid schema name ${JSON.stringify(name)}`);
  return `"${name}"`;
};

export const migrate = async (pool: Pool, schema: string): Promise<number[]> => {
  const s = quoteIdent(schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`);
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(`SET LOCAL search_path TO ${s}`);
      await client.query(m.sql);
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
};

export { quoteIdent };
