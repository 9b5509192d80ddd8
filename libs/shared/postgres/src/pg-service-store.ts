import { type EventTypes, type LedgerEvent, topicOf } from '@pos/contracts';
import {
  AppendSignal, contextOf, decodeStoredEvent, draftStream, GENESIS_HASH, ofTypes, parseWithBigInt, partitionKeyOf, recordedFromDraft, storedEventHash, storedLogMessage, stringifyWithBigInt, verifyChain,
  type AppendOutcome, type DocumentReader, type ExpectedVersion, type HashChainReport, type ListOptions, type NewEvent, type OutboxRecord, type ServiceStore,
  type StorePosition, type StoreTx, type StreamAppend,
  type StoredEventContent,
} from '@pos/eventing';
import { ConcurrencyError, type RecordedEvent } from '@pos/kernel';
import pg, { type Pool, type PoolClient, type PoolConfig } from 'pg';
import { migrate, POSITION_RADIX, quoteIdent } from './migrations';

type Queryable = Pick<Pool, 'query'> | PoolClient;

interface EventRow {
  txid: string;
  position: string;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  schema_version: number;
  payload: unknown;
  /** jsonb: checked by contextOf when read. */
  context: unknown;
  occurred_at_text: string;
  prev_hash: string;
  hash: string;
}

// Not `AS tx`: ORDER BY would then sort by the text, '993' after '1530'.
const COLUMNS = 'tx::text AS txid, position, event_id, stream_id, version, type, schema_version, payload, context, occurred_at_text, prev_hash, hash';

/**
 * Positions in commit order without a store-wide lock. Appends run in parallel, so a bigserial
 * is handed out in statement order, not commit order: a transaction may take position 10 and
 * commit after another took 11. Every row therefore also records its transaction id (xid8),
 * and readers take only rows of transactions older than the oldest one still running
 * (`pg_snapshot_xmin`), in (tx, position) order. Whatever commits later has a transaction id
 * at or above that horizon, so it sorts after everything a reader has taken: never skipped.
 * This is the watermark Marten and Emmett use; the pair is encoded as one decimal integer,
 * `tx * 2^48 + position`, so positions stay comparable as BigInt everywhere.
 */
const positionOf = (tx: string, position: string): StorePosition => (BigInt(tx) * POSITION_RADIX + BigInt(position)).toString();
const splitPosition = (p: StorePosition): [tx: string, position: string] => {
  const n = BigInt(p);
  return [(n / POSITION_RADIX).toString(), (n % POSITION_RADIX).toString()];
};

/** Readers see only rows below the commit horizon (see positionOf). */
const SETTLED = 'tx < pg_snapshot_xmin(pg_current_snapshot())';

/** Rows are decoded through the contracts, so old shapes are upcast on read. */
const toRecorded = (row: EventRow): RecordedEvent<LedgerEvent> =>
  decodeStoredEvent(row.type, row.payload, {
    ...contextOf(row.context),
    eventId: row.event_id,
    streamId: row.stream_id,
    version: row.version,
    occurredAt: row.occurred_at_text,
    schemaVersion: row.schema_version,
    position: positionOf(row.txid, row.position),
    prevHash: row.prev_hash,
    hash: row.hash,
  });

/** A row's hashed content and link, as stored (what a verifier recomputes from). */
const contentOf = (row: EventRow): StoredEventContent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  version: row.version,
  type: row.type,
  schemaVersion: row.schema_version,
  payload: row.payload,
  context: row.context,
  occurredAt: row.occurred_at_text,
  prevHash: row.prev_hash,
  hash: row.hash,
});

const hashOf = (row: EventRow): string => storedEventHash(contentOf(row));

/** Errors after which the whole statement was rolled back and a retry may succeed: deadlock, serialization failure. */
const isRetryable = (e: unknown): boolean => ['40P01', '40001'].includes((e as { code?: string }).code ?? '');

export interface PgStoreOptions {
  /** One schema per service: the service owns its tables, nobody else reads them. */
  readonly schema: string;
  readonly pool: PoolConfig;
  /** Told when an idle pooled connection fails (the server went away); the store goes on. */
  readonly onIdleError?: (e: Error) => void;
}

