import { decodeEvent } from '@pos/contracts';
import {
  AppendSignal, draftStoredEvent, GENESIS_HASH, parseWithBigInt, storedEventHash, stringifyWithBigInt, verifyChain,
  type DocumentReader, type ExpectedVersion, type HashChainReport, type ListOptions, type NewEvent, type OutboxRecord, type ServiceStore, type StoreTx,
} from '@pos/eventing';
import { ConcurrencyError, type EventContext, type RecordedEvent } from '@pos/kernel';
import pg, { type Pool, type PoolClient, type PoolConfig } from 'pg';

type Queryable = Pick<Pool, 'query'> | PoolClient;
import { migrate, quoteIdent } from './migrations';

interface EventRow {
  position: string;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  schema_version: number;
  payload: unknown;
  context: EventContext;
  occurred_at_text: string;
  prev_hash: string;
  hash: string;
}

const COLUMNS = 'position, event_id, stream_id, version, type, schema_version, payload, context, occurred_at_text, prev_hash, hash';

const toRecorded = (row: EventRow): RecordedEvent =>
  ({
    type: row.type,
    data: decodeEvent(row.type, row.schema_version, row.payload),
    metadata: {
      ...row.context,
      eventId: row.event_id,
      streamId: row.stream_id,
      version: row.version,
      occurredAt: row.occurred_at_text,
      schemaVersion: row.schema_version,
      position: Number(row.position),
      prevHash: row.prev_hash,
      hash: row.hash,
    },
  }) as RecordedEvent;

const hashOf = (row: EventRow): string =>
  storedEventHash({
    eventId: row.event_id,
    streamId: row.stream_id,
    version: row.version,
    type: row.type,
    schemaVersion: row.schema_version,
    payload: row.payload,
    context: row.context,
    occurredAt: row.occurred_at_text,
    prevHash: row.prev_hash,
  });

export interface PgStoreOptions {
  /** One schema per service: the service owns its tables, nobody else reads them. */
  readonly schema: string;
  readonly pool: PoolConfig;
}

/**
 * The production ServiceStore on PostgreSQL, with the same contract as the
 * embedded one. Appends take a per-store advisory lock so positions commit in
 * order (subscriptions and the outbox never see a gap fill in later); the
 * outbox is drained by one publisher at a time.
 */
export class PgServiceStore implements ServiceStore {
  readonly pool: Pool;
  private readonly s: string;
  private readonly channel: string;
  private listener?: PoolClient;
  private readonly appended = new AppendSignal();

  private constructor(private readonly options: PgStoreOptions) {
    this.pool = new pg.Pool({ max: 10, ...options.pool });
    this.s = quoteIdent(options.schema);
    this.channel = `${options.schema}_appended`;
  }

  /** Connects, migrates (idempotently) and listens for appends. */
  static async open(options: PgStoreOptions): Promise<PgServiceStore> {
    const store = new PgServiceStore(options);
    await migrate(store.pool, options.schema);
    store.listener = await store.pool.connect();
    store.listener.on('notification', () => store.appended.notify());
    await store.listener.query(`LISTEN ${quoteIdent(store.channel)}`);
    return store;
  }

