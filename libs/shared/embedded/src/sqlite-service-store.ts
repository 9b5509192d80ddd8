import type { DatabaseSync } from 'node:sqlite';
import { decodeEvent } from '@pos/contracts';
import { ConcurrencyError, type RecordedEvent } from '@pos/kernel';
import {
  AppendSignal, draftStoredEvent, GENESIS_HASH, parseWithBigInt, storedEventHash, stringifyWithBigInt, verifyChain,
  type DocumentReader, type ExpectedVersion, type HashChainReport, type ListOptions, type NewEvent, type OutboxRecord, type ServiceStore, type StoreTx,
} from '@pos/eventing';
import { Mutex, openSqlite } from './sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  stream_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  payload TEXT NOT NULL,
  context TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (stream_id, version)
);
CREATE TABLE IF NOT EXISTS streams (stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL, last_hash TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (outbox_id INTEGER PRIMARY KEY AUTOINCREMENT, position INTEGER NOT NULL REFERENCES events(position));
CREATE TABLE IF NOT EXISTS documents (collection TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (collection, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS processed (consumer TEXT NOT NULL, message_id TEXT NOT NULL, processed_at TEXT NOT NULL, PRIMARY KEY (consumer, message_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (subscription_id TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
`;

interface EventRow {
  position: number;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  schema_version: number;
  payload: string;
  context: string;
  occurred_at: string;
  prev_hash: string;
  hash: string;
}

const UPSERT_DOCUMENT = 'INSERT INTO documents (collection, key, doc) VALUES (?, ?, ?) ON CONFLICT (collection, key) DO UPDATE SET doc = excluded.doc';

const EVENT_COLUMNS = 'position, event_id, stream_id, version, type, schema_version, payload, context, occurred_at, prev_hash, hash';

/** Rows are decoded through the contracts, so old shapes are upcast on read. */
const toRecorded = (row: EventRow): RecordedEvent => {
  const context = JSON.parse(row.context);
  return {
    type: row.type,
    data: decodeEvent(row.type, row.schema_version, JSON.parse(row.payload)),
    metadata: {
      ...context,
      eventId: row.event_id,
      streamId: row.stream_id,
      version: row.version,
      occurredAt: row.occurred_at,
      schemaVersion: row.schema_version,
      position: row.position,
      prevHash: row.prev_hash,
      hash: row.hash,
    },
  };
};

const hashOf = (row: EventRow): string =>
  storedEventHash({
    eventId: row.event_id,
    streamId: row.stream_id,
    version: row.version,
    type: row.type,
    schemaVersion: row.schema_version,
    payload: JSON.parse(row.payload),
    context: JSON.parse(row.context),
    occurredAt: row.occurred_at,
    prevHash: row.prev_hash,
  });

/**
 * The embedded ServiceStore: one SQLite file per service. Writes go through
 * one connection under a mutex; reads outside transactions use a second
 * connection and so never see uncommitted work.
 */
export class SqliteServiceStore implements ServiceStore {
  private readonly writer: DatabaseSync;
  private readonly reader: DatabaseSync;
  private readonly mutex = new Mutex();
  private readonly appended = new AppendSignal();

  constructor(readonly file: string) {
    this.writer = openSqlite(file);
    this.writer.exec(SCHEMA);
    this.reader = file === ':memory:' ? this.writer : openSqlite(file, { readOnly: true });
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      const db = this.writer;
      db.exec('BEGIN IMMEDIATE');
      let appended = false;
      const tx: StoreTx = {
        events: {
          append: async (streamId, expected, events) => {
            const out = this.appendIn(db, streamId, expected, events);
            appended ||= out.length > 0;
            return out;
          },
          readStream: async (streamId, fromVersion) => this.readStreamFrom(db, streamId, fromVersion),
        },
        documents: {
          get: async (collection, key) => this.getDoc(db, collection, key),
          put: async (collection, key, doc) => {
            db.prepare(UPSERT_DOCUMENT).run(collection, key, stringifyWithBigInt(doc));
          },
          putMany: async (collection, entries) => {
            const upsert = db.prepare(UPSERT_DOCUMENT);
            for (const { key, doc } of entries) upsert.run(collection, key, stringifyWithBigInt(doc));
          },
          delete: async (collection, key) => {
            db.prepare('DELETE FROM documents WHERE collection = ? AND key = ?').run(collection, key);
          },
          list: async (collection, prefix, options) => this.listDocs(db, collection, prefix, options),
          clear: async (collection) => Number(db.prepare('DELETE FROM documents WHERE collection = ?').run(collection).changes),
        },
        processed: {
          has: async (consumer, id) => !!db.prepare('SELECT 1 FROM processed WHERE consumer = ? AND message_id = ?').get(consumer, id),
          mark: async (consumer, id) => {
            db.prepare('INSERT INTO processed (consumer, message_id, processed_at) VALUES (?, ?, ?)').run(consumer, id, new Date().toISOString());
          },
        },
        checkpoints: {
          get: async (id) => (db.prepare('SELECT position FROM checkpoints WHERE subscription_id = ?').get(id) as { position: number } | undefined)?.position ?? 0,
          set: async (id, position) => {
            db.prepare('INSERT INTO checkpoints (subscription_id, position) VALUES (?, ?) ON CONFLICT (subscription_id) DO UPDATE SET position = excluded.position').run(id, position);
          },
        },
        // BEGIN IMMEDIATE already holds the database's only write lock, across processes too.
        lock: async () => undefined,
      };
      try {
        const result = await fn(tx);
        db.exec('COMMIT');
        if (appended) this.appended.notify();
        return result;
      } catch (e) {
        db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  private appendIn(db: DatabaseSync, streamId: string, expected: ExpectedVersion, events: readonly NewEvent[]): RecordedEvent[] {
    const head = db.prepare('SELECT version, last_hash FROM streams WHERE stream_id = ?').get(streamId) as
      | { version: number; last_hash: string }
      | undefined;
    const current = head?.version ?? 0;
    if (expected !== 'ANY' && expected !== current) throw new ConcurrencyError(streamId, expected, current);
    if (events.length === 0) return [];
    let prevHash = head?.last_hash ?? GENESIS_HASH;
    let version = current;
    const insert = db.prepare(
      `INSERT INTO events (event_id, stream_id, version, type, schema_version, payload, context, occurred_at, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING position`,
    );
    const outbox = db.prepare('INSERT INTO outbox (position) VALUES (?)');
    const recorded: RecordedEvent[] = [];
    for (const e of events) {
      version += 1;
      const d = draftStoredEvent(streamId, version, e, prevHash);
      const row: Omit<EventRow, 'position'> = {
        event_id: d.eventId, stream_id: streamId, version, type: d.type, schema_version: d.schemaVersion, payload: JSON.stringify(d.payload),
        context: JSON.stringify(d.context), occurred_at: d.occurredAt, prev_hash: d.prevHash, hash: d.hash,
      };
      const { position } = insert.get(
        row.event_id, row.stream_id, row.version, row.type, row.schema_version, row.payload, row.context, row.occurred_at, row.prev_hash, row.hash,
      ) as { position: number };
      outbox.run(position);
      recorded.push(toRecorded({ ...row, position }));
      prevHash = d.hash;
    }
    db.prepare(
      'INSERT INTO streams (stream_id, version, last_hash) VALUES (?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash',
    ).run(streamId, version, prevHash);
    return recorded;
  }

  private readStreamFrom(db: DatabaseSync, streamId: string, fromVersion = 1): RecordedEvent[] {
    const rows = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND version >= ? ORDER BY version`).all(streamId, fromVersion) as unknown as EventRow[];
    return rows.map(toRecorded);
  }

  private getDoc<T>(db: DatabaseSync, collection: string, key: string): T | undefined {
    const row = db.prepare('SELECT doc FROM documents WHERE collection = ? AND key = ?').get(collection, key) as { doc: string } | undefined;
    return row ? parseWithBigInt<T>(row.doc) : undefined;
  }

  async getDocument<T>(collection: string, key: string): Promise<T | undefined> {
    return this.getDoc<T>(this.reader, collection, key);
  }

  async listDocuments<T>(collection: string, prefix: string, options?: ListOptions) {
    return this.listDocs<T>(this.reader, collection, prefix, options);
  }

  async readSnapshot<T>(fn: (docs: DocumentReader) => Promise<T>): Promise<T> {
    // A connection of its own: its read transaction is one WAL snapshot, and nobody else's reads join it.
    if (this.file === ':memory:') return this.mutex.run(() => fn(this.readerOn(this.writer)));
    const db = openSqlite(this.file, { readOnly: true });
    try {
      db.exec('BEGIN');
      db.prepare('SELECT 1 FROM documents LIMIT 1').get(); // a deferred read transaction takes its snapshot at its first read
      return await fn(this.readerOn(db));
    } finally {
      if (db.isTransaction) db.exec('COMMIT');
      db.close();
    }
  }

  private readerOn(db: DatabaseSync): DocumentReader {
    return {
      get: async (collection, key) => this.getDoc(db, collection, key),
      list: async (collection, prefix, options) => this.listDocs(db, collection, prefix, options),
    };
  }

  async lastPosition(): Promise<number> {
    return (this.reader.prepare('SELECT COALESCE(MAX(position), 0) AS p FROM events').get() as { p: number }).p;
  }

  private listDocs<T>(db: DatabaseSync, collection: string, prefix: string, options: ListOptions = {}) {
    // Range scan on the primary key: [prefix, prefix + U+FFFF).
    const after = options.after && options.after > prefix ? options.after : undefined;
    const rows = db
      .prepare(
        `SELECT key, doc FROM documents WHERE collection = ? AND key ${after ? '>' : '>='} ? AND key < ? ORDER BY key LIMIT ?`,
      )
      .all(collection, after ?? prefix, `${prefix}\uffff`, options.limit ?? -1) as Array<{ key: string; doc: string }>;
    return rows.map((r) => ({ key: r.key, doc: parseWithBigInt<T>(r.doc) }));
  }

  async readStream(streamId: string, fromVersion?: number): Promise<RecordedEvent[]> {
    return this.readStreamFrom(this.reader, streamId, fromVersion);
  }

  async readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]> {
    const rows = this.reader.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).all(afterPosition, limit) as unknown as EventRow[];
    return rows.map(toRecorded);
  }

  async verifyStream(streamId: string): Promise<HashChainReport> {
    const db = this.reader;
    // Events and head from one snapshot, so an append committing in between is not reported as a mismatch.
    // (In memory the reader is the writer, possibly inside a transaction already: its reads are consistent anyway.)
    const own = !db.isTransaction;
    if (own) db.exec('BEGIN');
    try {
      const rows = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? ORDER BY version`).all(streamId) as unknown as EventRow[];
      const head = db.prepare('SELECT version, last_hash FROM streams WHERE stream_id = ?').get(streamId) as { version: number; last_hash: string } | undefined;
      return verifyChain(
        streamId,
        rows.map((row) => ({ version: row.version, eventId: row.event_id, prevHash: row.prev_hash, hash: row.hash, recomputed: hashOf(row) })),
        head && { version: head.version, hash: head.last_hash },
      );
    } finally {
      if (own && db.isTransaction) db.exec('COMMIT');
    }
  }

  async listStreams(prefix: string): Promise<string[]> {
    const rows = this.reader.prepare('SELECT stream_id FROM streams WHERE stream_id >= ? AND stream_id < ? ORDER BY stream_id').all(prefix, `${prefix}\uffff`) as Array<{ stream_id: string }>;
    return rows.map((r) => r.stream_id);
  }

  async publishOutbox(limit: number, publish: (records: readonly OutboxRecord[]) => Promise<void>): Promise<number> {
    // Under the write mutex: one publisher at a time, and rows leave only after publish succeeded.
    return this.mutex.run(async () => {
      const rows = this.writer
        .prepare(`SELECT o.outbox_id, ${EVENT_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} FROM outbox o JOIN events e ON e.position = o.position ORDER BY o.outbox_id LIMIT ?`)
        .all(limit) as unknown as Array<EventRow & { outbox_id: number }>;
      if (rows.length === 0) return 0;
      await publish(rows.map((r) => ({ outboxId: r.outbox_id, event: toRecorded(r) })));
      const del = this.writer.prepare('DELETE FROM outbox WHERE outbox_id = ?');
      this.writer.exec('BEGIN IMMEDIATE');
      try {
        for (const r of rows) del.run(r.outbox_id);
        this.writer.exec('COMMIT');
      } catch (e) {
        this.writer.exec('ROLLBACK');
        throw e;
      }
      return rows.length;
    });
  }

  async outboxBacklog(): Promise<number> {
    return (this.reader.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  }

  waitForAppend(ms: number): Promise<void> {
    return this.appended.wait(ms);
  }


  /** For tamper-evidence tests and forensic tooling only: rewrites a stored payload in place. */
  tamperForTest(streamId: string, version: number, payload: unknown): void {
    this.writer.prepare('UPDATE events SET payload = ? WHERE stream_id = ? AND version = ?').run(JSON.stringify(payload), streamId, version);
  }

  /** Tamper-evidence tests only: rewrites a stored context (correlation, causation, actor) in place. */
  tamperContextForTest(streamId: string, version: number, context: unknown): void {
    this.writer.prepare('UPDATE events SET context = ? WHERE stream_id = ? AND version = ?').run(JSON.stringify(context), streamId, version);
  }

  /** Tamper-evidence tests only: deletes a stored event (and its outbox row, which references it), leaving the head as it was. */
  deleteEventForTest(streamId: string, version: number): Promise<void> {
    return this.rawWriteForTest([
      ['DELETE FROM outbox WHERE position IN (SELECT position FROM events WHERE stream_id = ? AND version = ?)', streamId, version],
      ['DELETE FROM events WHERE stream_id = ? AND version = ?', streamId, version],
    ]);
  }

  /** Tamper-evidence tests only: swaps two stored events' versions, leaving their hashes as they were. */
  swapVersionsForTest(streamId: string, a: number, b: number): Promise<void> {
    // UNIQUE (stream_id, version) is checked row by row: park one event on a version no event has.
    return this.rawWriteForTest([
      ['UPDATE events SET version = -1 WHERE stream_id = ? AND version = ?', streamId, a],
      ['UPDATE events SET version = ? WHERE stream_id = ? AND version = ?', a, streamId, b],
      ['UPDATE events SET version = ? WHERE stream_id = ? AND version = -1', b, streamId],
    ]);
  }

  private rawWriteForTest(statements: ReadonlyArray<[string, ...Array<string | number>]>): Promise<void> {
    return this.mutex.run(async () => {
      this.writer.exec('BEGIN IMMEDIATE');
      try {
        for (const [sql, ...params] of statements) this.writer.prepare(sql).run(...params);
        this.writer.exec('COMMIT');
      } catch (e) {
        this.writer.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => {
      if (this.reader !== this.writer) this.reader.close();
      this.writer.close();
    });
  }
}