/**
 * The production ServiceStore on PostgreSQL, with the same contract as the embedded one.
 * Appends to different streams never wait for each other (per-stream heads only, no
 * store-wide lock; see positionOf for how readers still never skip a late commit). A group
 * of appends is one statement: one round trip and one commit. The outbox is drained by one
 * publisher at a time across replicas.
 */
export class PgServiceStore implements ServiceStore {
  readonly pool: Pool;
  private readonly s: string;
  private readonly appended = new AppendSignal();
  /** The append statement of each shape (an empty data-modifying CTE still costs its setup), built once. */
  private readonly appendSql = new Map<string, string>();

  private constructor(private readonly options: PgStoreOptions) {
    this.pool = new pg.Pool({ max: 10, ...options.pool });
    // An idle connection the server dropped (a restart, a failover) is discarded by the pool;
    // unhandled, its 'error' event would end the process. The next query reconnects.
    this.pool.on('error', (e) => options.onIdleError?.(e));
    this.s = quoteIdent(options.schema);
  }

  /** Connects and migrates (idempotently). */
  static async open(options: PgStoreOptions): Promise<PgServiceStore> {
    const store = new PgServiceStore(options);
    await migrate(store.pool, options.schema);
    return store;
  }

  private lockKey(what: string) {
    return `${this.options.schema}:${what}`;
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    let appended = false;
    return this.inTransaction('BEGIN', (c) => {
      const tx: StoreTx = {
        events: {
          append: async (streamId, expected, events) => {
            const out = await this.appendIn(c, streamId, expected, events);
            appended ||= out.length > 0;
            return out;
          },
          readStream: async (streamId, types, fromVersion = 1) =>
            ofTypes((await c.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.s}.events WHERE stream_id = $1 AND version >= $2 ORDER BY version`, [streamId, fromVersion])).rows.map(toRecorded), types),
        },
        documents: {
          get: (collection, key) => this.getDoc(c, collection, key),
          getMany: (collection, keys) => this.getDocs(c, collection, keys),
          put: async (collection, key, doc) => {
            await c.query(
              `INSERT INTO ${this.s}.documents (collection, key, doc) VALUES ($1, $2, $3) ON CONFLICT (collection, key) DO UPDATE SET doc = excluded.doc`,
              [collection, key, stringifyWithBigInt(doc)],
            );
          },
          putMany: async (collection, entries) => {
            // One statement per 1000 documents: arrays unnested server-side, a round trip instead of a thousand.
            const unique = [...new Map(entries.map((e) => [e.key, e.doc])).entries()];
            for (let i = 0; i < unique.length; i += 1000) {
              const chunk = unique.slice(i, i + 1000);
              await c.query(
                `INSERT INTO ${this.s}.documents (collection, key, doc) SELECT $1, k, d FROM unnest($2::text[], $3::text[]) AS t(k, d)
                 ON CONFLICT (collection, key) DO UPDATE SET doc = excluded.doc`,
                [collection, chunk.map(([k]) => k), chunk.map(([, d]) => stringifyWithBigInt(d))],
              );
            }
          },
          delete: async (collection, key) => {
            await c.query(`DELETE FROM ${this.s}.documents WHERE collection = $1 AND key = $2`, [collection, key]);
          },
          list: (collection, prefix, options) => this.listDocs(c, collection, prefix, options),
          clear: async (collection) => (await c.query(`DELETE FROM ${this.s}.documents WHERE collection = $1`, [collection])).rowCount ?? 0,
        },
        processed: {
          has: async (consumer, id) => (await c.query(`SELECT 1 FROM ${this.s}.processed WHERE consumer = $1 AND message_id = $2`, [consumer, id])).rowCount! > 0,
          mark: async (consumer, id) => {
            await c.query(`INSERT INTO ${this.s}.processed (consumer, message_id) VALUES ($1, $2)`, [consumer, id]);
          },
          seen: async (consumer, ids) =>
            ids.length === 0
              ? new Set()
              : new Set((await c.query<{ message_id: string }>(`SELECT message_id FROM ${this.s}.processed WHERE consumer = $1 AND message_id = ANY($2::text[])`, [consumer, ids])).rows.map((r) => r.message_id)),
          markMany: async (consumer, ids) => {
            // A concurrent applier's marks make this fail with a unique violation: the whole batch rolls back.
            if (ids.length > 0) await c.query(`INSERT INTO ${this.s}.processed (consumer, message_id) SELECT $1, unnest($2::text[])`, [consumer, ids]);
          },
        },
        checkpoints: {
          get: async (id) => (await c.query<{ position: string }>(`SELECT position FROM ${this.s}.checkpoints WHERE subscription_id = $1`, [id])).rows[0]?.position ?? '0',
          set: async (id, position) => {
            await c.query(
              `INSERT INTO ${this.s}.checkpoints (subscription_id, position) VALUES ($1, $2) ON CONFLICT (subscription_id) DO UPDATE SET position = excluded.position`,
              [id, position],
            );
          },
        },
        lock: async (name, mode) => {
          await c.query(mode === 'shared' ? 'SELECT pg_advisory_xact_lock_shared(hashtext($1))' : 'SELECT pg_advisory_xact_lock(hashtext($1))', [this.lockKey(`named:${name}`)]);
        },
      };
      return fn(tx);
    }).then((result) => {
      if (appended) this.appended.notify();
      return result;
    });
  }

  async appendBatch(appends: readonly StreamAppend[]): Promise<AppendOutcome[]> {
    if (appends.length === 0) return [];
    const params = appendParameters(appends);
    // Autocommit: the statement is its own transaction, one round trip. A deadlock between two
    // groups touching the same streams in another order rolls the statement back whole: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await this.pool.query<{ event_id: string; position: string; tx: string }>(this.appendQuery(params));
        const outcomes = appendOutcomes(appends, params.drafts, rows);
        if (rows.length > 0) this.appended.notify();
        return outcomes;
      } catch (e) {
        if (!isRetryable(e) || attempt >= 5) throw e;
      }
    }
  }

  /** A named (prepared once per connection) append statement for `params`. */
  private appendQuery(params: { values: unknown[]; shape: AppendShape }) {
    const name = `append-${params.shape.streams}${params.shape.documents ? '-documents' : ''}-${this.options.schema}`;
    let text = this.appendSql.get(name);
    if (!text) this.appendSql.set(name, (text = appendStatement(this.s, params.shape)));
    return { name, text, values: params.values };
  }

  private async appendIn(c: PoolClient, streamId: string, expected: ExpectedVersion, events: readonly NewEvent[]): Promise<RecordedEvent[]> {
    // The head row, locked for the rest of the transaction: a concurrent append to this stream waits, and then conflicts.
    const head = (await c.query<{ version: number; last_hash: string }>(`SELECT version, last_hash FROM ${this.s}.streams WHERE stream_id = $1 FOR UPDATE`, [streamId])).rows[0];
    const current = head?.version ?? 0;
    if (expected !== 'ANY' && expected !== current) throw new ConcurrencyError(streamId, expected, current);
    if (events.length === 0) return [];
    const append: StreamAppend = { streamId, expectedVersion: current, prevHash: head?.last_hash ?? GENESIS_HASH, events };
    const params = appendParameters([append]);
    const { rows } = await c.query<{ event_id: string; position: string; tx: string }>(this.appendQuery(params));
    const [outcome] = appendOutcomes([append], params.drafts, rows);
    if (!outcome.ok) throw outcome.conflict;
    return [...outcome.recorded];
  }

  private async getDoc<T>(q: Queryable, collection: string, key: string): Promise<T | undefined> {
    const { rows } = await q.query<{ doc: string }>(`SELECT doc FROM ${this.s}.documents WHERE collection = $1 AND key = $2`, [collection, key]);
    return rows[0] ? parseWithBigInt<T>(rows[0].doc) : undefined;
  }

  private async getDocs<T>(q: Queryable, collection: string, keys: readonly string[]): Promise<Map<string, T>> {
    if (keys.length === 0) return new Map();
    const { rows } = await q.query<{ key: string; doc: string }>(`SELECT key, doc FROM ${this.s}.documents WHERE collection = $1 AND key = ANY($2::text[])`, [collection, keys]);
    return new Map(rows.map((r) => [r.key, parseWithBigInt<T>(r.doc)]));
  }

  private async listDocs<T>(q: Queryable, collection: string, prefix: string, options: ListOptions = {}) {
    const after = options.after && options.after > prefix ? options.after : undefined;
    const { rows } = await q.query<{ key: string; doc: string }>(
      `SELECT key, doc FROM ${this.s}.documents WHERE collection = $1 AND key ${after ? '>' : '>='} $2 AND key < $3 ORDER BY key LIMIT $4`,
      [collection, after ?? prefix, `${prefix}\uffff`, options.limit ?? null],
    );
    return rows.map((r) => ({ key: r.key, doc: parseWithBigInt<T>(r.doc) }));
  }

  getDocument<T>(collection: string, key: string): Promise<T | undefined> {
    return this.getDoc<T>(this.pool, collection, key);
  }

  listDocuments<T>(collection: string, prefix: string, options?: ListOptions) {
    return this.listDocs<T>(this.pool, collection, prefix, options);
  }

  /** Runs `fn` in one transaction on its own connection: committed when it resolves, rolled back when it throws. */
  private async inTransaction<T>(begin: string, fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    // The server may drop a connection we hold between queries (a crash while the relay
    // publishes, say): the client then emits 'error', which must not end the process. The
    // pending or next query fails instead, and the broken connection is not pooled again.
    let broken: Error | undefined;
    const onError = (e: Error) => {
      broken = e;
      this.options.onIdleError?.(e);
    };
    c.on('error', onError);
    try {
      await c.query(begin);
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      broken ??= e instanceof Error && !(e as { code?: unknown }).code ? e : undefined;
      throw e;
    } finally {
      c.off('error', onError);
      c.release(broken);
    }
  }

  /** One snapshot for every statement inside. */
  private readOnly<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return this.inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  readSnapshot<T>(fn: (docs: DocumentReader) => Promise<T>): Promise<T> {
    return this.readOnly((c) =>
      fn({
        get: (collection, key) => this.getDoc(c, collection, key),
        getMany: (collection, keys) => this.getDocs(c, collection, keys),
        list: (collection, prefix, options) => this.listDocs(c, collection, prefix, options),
      }),
    );
  }

  async lastPosition(): Promise<StorePosition> {
    const row = (await this.pool.query<{ txid: string; position: string }>(`SELECT tx::text AS txid, position FROM ${this.s}.events WHERE ${SETTLED} ORDER BY tx DESC, position DESC LIMIT 1`)).rows[0];
    return row ? positionOf(row.txid, row.position) : '0';
  }

  async readStream<E extends LedgerEvent>(streamId: string, types: EventTypes<E>, fromVersion = 1, toVersion = 2 ** 31 - 1): Promise<RecordedEvent<E>[]> {
    const { rows } = await this.pool.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.s}.events WHERE stream_id = $1 AND version >= $2 AND version <= $3 ORDER BY version`, [streamId, fromVersion, toVersion]);
    return ofTypes(rows.map(toRecorded), types);
  }

  async readAll(afterPosition: StorePosition, limit: number): Promise<RecordedEvent<LedgerEvent>[]> {
    const [tx, position] = splitPosition(afterPosition);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.s}.events WHERE ${SETTLED} AND (tx, position) > ($1::text::xid8, $2::bigint) ORDER BY tx, position LIMIT $3`,
      [tx, position, limit],
    );
    return rows.map(toRecorded);
  }

  async countBetween(after: StorePosition, until: StorePosition): Promise<number> {
    const [atx, apos] = splitPosition(after);
    const [utx, upos] = splitPosition(until);
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.s}.events WHERE ${SETTLED} AND (tx, position) > ($1::text::xid8, $2::bigint) AND (tx, position) < ($3::text::xid8, $4::bigint)`,
      [atx, apos, utx, upos],
    );
    return Number(rows[0].n);
  }

  verifyStream(streamId: string): Promise<HashChainReport> {
    // Events and head from one snapshot, so an append committing in between is not reported as a mismatch.
    return this.readOnly(async (c) => {
      const { rows } = await c.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.s}.events WHERE stream_id = $1 ORDER BY version`, [streamId]);
      const head = (await c.query<{ version: number; last_hash: string }>(`SELECT version, last_hash FROM ${this.s}.streams WHERE stream_id = $1`, [streamId])).rows[0];
      return verifyChain(
        streamId,
        rows.map((row) => ({ version: row.version, eventId: row.event_id, prevHash: row.prev_hash, hash: row.hash, recomputed: hashOf(row) })),
        head && { version: head.version, hash: head.last_hash },
      );
    });
  }

  async readStoredEvents(streamId: string, fromVersion: number, toVersion: number): Promise<StoredEventContent[]> {
    const { rows } = await this.pool.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.s}.events WHERE stream_id = $1 AND version >= $2 AND version <= $3 ORDER BY version`, [streamId, fromVersion, toVersion]);
    return rows.map(contentOf);
  }

  async listStreams(prefix: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ stream_id: string }>(`SELECT stream_id FROM ${this.s}.streams WHERE stream_id >= $1 AND stream_id < $2 ORDER BY stream_id`, [prefix, `${prefix}\uffff`]);
    return rows.map((r) => r.stream_id);
  }

  publishOutbox(limit: number, publish: (records: readonly OutboxRecord[]) => Promise<void>): Promise<number> {
    return this.inTransaction('BEGIN', async (c) => {
      // One publisher per store across every replica; the others find it taken and come back later.
      const { rows: [{ locked }] } = await c.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [this.lockKey('outbox')]);
      if (!locked) return 0;
      // Per key, rows leave in order: appends to one stream wait for its head row, so a later
      // append of a stream always has a later outbox id. Rows of a transaction still running
      // are not visible yet and leave with a later batch. A row is one stream append (a range
      // of versions); one cut by `limit` keeps its rest for the next batch.
      const { rows } = await c.query<EventRow & { outbox_id: string; last_version: number; topic: string | null; key: string | null; payload_json: string }>(
        `WITH o AS (SELECT * FROM ${this.s}.outbox ORDER BY outbox_id LIMIT $1)
         SELECT o.outbox_id, o.last_version, o.topic, o.key, e.tx::text AS txid, e.position, e.event_id, e.stream_id, e.version, e.type, e.schema_version,
                e.payload::text AS payload_json, e.context, e.occurred_at_text, e.prev_hash, e.hash
           FROM o JOIN ${this.s}.events e ON e.stream_id = o.stream_id AND e.version BETWEEN o.first_version AND o.last_version
          ORDER BY o.outbox_id, e.version LIMIT $1`,
        [limit],
      );
      if (rows.length > 0) {
        await publish(
          rows.map((r) => ({
            outboxId: r.outbox_id, eventId: r.event_id, streamId: r.stream_id, version: r.version, type: r.type,
            message: storedLogMessage({
              position: positionOf(r.txid, r.position), eventId: r.event_id, streamId: r.stream_id, version: r.version, type: r.type, schemaVersion: r.schema_version,
              payloadJson: r.payload_json, context: contextOf(r.context), occurredAt: r.occurred_at_text, prevHash: r.prev_hash, hash: r.hash,
              topic: r.topic ?? storedTopic(r), key: r.key ?? storedKey(r),
            }),
          })),
        );
        const last = rows[rows.length - 1];
        const whole = [...new Set(rows.map((r) => r.outbox_id))].filter((id) => id !== last.outbox_id || last.version === last.last_version);
        await c.query(`DELETE FROM ${this.s}.outbox WHERE outbox_id = ANY($1::bigint[])`, [whole]);
        if (last.version < last.last_version) await c.query(`UPDATE ${this.s}.outbox SET first_version = $2 WHERE outbox_id = $1`, [last.outbox_id, last.version + 1]);
      }
      return rows.length;
    });
  }