  private lockKey(what: string) {
    return `${this.options.schema}:${what}`;
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.inTransaction('BEGIN', (c) => {
      const tx: StoreTx = {
        events: {
          append: (streamId, expected, events) => this.appendIn(c, streamId, expected, events),
          readStream: async (streamId, fromVersion = 1) =>
            (await c.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.s}.events WHERE stream_id = $1 AND version >= $2 ORDER BY version`, [streamId, fromVersion])).rows.map(toRecorded),
        },
        documents: {
          get: (collection, key) => this.getDoc(c, collection, key),
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
        },
        checkpoints: {
          get: async (id) => Number((await c.query<{ position: string }>(`SELECT position FROM ${this.s}.checkpoints WHERE subscription_id = $1`, [id])).rows[0]?.position ?? 0),
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
    });
  }

  private async appendIn(c: PoolClient, streamId: string, expected: ExpectedVersion, events: readonly NewEvent[]): Promise<RecordedEvent[]> {
    // One appender at a time per store: positions are handed out in commit order.
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.lockKey('append')]);
    const head = (await c.query<{ version: number; last_hash: string }>(`SELECT version, last_hash FROM ${this.s}.streams WHERE stream_id = $1 FOR UPDATE`, [streamId])).rows[0];
    const current = head?.version ?? 0;
    if (expected !== 'ANY' && expected !== current) throw new ConcurrencyError(streamId, expected, current);
    if (events.length === 0) return [];
    let prevHash = head?.last_hash ?? GENESIS_HASH;
    let version = current;
    const recorded: RecordedEvent[] = [];
    for (const e of events) {
      version += 1;
      const d = draftStoredEvent(streamId, version, e, prevHash);
      const { rows } = await c.query<{ position: string }>(
        `INSERT INTO ${this.s}.events (event_id, stream_id, version, type, schema_version, payload, context, occurred_at, occurred_at_text, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING position`,
        [d.eventId, streamId, version, d.type, d.schemaVersion, JSON.stringify(d.payload), JSON.stringify(d.context), e.occurredAt, d.occurredAt, d.prevHash, d.hash],
      );
      await c.query(`INSERT INTO ${this.s}.outbox (position) VALUES ($1)`, [rows[0].position]);
      recorded.push(
        toRecorded({
          position: rows[0].position, event_id: d.eventId, stream_id: streamId, version, type: d.type, schema_version: d.schemaVersion,
          payload: d.payload, context: d.context, occurred_at_text: d.occurredAt, prev_hash: d.prevHash, hash: d.hash,
        }),
      );
      prevHash = d.hash;
    }
    await c.query(
      `INSERT INTO ${this.s}.streams (stream_id, version, last_hash) VALUES ($1, $2, $3) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash`,
      [streamId, version, prevHash],
    );
    await c.query('SELECT pg_notify($1, $2)', [this.channel, String(version)]);
    return recorded;
  }

  private async getDoc<T>(q: Queryable, collection: string, key: string): Promise<T | undefined> {
    const { rows } = await q.query<{ doc: string }>(`SELECT doc FROM ${this.s}.documents WHERE collection = $1 AND key = $2`, [collection, key]);
    return rows[0] ? parseWithBigInt<T>(rows[0].doc) : undefined;
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
    try {
      await c.query(begin);
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  /** One snapshot for every statement inside. */
  private readOnly<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return this.inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  readSnapshot<T>(fn: (docs: DocumentReader) => Promise<T>): Promise<T> {
    return this.readOnly((c) => fn({ get: (collection, key) => this.getDoc(c, collection, key), list: (collection, prefix, options) => this.listDocs(c, collection, prefix, options) }));
  }

  async lastPosition(): Promise<number> {
    return Number((await this.pool.query<{ p: string }>(`SELECT COALESCE(MAX(position), 0) AS p FROM ${this.s}.events`)).rows[0].p);
  }

  async readStream(streamId: string, fromVersion = 1): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.s}.events WHERE stream_id = $1 AND version >= $2 ORDER BY version`, [streamId, fromVersion]);
    return rows.map(toRecorded);
  }

  async readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.s}.events WHERE position > $1 ORDER BY position LIMIT $2`, [afterPosition, limit]);
    return rows.map(toRecorded);
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

  async listStreams(prefix: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ stream_id: string }>(`SELECT stream_id FROM ${this.s}.streams WHERE stream_id >= $1 AND stream_id < $2 ORDER BY stream_id`, [prefix, `${prefix}\uffff`]);
    return rows.map((r) => r.stream_id);
  }

  publishOutbox(limit: number, publish: (records: readonly OutboxRecord[]) => Promise<void>): Promise<number> {
    return this.inTransaction('BEGIN', async (c) => {
      // One publisher per store across every replica; the others wait their turn.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.lockKey('outbox')]);
      const { rows } = await c.query<EventRow & { outbox_id: string }>(
        `SELECT o.outbox_id, ${COLUMNS.split(', ').map((x) => `e.${x}`).join(', ')} FROM ${this.s}.outbox o JOIN ${this.s}.events e ON e.position = o.position ORDER BY o.outbox_id LIMIT $1`,
        [limit],
      );
      if (rows.length > 0) {
        await publish(rows.map((r) => ({ outboxId: Number(r.outbox_id), event: toRecorded(r) })));
        await c.query(`DELETE FROM ${this.s}.outbox WHERE outbox_id = ANY($1::bigint[])`, [rows.map((r) => r.outbox_id)]);
      }
      return rows.length;
    });
  }

  async outboxBacklog(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.outbox`)).rows[0].n);
  }

  waitForAppend(ms: number): Promise<void> {
    return this.appended.wait(ms);
  }


  /** Tamper-evidence tests only: rewrites a stored payload behind the store's back. */
  async tamperForTest(streamId: string, version: number, payload: unknown): Promise<void> {
    await this.pool.query(`UPDATE ${this.s}.events SET payload = $1 WHERE stream_id = $2 AND version = $3`, [JSON.stringify(payload), streamId, version]);
  }

  /** Tamper-evidence tests only: rewrites a stored context (correlation, causation, actor) behind the store's back. */
  async tamperContextForTest(streamId: string, version: number, context: unknown): Promise<void> {
    await this.pool.query(`UPDATE ${this.s}.events SET context = $1 WHERE stream_id = $2 AND version = $3`, [JSON.stringify(context), streamId, version]);
  }

  /** Tamper-evidence tests only: deletes a stored event (and its outbox row, which references it), leaving the head as it was. */
  deleteEventForTest(streamId: string, version: number): Promise<void> {
    return this.rawWriteForTest([
      [`DELETE FROM ${this.s}.outbox WHERE position IN (SELECT position FROM ${this.s}.events WHERE stream_id = $1 AND version = $2)`, [streamId, version]],
      [`DELETE FROM ${this.s}.events WHERE stream_id = $1 AND version = $2`, [streamId, version]],
    ]);
  }

  /** Tamper-evidence tests only: swaps two stored events' versions, leaving their hashes as they were. */
  swapVersionsForTest(streamId: string, a: number, b: number): Promise<void> {
    // UNIQUE (stream_id, version) is not deferrable, so it is checked row by row: park one event on a version no event has.
    return this.rawWriteForTest([
      [`UPDATE ${this.s}.events SET version = -1 WHERE stream_id = $1 AND version = $2`, [streamId, a]],
      [`UPDATE ${this.s}.events SET version = $1 WHERE stream_id = $2 AND version = $3`, [a, streamId, b]],
      [`UPDATE ${this.s}.events SET version = $1 WHERE stream_id = $2 AND version = -1`, [b, streamId]],
    ]);
  }

  private async rawWriteForTest(statements: ReadonlyArray<[string, unknown[]]>): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      for (const [sql, params] of statements) await c.query(sql, params);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async close(): Promise<void> {
    this.listener?.release();
    await this.pool.end();
  }
}
