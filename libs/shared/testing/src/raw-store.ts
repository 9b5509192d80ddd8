import { DatabaseSync } from 'node:sqlite';
import { canonicalJson, GENESIS_HASH, storedEventHash } from '@pos/eventing';
import type { EventContext } from '@pos/kernel';
import type pg from 'pg';

/**
 * Writes to a store's database behind the store's back, as an attacker, a faulty tool or an
 * older release would: for tamper-evidence and upgrade tests. Nothing here is in the stores.
 */
export interface RawStore {
  /** Rewrites one stored event's payload. */
  tamper(streamId: string, version: number, payload: unknown): Promise<void>;
  /** Rewrites one stored event's context (correlation, causation, actor). */
  tamperContext(streamId: string, version: number, context: unknown): Promise<void>;
  /** Deletes one stored event (and its outbox row); the stream head stays as it was. */
  deleteEvent(streamId: string, version: number): Promise<void>;
  /** Swaps two stored events' versions; hashes and head stay as they were. */
  swapVersions(streamId: string, a: number, b: number): Promise<void>;
  /**
   * Appends events exactly as written at their schema version (`payload` is that version's wire
   * form), hash-linked to the stream's head and queued in the outbox: rows an older release left.
   */
  appendWritten(streamId: string, events: readonly WrittenEvent[]): Promise<void>;
  /**
   * The forger of issue 14: rewrites one event's payload, then every later hash of its stream
   * and the stream head to match, so the hash chain verifies again.
   */
  rewriteHistory(streamId: string, version: number, payload: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface WrittenEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly payload: unknown;
  readonly context: EventContext;
  readonly occurredAt: string;
  /** Where the outbox relay publishes it (stored with the outbox row). */
  readonly topic: string;
  readonly key: string;
}

interface Row {
  readonly version: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly payloadJson: string;
  readonly e: WrittenEvent;
}

/** The rows of `events` after a head at (version, hash), each linked to the one before. */
const chained = (streamId: string, head: { version: number; hash: string }, events: readonly WrittenEvent[]): Row[] => {
  let { version, hash } = head;
  return events.map((e) => {
    const prevHash = hash;
    version += 1;
    hash = storedEventHash({ eventId: e.eventId, streamId, version, type: e.type, schemaVersion: e.schemaVersion, occurredAt: e.occurredAt, payload: e.payload, context: e.context, prevHash });
    return { version, prevHash, hash, payloadJson: canonicalJson(e.payload), e };
  });
};

interface StoredRow {
  readonly eventId: string;
  readonly version: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly payload: unknown;
  readonly context: unknown;
  readonly occurredAt: string;
  readonly prevHash: string;
}

/** The stream's rows from `version` on, `payload` put at `version`, each hash recomputed and linked to the one before. */
const rechained = (streamId: string, rows: readonly StoredRow[], version: number, payload: unknown) => {
  let prevHash = rows[0].prevHash;
  return rows.map((r) => {
    const p = r.version === version ? payload : r.payload;
    const hash = storedEventHash({ eventId: r.eventId, streamId, version: r.version, type: r.type, schemaVersion: r.schemaVersion, occurredAt: r.occurredAt, payload: p, context: r.context, prevHash });
    const out = { version: r.version, payloadJson: canonicalJson(p), prevHash, hash };
    prevHash = hash;
    return out;
  });
};

/** The embedded store's file, opened on a connection of its own (SQLite's file lock orders it with the store's writes). */
export const rawSqliteStore = (file: string): RawStore => {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA busy_timeout = 5000');
  const inTransaction = (statements: ReadonlyArray<[string, ...Array<string | number>]>) => {
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const [sql, ...params] of statements) db.prepare(sql).run(...params);
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  };
  return {
    tamper: async (streamId, version, payload) => inTransaction([['UPDATE events SET payload = ? WHERE stream_id = ? AND version = ?', JSON.stringify(payload), streamId, version]]),
    tamperContext: async (streamId, version, context) => inTransaction([['UPDATE events SET context = ? WHERE stream_id = ? AND version = ?', JSON.stringify(context), streamId, version]]),
    deleteEvent: async (streamId, version) =>
      inTransaction([
        ['DELETE FROM outbox WHERE position IN (SELECT position FROM events WHERE stream_id = ? AND version = ?)', streamId, version],
        ['DELETE FROM events WHERE stream_id = ? AND version = ?', streamId, version],
      ]),
    // UNIQUE (stream_id, version) is checked row by row: park one event on a version no event has.
    swapVersions: async (streamId, a, b) =>
      inTransaction([
        ['UPDATE events SET version = -1 WHERE stream_id = ? AND version = ?', streamId, a],
        ['UPDATE events SET version = ? WHERE stream_id = ? AND version = ?', a, streamId, b],
        ['UPDATE events SET version = ? WHERE stream_id = ? AND version = -1', b, streamId],
      ]),
    appendWritten: async (streamId, events) => {
      const head = db.prepare('SELECT version, last_hash FROM streams WHERE stream_id = ?').get(streamId);
      const rows = chained(streamId, { version: Number(head?.version ?? 0), hash: String(head?.last_hash ?? GENESIS_HASH) }, events);
      const last = rows[rows.length - 1];
      inTransaction([
        ...rows.flatMap((r): Array<[string, ...Array<string | number>]> => [
          [
            'INSERT INTO events (event_id, stream_id, version, type, schema_version, payload, context, occurred_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            r.e.eventId, streamId, r.version, r.e.type, r.e.schemaVersion, r.payloadJson, JSON.stringify(r.e.context), r.e.occurredAt, r.prevHash, r.hash,
          ],
          ['INSERT INTO outbox (position, topic, key) VALUES (last_insert_rowid(), ?, ?)', r.e.topic, r.e.key],
        ]),
        ['INSERT INTO streams (stream_id, version, last_hash) VALUES (?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash', streamId, last.version, last.hash],
      ]);
    },
    rewriteHistory: async (streamId, version, payload) => {
      const rows = db.prepare('SELECT event_id, version, type, schema_version, payload, context, occurred_at, prev_hash FROM events WHERE stream_id = ? AND version >= ? ORDER BY version').all(streamId, version);
      const links = rechained(streamId, rows.map((r) => ({
        eventId: String(r.event_id), version: Number(r.version), type: String(r.type), schemaVersion: Number(r.schema_version), payload: JSON.parse(String(r.payload)),
        context: JSON.parse(String(r.context)), occurredAt: String(r.occurred_at), prevHash: String(r.prev_hash),
      })), version, payload);
      const last = links[links.length - 1];
      inTransaction([
        ...links.map((l): [string, ...Array<string | number>] => ['UPDATE events SET payload = ?, prev_hash = ?, hash = ? WHERE stream_id = ? AND version = ?', l.payloadJson, l.prevHash, l.hash, streamId, l.version]),
        ['UPDATE streams SET version = ?, last_hash = ? WHERE stream_id = ?', last.version, last.hash, streamId],
      ]);
    },
    close: async () => db.close(),
  };
};