  async outboxBacklog(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>(`SELECT COALESCE(sum(last_version - first_version + 1), 0) AS n FROM ${this.s}.outbox`)).rows[0].n);
  }

  /**
   * Resolves on an append through this store object or after `ms`. Pollers in other processes
   * find new rows on their next poll: NOTIFY is not used, because a transaction that notifies
   * takes a database-wide lock while it commits, and appends must not wait for each other.
   */
  waitForAppend(ms: number): Promise<void> {
    return this.appended.wait(ms);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Topic and key of an outbox row queued before rows carried them (schema version 1). */
const storedTopic = (r: { type: string }) => topicOf(r.type);
const storedKey = (r: { payload_json: string; stream_id: string }) => partitionKeyOf({ data: JSON.parse(r.payload_json), metadata: { streamId: r.stream_id } });

/** The shape of an append statement: several streams, or one stream new or existing (no unnest, no union), with or without documents. */
type AppendShape = { readonly streams: 'many' | 'new' | 'existing'; readonly documents: boolean };

/**
 * One statement for a group of appends: per stream, move the head if it is still where the
 * writer saw it (or create it), then insert the accepted streams' events, their outbox rows
 * and their documents. A head moved by someone else matches no row: that stream is refused,
 * the others go on. Two groups on one stream: the second waits for the first's row lock,
 * then re-checks the version (READ COMMITTED) and is refused.
 */
const appendStatement = (s: string, shape: AppendShape) => {
  const heads = {
    many: `h AS (
  SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::text[]) AS h(stream_id, expected, prev_hash, next_version, last_hash)
), moved AS (
  UPDATE ${s}.streams t SET version = h.next_version, last_hash = h.last_hash
    FROM h WHERE h.expected > 0 AND t.stream_id = h.stream_id AND t.version = h.expected AND t.last_hash = h.prev_hash
  RETURNING t.stream_id
), created AS (
  INSERT INTO ${s}.streams (stream_id, version, last_hash)
    SELECT stream_id, next_version, last_hash FROM h WHERE expected = 0 AND prev_hash = '${GENESIS_HASH}'
  ON CONFLICT (stream_id) DO NOTHING
  RETURNING stream_id
), accepted AS (
  SELECT stream_id FROM moved UNION ALL SELECT stream_id FROM created
)`,
    existing: `accepted AS (
  UPDATE ${s}.streams SET version = $4::int, last_hash = $5::text
   WHERE stream_id = $1::text AND version = $2::int AND last_hash = $3::text
  RETURNING stream_id
)`,
    new: `accepted AS (
  INSERT INTO ${s}.streams (stream_id, version, last_hash)
    SELECT $1::text, $4::int, $5::text WHERE $2::int = 0 AND $3::text = '${GENESIS_HASH}'
  ON CONFLICT (stream_id) DO NOTHING
  RETURNING stream_id
)`,
  }[shape.streams];
  const isAccepted = (column: string) => (shape.streams === 'many' ? `${column} IN (SELECT stream_id FROM accepted)` : 'EXISTS (SELECT 1 FROM accepted)');
  return `
WITH ${heads}, e AS (
  -- Payloads and contexts come as one JSON array each: no per-element escaping, one parse.
  SELECT x.*, p.value AS payload, c.value AS context
    FROM unnest($6::uuid[], $7::text[], $8::int[], $9::text[], $10::int[], $11::text[], $12::text[], $13::text[])
      WITH ORDINALITY AS x(event_id, stream_id, version, type, schema_version, occurred_at, prev_hash, hash, n)
    JOIN jsonb_array_elements($14::jsonb) WITH ORDINALITY AS p(value, pn) ON p.pn = x.n
    JOIN jsonb_array_elements($15::jsonb) WITH ORDINALITY AS c(value, cn) ON c.cn = x.n
  WHERE ${isAccepted('x.stream_id')}
), inserted AS (
  INSERT INTO ${s}.events (event_id, stream_id, version, type, schema_version, payload, context, occurred_at, occurred_at_text, prev_hash, hash)
    SELECT event_id, stream_id, version, type, schema_version, payload, context, occurred_at::timestamptz, occurred_at, prev_hash, hash FROM e ORDER BY n
  RETURNING position, event_id
), queued AS (
  INSERT INTO ${s}.outbox (stream_id, first_version, last_version, topic, key)
    SELECT q.stream_id, q.first_version, q.last_version, q.topic, q.key
      FROM unnest($16::text[], $17::int[], $18::int[], $19::text[], $20::text[]) WITH ORDINALITY AS q(stream_id, first_version, last_version, topic, key, n)
     WHERE ${isAccepted('q.stream_id')} ORDER BY q.n
)${shape.documents ? `, docs AS (
  INSERT INTO ${s}.documents (collection, key, doc)
    SELECT d.collection, d.key, d.doc FROM unnest($21::text[], $22::text[], $23::text[], $24::text[]) AS d(stream_id, collection, key, doc)
    WHERE ${isAccepted('d.stream_id')}
  ON CONFLICT (collection, key) DO UPDATE SET doc = excluded.doc
)` : ''}
SELECT event_id::text AS event_id, position::text AS position, pg_current_xact_id()::text AS tx FROM inserted`;
};

const appendParameters = (appends: readonly StreamAppend[]) => {
  const streams = new Set<string>();
  for (const a of appends) {
    if (a.events.length === 0) throw new Error(`an append to ${a.streamId} without events`);
    if (streams.has(a.streamId)) throw new Error(`a group commit holds stream ${a.streamId} twice`);
    streams.add(a.streamId);
  }
  const drafts = appends.map((a) => draftStream(a.streamId, a.expectedVersion, a.prevHash, a.events));
  const all = drafts.flat();
  // The last write of a document wins, as it would statement by statement (ON CONFLICT may touch a row once).
  const docs = new Map<string, { streamId: string; collection: string; key: string; doc: string }>();
  for (const a of appends) for (const d of a.documents ?? []) docs.set(`${d.collection}\u0000${d.key}`, { streamId: a.streamId, collection: d.collection, key: d.key, doc: stringifyWithBigInt(d.doc) });
  const docList = [...docs.values()];
  // The outbox rows: per append, each run of events bound for one topic and key (in practice, the whole append).
  const ranges: Array<{ streamId: string; first: number; last: number; topic: string; key: string }> = [];
  for (const d of drafts.flat()) {
    const run = ranges.at(-1);
    if (run && run.streamId === d.streamId && run.topic === d.topic && run.key === d.key && run.last === d.version - 1) run.last = d.version;
    else ranges.push({ streamId: d.streamId, first: d.version, last: d.version, topic: d.topic, key: d.key });
  }
  const shape: AppendShape['streams'] = appends.length > 1 ? 'many' : appends[0].expectedVersion === 0 ? 'new' : 'existing';
  const heads: unknown[][] = [
    appends.map((a) => a.streamId), appends.map((a) => a.expectedVersion), appends.map((a) => a.prevHash),
    appends.map((a, i) => a.expectedVersion + drafts[i].length), appends.map((a, i) => drafts[i].at(-1)?.hash ?? a.prevHash),
  ];
  const values: unknown[] = [
    ...(shape === 'many' ? heads : heads.map(([one]) => one)),
    all.map((d) => d.eventId), all.map((d) => d.streamId), all.map((d) => d.version), all.map((d) => d.type), all.map((d) => d.schemaVersion),
    all.map((d) => d.occurredAt), all.map((d) => d.prevHash), all.map((d) => d.hash),
    `[${all.map((d) => d.payloadJson).join(',')}]`, JSON.stringify(all.map((d) => d.context)),
    ranges.map((r) => r.streamId), ranges.map((r) => r.first), ranges.map((r) => r.last), ranges.map((r) => r.topic), ranges.map((r) => r.key),
  ];
  if (docList.length > 0) values.push(docList.map((d) => d.streamId), docList.map((d) => d.collection), docList.map((d) => d.key), docList.map((d) => d.doc));
  return { drafts, values, shape: { streams: shape, documents: docList.length > 0 } satisfies AppendShape };
};

const appendOutcomes = (
  appends: readonly StreamAppend[],
  drafts: ReturnType<typeof draftStream>[],
  rows: ReadonlyArray<{ event_id: string; position: string; tx: string }>,
): AppendOutcome[] => {
  const at = new Map(rows.map((r) => [r.event_id, positionOf(r.tx, r.position)]));
  return appends.map((a, i) => {
    const mine = drafts[i];
    if (!at.has(mine[0].eventId)) return { ok: false, conflict: new ConcurrencyError(a.streamId, a.expectedVersion) };
    return { ok: true, recorded: mine.map((d, j) => recordedFromDraft(d, a.events[j].data, at.get(d.eventId)!)) };
  });
};
