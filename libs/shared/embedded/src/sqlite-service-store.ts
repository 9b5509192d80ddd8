import type { DatabaseSync } from 'node:sqlite';
import { type EventTypes, type LedgerEvent, topicOf } from '@pos/contracts';
import { ConcurrencyError, type RecordedEvent } from '@pos/kernel';
import {
  AppendSignal, contextOf, decodeStoredEvent, draftStream, GENESIS_HASH, parseWithBigInt, partitionKeyOf, ofTypes, recordedFromDraft, storedEventHash, storedLogMessage, stringifyWithBigInt, verifyChain,
  type AppendOutcome, type DocumentReader, type DocumentWrite, type ExpectedVersion, type HashChainReport, type ListOptions, type NewEvent, type OutboxRecord,
  type ServiceStore, type StoredEventDraft, type StorePosition, type StoreTx, type StreamAppend,
  type StoredEventContent,
} from '@pos/eventing';
import { FileWakeup, intColumn, Mutex, openSqlite, optionalTextColumn, relaxedWriteTransaction, type SqlRow, Statements, textColumn, writeTransaction } from './sqlite';

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
CREATE TABLE IF NOT EXISTS outbox (outbox_id INTEGER PRIMARY KEY AUTOINCREMENT, position INTEGER NOT NULL REFERENCES events(position), topic TEXT, key TEXT);
CREATE TABLE IF NOT EXISTS documents (collection TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (collection, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS processed (consumer TEXT NOT NULL, message_id TEXT NOT NULL, processed_at TEXT NOT NULL, PRIMARY KEY (consumer, message_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (subscription_id TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
`;

/** `PRAGMA user_version` of the current schema. 2: outbox rows carry their topic and partition key. */
const SCHEMA_VERSION = 2;

/** Brings a file written by an older version up to SCHEMA_VERSION; safe to run again. */
const migrate = (db: DatabaseSync) => {
  db.exec(SCHEMA);
  const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (version >= SCHEMA_VERSION) return;
  writeTransaction(db, () => {
    const columns = new Set((db.prepare('PRAGMA table_info(outbox)').all() as Array<{ name: string }>).map((c) => c.name));
    if (!columns.has('topic')) db.exec('ALTER TABLE outbox ADD COLUMN topic TEXT');
    if (!columns.has('key')) db.exec('ALTER TABLE outbox ADD COLUMN key TEXT');
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
};

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

const SQL = {
  head: 'SELECT version, last_hash FROM streams WHERE stream_id = ?',
  insertEvent: `INSERT INTO events (event_id, stream_id, version, type, schema_version, payload, context, occurred_at, prev_hash, hash)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING position`,
  insertOutbox: 'INSERT INTO outbox (position, topic, key) VALUES (?, ?, ?)',
  upsertHead: 'INSERT INTO streams (stream_id, version, last_hash) VALUES (?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash',
  upsertDocument: 'INSERT INTO documents (collection, key, doc) VALUES (?, ?, ?) ON CONFLICT (collection, key) DO UPDATE SET doc = excluded.doc',
  getDocument: 'SELECT doc FROM documents WHERE collection = ? AND key = ?',
  getDocuments: 'SELECT key, doc FROM documents WHERE collection = ? AND key IN (SELECT value FROM json_each(?))',
  deleteDocument: 'DELETE FROM documents WHERE collection = ? AND key = ?',
  hasProcessed: 'SELECT 1 FROM processed WHERE consumer = ? AND message_id = ?',
  seenProcessed: 'SELECT message_id FROM processed WHERE consumer = ? AND message_id IN (SELECT value FROM json_each(?))',
  markProcessed: 'INSERT INTO processed (consumer, message_id, processed_at) VALUES (?, ?, ?)',
  getCheckpoint: 'SELECT position FROM checkpoints WHERE subscription_id = ?',
  setCheckpoint: 'INSERT INTO checkpoints (subscription_id, position) VALUES (?, ?) ON CONFLICT (subscription_id) DO UPDATE SET position = excluded.position',
} as const;

const EVENT_COLUMNS = 'position, event_id, stream_id, version, type, schema_version, payload, context, occurred_at, prev_hash, hash';

/** An events row, column by column. */
const eventRow = (r: SqlRow): EventRow => ({
  position: intColumn(r, 'position'),
  event_id: textColumn(r, 'event_id'),
  stream_id: textColumn(r, 'stream_id'),
  version: intColumn(r, 'version'),
  type: textColumn(r, 'type'),
  schema_version: intColumn(r, 'schema_version'),
  payload: textColumn(r, 'payload'),
  context: textColumn(r, 'context'),
  occurred_at: textColumn(r, 'occurred_at'),
  prev_hash: textColumn(r, 'prev_hash'),
  hash: textColumn(r, 'hash'),
});

/** An outbox row joined to its event. */
interface OutboxRow extends EventRow {
  outbox_id: number;
  topic: string | null;
  key: string | null;
}
const outboxRow = (r: SqlRow): OutboxRow => ({ ...eventRow(r), outbox_id: intColumn(r, 'outbox_id'), topic: optionalTextColumn(r, 'topic'), key: optionalTextColumn(r, 'key') });

/** Rows are decoded through the contracts, so old shapes are upcast on read. */
const toRecorded = (row: EventRow): RecordedEvent<LedgerEvent> =>
  decodeStoredEvent(row.type, JSON.parse(row.payload), {
    ...contextOf(JSON.parse(row.context)),
    eventId: row.event_id,
    streamId: row.stream_id,
    version: row.version,
    occurredAt: row.occurred_at,
    schemaVersion: row.schema_version,
    position: String(row.position),
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
  payload: JSON.parse(row.payload),
  context: JSON.parse(row.context),
  occurredAt: row.occurred_at,
  prevHash: row.prev_hash,
  hash: row.hash,
});

const hashOf = (row: EventRow): string => storedEventHash(contentOf(row));

/** SQLite rowids are positions: one writer at a time, so their order is commit order. */
const positionNumber = (p: StorePosition): number => Number(p);

/**
 * The embedded ServiceStore: one SQLite file per service. Writes go through
 * one connection under a mutex; reads outside transactions use a second
 * connection and so never see uncommitted work.
 */
export class SqliteServiceStore implements ServiceStore {
  private readonly writer: DatabaseSync;
  private readonly reader: DatabaseSync;
  private readonly w: Statements;
  private readonly r: Statements;
  private readonly mutex = new Mutex();
  /** One outbox publisher at a time (publishing does not hold the write lock). */
  private readonly publishing = new Mutex();
  private readonly appended = new AppendSignal();
  /** Appends made through another thread's store object on this file wake this one's pollers too. */
  private readonly wakeup: FileWakeup;

  constructor(readonly file: string) {
    this.wakeup = new FileWakeup(file, () => this.appended.notify());
    this.writer = openSqlite(file);
    migrate(this.writer);
    this.reader = file === ':memory:' ? this.writer : openSqlite(file, { readOnly: true });
    this.w = new Statements(this.writer);
    this.r = this.reader === this.writer ? this.w : new Statements(this.reader);
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      const db = this.writer;
      const w = this.w;
      db.exec('BEGIN IMMEDIATE');
      let appended = false;
      const tx: StoreTx = {
        events: {
          append: async (streamId, expected, events) => {
            const out = this.appendIn(streamId, expected, events);
            appended ||= out.length > 0;
            return out;
          },
          readStream: async (streamId, types, fromVersion) => ofTypes(this.readStreamFrom(w, streamId, fromVersion), types),
        },
        documents: {
          get: async (collection, key) => this.getDoc(w, collection, key),
          getMany: async (collection, keys) => this.getDocs(w, collection, keys),
          put: async (collection, key, doc) => {
            w.get(SQL.upsertDocument).run(collection, key, stringifyWithBigInt(doc));
          },
          putMany: async (collection, entries) => {
            const upsert = w.get(SQL.upsertDocument);
            for (const { key, doc } of entries) upsert.run(collection, key, stringifyWithBigInt(doc));
          },
          delete: async (collection, key) => {
            w.get(SQL.deleteDocument).run(collection, key);
          },
          list: async (collection, prefix, options) => this.listDocs(w, collection, prefix, options),
          clear: async (collection) => Number(w.get('DELETE FROM documents WHERE collection = ?').run(collection).changes),
        },
        processed: {
          has: async (consumer, id) => !!w.get(SQL.hasProcessed).get(consumer, id),
          mark: async (consumer, id) => {
            w.get(SQL.markProcessed).run(consumer, id, new Date().toISOString());
          },
          seen: async (consumer, ids) =>
            ids.length === 0 ? new Set() : new Set((w.get(SQL.seenProcessed).all(consumer, JSON.stringify(ids)) as Array<{ message_id: string }>).map((r) => r.message_id)),
          markMany: async (consumer, ids) => {
            const mark = w.get(SQL.markProcessed);
            const at = new Date().toISOString();
            for (const id of ids) mark.run(consumer, id, at);
          },
        },
        checkpoints: {
          get: async (id) => String((w.get(SQL.getCheckpoint).get(id) as { position: number } | undefined)?.position ?? 0),
          set: async (id, position) => {
            w.get(SQL.setCheckpoint).run(id, positionNumber(position));
          },
        },
        // BEGIN IMMEDIATE already holds the database's only write lock, across processes too.
        lock: async () => undefined,
      };
      try {
        const result = await fn(tx);
        db.exec('COMMIT');
        if (appended) this.notifyAppended();
        return result;
      } catch (e) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async appendBatch(appends: readonly StreamAppend[]): Promise<AppendOutcome[]> {
    // Encoding and hashing need no lock: only the head checks and inserts run under it.
    const drafted = appends.map((a) => ({ a, drafts: draftStream(a.streamId, a.expectedVersion, a.prevHash, a.events) }));
    const outcomes = await this.mutex.run(async () =>
      writeTransaction(this.writer, () =>
        drafted.map(({ a, drafts }): AppendOutcome => {
          const head = this.w.get(SQL.head).get(a.streamId) as { version: number; last_hash: string } | undefined;
          const version = head?.version ?? 0;
          if (version !== a.expectedVersion || (head?.last_hash ?? GENESIS_HASH) !== a.prevHash)
            return { ok: false, conflict: new ConcurrencyError(a.streamId, a.expectedVersion, version) };
          const positions = this.insertDrafts(drafts);
          this.writeDocuments(a.documents ?? []);
          return { ok: true, recorded: drafts.map((d, i) => recordedFromDraft(d, a.events[i].data, positions[i])) };
        }),
      ),
    );
    if (outcomes.some((o) => o.ok)) this.notifyAppended();
    return outcomes;
  }

  private notifyAppended() {
    this.appended.notify();
    this.wakeup.notifyOthers();
  }

  /** Inserts a stream's drafted events with their outbox rows and moves its head; returns their positions. */
  private insertDrafts(drafts: readonly StoredEventDraft[]): string[] {
    const insert = this.w.get(SQL.insertEvent);
    const outbox = this.w.get(SQL.insertOutbox);
    const positions: string[] = [];
    for (const d of drafts) {
      const { position } = insert.get(d.eventId, d.streamId, d.version, d.type, d.schemaVersion, d.payloadJson, JSON.stringify(d.context), d.occurredAt, d.prevHash, d.hash) as { position: number };
      outbox.run(position, d.topic, d.key);
      positions.push(String(position));
    }
    const last = drafts[drafts.length - 1];
    if (last) this.w.get(SQL.upsertHead).run(last.streamId, last.version, last.hash);
    return positions;
  }

  private writeDocuments(writes: readonly DocumentWrite[]) {
    const upsert = this.w.get(SQL.upsertDocument);
    for (const d of writes) upsert.run(d.collection, d.key, stringifyWithBigInt(d.doc));
  }

  private appendIn(streamId: string, expected: ExpectedVersion, events: readonly NewEvent[]): RecordedEvent[] {
    const head = this.w.get(SQL.head).get(streamId) as { version: number; last_hash: string } | undefined;
    const current = head?.version ?? 0;
    if (expected !== 'ANY' && expected !== current) throw new ConcurrencyError(streamId, expected, current);
    if (events.length === 0) return [];
    const drafts = draftStream(streamId, current, head?.last_hash ?? GENESIS_HASH, events);
    const positions = this.insertDrafts(drafts);
    return drafts.map((d, i) => recordedFromDraft(d, events[i].data, positions[i]));
  }

  private readStreamFrom(s: Statements, streamId: string, fromVersion = 1, toVersion = 2 ** 31): RecordedEvent<LedgerEvent>[] {
    return s.get(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND version >= ? AND version <= ? ORDER BY version`).all(streamId, fromVersion, toVersion).map((r) => toRecorded(eventRow(r)));
  }

  private getDoc<T>(s: Statements, collection: string, key: string): T | undefined {
    const row = s.get(SQL.getDocument).get(collection, key) as { doc: string } | undefined;
    return row ? parseWithBigInt<T>(row.doc) : undefined;
  }

  private getDocs<T>(s: Statements, collection: string, keys: readonly string[]): Map<string, T> {
    if (keys.length === 0) return new Map();
    const rows = s.get(SQL.getDocuments).all(collection, JSON.stringify(keys)) as Array<{ key: string; doc: string }>;
    return new Map(rows.map((r) => [r.key, parseWithBigInt<T>(r.doc)]));
  }

  async getDocument<T>(collection: string, key: string): Promise<T | undefined> {
    return this.getDoc<T>(this.r, collection, key);
  }

  async listDocuments<T>(collection: string, prefix: string, options?: ListOptions) {
    return this.listDocs<T>(this.r, collection, prefix, options);
  }

  async readSnapshot<T>(fn: (docs: DocumentReader) => Promise<T>): Promise<T> {
    // A connection of its own: its read transaction is one WAL snapshot, and nobody else's reads join it.
    if (this.file === ':memory:') return this.mutex.run(() => fn(this.readerOn(this.w)));
    const db = openSqlite(this.file, { readOnly: true });
    try {
      db.exec('BEGIN');
      db.prepare('SELECT 1 FROM documents LIMIT 1').get(); // a deferred read transaction takes its snapshot at its first read
      return await fn(this.readerOn(new Statements(db)));
    } finally {
      if (db.isTransaction) db.exec('COMMIT');
      db.close();
    }
  }

  private readerOn(s: Statements): DocumentReader {
    return {
      get: async (collection, key) => this.getDoc(s, collection, key),
      getMany: async (collection, keys) => this.getDocs(s, collection, keys),
      list: async (collection, prefix, options) => this.listDocs(s, collection, prefix, options),
    };
  }

  async lastPosition(): Promise<StorePosition> {
    return String((this.r.get('SELECT COALESCE(MAX(position), 0) AS p FROM events').get() as { p: number }).p);
  }

  private listDocs<T>(s: Statements, collection: string, prefix: string, options: ListOptions = {}) {
    // Range scan on the primary key: [prefix, prefix + U+FFFF).
    const after = options.after && options.after > prefix ? options.after : undefined;
    const rows = s
      .get(`SELECT key, doc FROM documents WHERE collection = ? AND key ${after ? '>' : '>='} ? AND key < ? ORDER BY key LIMIT ?`)
      .all(collection, after ?? prefix, `${prefix}\uffff`, options.limit ?? -1) as Array<{ key: string; doc: string }>;
    return rows.map((r) => ({ key: r.key, doc: parseWithBigInt<T>(r.doc) }));
  }

  async readStream<E extends LedgerEvent>(streamId: string, types: EventTypes<E>, fromVersion?: number, toVersion?: number): Promise<RecordedEvent<E>[]> {
    return ofTypes(this.readStreamFrom(this.r, streamId, fromVersion, toVersion), types);
  }

  async readAll(afterPosition: StorePosition, limit: number): Promise<RecordedEvent<LedgerEvent>[]> {
    return this.r.get(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).all(positionNumber(afterPosition), limit).map((r) => toRecorded(eventRow(r)));
  }

  async countBetween(after: StorePosition, until: StorePosition): Promise<number> {
    return (this.r.get('SELECT COUNT(*) AS n FROM events WHERE position > ? AND position < ?').get(positionNumber(after), positionNumber(until)) as { n: number }).n;
  }

  async verifyStream(streamId: string): Promise<HashChainReport> {
    const db = this.reader;
    // Events and head from one snapshot, so an append committing in between is not reported as a mismatch.
    // (In memory the reader is the writer, possibly inside a transaction already: its reads are consistent anyway.)
    const own = !db.isTransaction;
    if (own) db.exec('BEGIN');
    try {
      const rows = this.r.get(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? ORDER BY version`).all(streamId).map(eventRow);
      const head = this.r.get(SQL.head).get(streamId) as { version: number; last_hash: string } | undefined;
      return verifyChain(
        streamId,
        rows.map((row) => ({ version: row.version, eventId: row.event_id, prevHash: row.prev_hash, hash: row.hash, recomputed: hashOf(row) })),
        head && { version: head.version, hash: head.last_hash },
      );
    } finally {
      if (own && db.isTransaction) db.exec('COMMIT');
    }
  }

  async readStoredEvents(streamId: string, fromVersion: number, toVersion: number): Promise<StoredEventContent[]> {
    return this.r.get(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND version >= ? AND version <= ? ORDER BY version`).all(streamId, fromVersion, toVersion).map((r) => contentOf(eventRow(r)));
  }

  async listStreams(prefix: string): Promise<string[]> {
    const rows = this.r.get('SELECT stream_id FROM streams WHERE stream_id >= ? AND stream_id < ? ORDER BY stream_id').all(prefix, `${prefix}\uffff`) as Array<{ stream_id: string }>;
    return rows.map((r) => r.stream_id);
  }

  async publishOutbox(limit: number, publish: (records: readonly OutboxRecord[]) => Promise<void>): Promise<number> {
    // Rows are read on the read connection (committed rows only) and leave only after publish
    // succeeded; the write lock is held just for the delete, so appends go on meanwhile.
    // In memory the only connection is the writer, which may be inside a transaction: take its lock.
    const drain = async () => {
      const rows = this.r
        .get(`SELECT o.outbox_id, o.topic, o.key, ${EVENT_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} FROM outbox o JOIN events e ON e.position = o.position ORDER BY o.outbox_id LIMIT ?`)
        .all(limit)
        .map(outboxRow);
      if (rows.length === 0) return 0;
      await publish(rows.map((r) => this.outboxRecord(r)));
      // One writer: outbox ids are handed out in commit order, so every row up to the last one read was read.
      // Lost in a power cut, the delete only makes the next relay publish these again (consumers drop duplicates).
      const last = rows[rows.length - 1].outbox_id;
      const remove = () => relaxedWriteTransaction(this.writer, () => this.w.get('DELETE FROM outbox WHERE outbox_id <= ?').run(last));
      if (this.reader === this.writer) remove();
      else await this.mutex.run(async () => remove());
      return rows.length;
    };
    return this.publishing.run(() => (this.reader === this.writer ? this.mutex.run(drain) : drain()));
  }

  private outboxRecord(r: OutboxRow): OutboxRecord {
    const context = contextOf(JSON.parse(r.context));
    // Rows queued before outbox rows carried their topic and key (schema version 1) get them from the stored payload.
    const key = r.key ?? partitionKeyOf({ data: JSON.parse(r.payload), metadata: { streamId: r.stream_id } });
    const message = storedLogMessage({
      position: String(r.position), eventId: r.event_id, streamId: r.stream_id, version: r.version, type: r.type, schemaVersion: r.schema_version,
      payloadJson: r.payload, context, occurredAt: r.occurred_at, prevHash: r.prev_hash, hash: r.hash, topic: r.topic ?? topicOf(r.type), key,
    });
    return { outboxId: String(r.outbox_id), eventId: r.event_id, streamId: r.stream_id, version: r.version, type: r.type, message };
  }

  async outboxBacklog(): Promise<number> {
    return (this.r.get('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  }

  waitForAppend(ms: number): Promise<void> {
    return this.appended.wait(ms);
  }

  async close(): Promise<void> {
    this.wakeup.close();
    await this.publishing.run(() =>
      this.mutex.run(async () => {
        if (this.reader !== this.writer) this.reader.close();
        this.writer.close();
      }),
    );
  }
}
