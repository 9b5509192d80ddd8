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
  {
    version: 3,
    name: 'outbox rows without a foreign key: each append checked it for nothing',
    // The relay joins outbox rows to their events; an outbox row is only ever written with its event.
    sql: `ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_position_fkey;`,
  },
  {
    version: 4,
    name: 'one outbox row per stream append (a version range) instead of one per event',
    // Queued rows become ranges of one event; a row whose event is gone has nothing to publish.
    sql: `
ALTER TABLE outbox ADD COLUMN stream_id text COLLATE "C", ADD COLUMN first_version integer, ADD COLUMN last_version integer;
UPDATE outbox o SET stream_id = e.stream_id, first_version = e.version, last_version = e.version FROM events e WHERE e.position = o.position;
DELETE FROM outbox WHERE stream_id IS NULL;
ALTER TABLE outbox DROP COLUMN position, ALTER COLUMN stream_id SET NOT NULL, ALTER COLUMN first_version SET NOT NULL, ALTER COLUMN last_version SET NOT NULL;
`,
  },
  {
    version: 5,
    name: 'the commit-order index is the primary key: one index fewer to write per event',
    // Positions stay unique (a sequence hands them out); nothing looks an event up by position alone any more.
    sql: `
CREATE UNIQUE INDEX events_commit_order_key ON events (tx, position);
ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_commit_order_key;
DROP INDEX events_commit_order;
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