/** One service's schema on PostgreSQL, through `pool`. */
export const rawPgStore = (pool: pg.Pool, schema: string): RawStore => {
  const s = `"${schema.replace(/"/g, '""')}"`;
  const inTransaction = async (statements: ReadonlyArray<[string, unknown[]]>) => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      for (const [sql, params] of statements) await c.query(sql, params);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    } finally {
      c.release();
    }
  };
  return {
    tamper: (streamId, version, payload) => inTransaction([[`UPDATE ${s}.events SET payload = $1 WHERE stream_id = $2 AND version = $3`, [JSON.stringify(payload), streamId, version]]]),
    tamperContext: (streamId, version, context) => inTransaction([[`UPDATE ${s}.events SET context = $1 WHERE stream_id = $2 AND version = $3`, [JSON.stringify(context), streamId, version]]]),
    deleteEvent: (streamId, version) =>
      inTransaction([
        [`DELETE FROM ${s}.outbox WHERE stream_id = $1 AND $2 BETWEEN first_version AND last_version`, [streamId, version]],
        [`DELETE FROM ${s}.events WHERE stream_id = $1 AND version = $2`, [streamId, version]],
      ]),
    // UNIQUE (stream_id, version) is not deferrable, so it is checked row by row: park one event on a version no event has.
    swapVersions: (streamId, a, b) =>
      inTransaction([
        [`UPDATE ${s}.events SET version = -1 WHERE stream_id = $1 AND version = $2`, [streamId, a]],
        [`UPDATE ${s}.events SET version = $1 WHERE stream_id = $2 AND version = $3`, [a, streamId, b]],
        [`UPDATE ${s}.events SET version = $1 WHERE stream_id = $2 AND version = -1`, [b, streamId]],
      ]),
    appendWritten: async (streamId, events) => {
      const { rows: [head] } = await pool.query<{ version: number; last_hash: string }>(`SELECT version, last_hash FROM ${s}.streams WHERE stream_id = $1`, [streamId]);
      const rows = chained(streamId, { version: head?.version ?? 0, hash: head?.last_hash ?? GENESIS_HASH }, events);
      const last = rows[rows.length - 1];
      await inTransaction([
        ...rows.flatMap((r): Array<[string, unknown[]]> => [
          [
            `INSERT INTO ${s}.events (event_id, stream_id, version, type, schema_version, payload, context, occurred_at, occurred_at_text, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::timestamptz, $8::text, $9, $10)`,
            [r.e.eventId, streamId, r.version, r.e.type, r.e.schemaVersion, r.payloadJson, JSON.stringify(r.e.context), r.e.occurredAt, r.prevHash, r.hash],
          ],
          [`INSERT INTO ${s}.outbox (stream_id, first_version, last_version, topic, key) VALUES ($1, $2, $2, $3, $4)`, [streamId, r.version, r.e.topic, r.e.key]],
        ]),
        [
          `INSERT INTO ${s}.streams (stream_id, version, last_hash) VALUES ($1, $2, $3) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_hash = excluded.last_hash`,
          [streamId, last.version, last.hash],
        ],
      ]);
    },
    rewriteHistory: async (streamId, version, payload) => {
      const { rows } = await pool.query(`SELECT event_id, version, type, schema_version, payload, context, occurred_at_text, prev_hash FROM ${s}.events WHERE stream_id = $1 AND version >= $2 ORDER BY version`, [streamId, version]);
      const links = rechained(streamId, rows.map((r) => ({
        eventId: r.event_id, version: r.version, type: r.type, schemaVersion: r.schema_version, payload: r.payload, context: r.context, occurredAt: r.occurred_at_text, prevHash: r.prev_hash,
      })), version, payload);
      const last = links[links.length - 1];
      await inTransaction([
        ...links.map((l): [string, unknown[]] => [`UPDATE ${s}.events SET payload = $1, prev_hash = $2, hash = $3 WHERE stream_id = $4 AND version = $5`, [l.payloadJson, l.prevHash, l.hash, streamId, l.version]]),
        [`UPDATE ${s}.streams SET version = $1, last_hash = $2 WHERE stream_id = $3`, [last.version, last.hash, streamId]],
      ]);
    },
    close: async () => undefined,
  };
};
