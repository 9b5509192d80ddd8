import { DatabaseSync, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { BroadcastChannel } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Page cache per connection, in KiB (`LEDGER_SQLITE_CACHE_KIB`). */
const cacheKib = (value = process.env.LEDGER_SQLITE_CACHE_KIB): number => {
  if (value === undefined || value === '') return 8192;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 256 || n > 4_194_304) throw new Error(`LEDGER_SQLITE_CACHE_KIB must be an integer in [256, 4194304], got ${JSON.stringify(value)}`);
  return n;
};
const CACHE_KIB = cacheKib();

/**
 * Opens a SQLite file for durable, single-machine use. WAL with
 * synchronous=FULL: a commit survives SIGKILL and power loss.
 */
export const openSqlite = (file: string, options: { readOnly?: boolean } = {}): DatabaseSync => {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file, { readOnly: options.readOnly ?? false });
  db.exec('PRAGMA busy_timeout = 5000');
  // Page cache per connection, in KiB (a process has a dozen connections: this is most of its native memory).
  db.exec(`PRAGMA cache_size = -${CACHE_KIB}`);
  if (!options.readOnly) {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
  }
  return db;
};

/** Prepared statements of one connection, prepared once: preparing costs more than running most of them. */
export class Statements {
  private readonly cache = new Map<string, StatementSync>();
  constructor(readonly db: DatabaseSync) {}
  get(sql: string): StatementSync {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }
}

/** Runs `fn` inside BEGIN IMMEDIATE ... COMMIT on `db`, rolling back when it throws. */
export const writeTransaction = <T>(db: DatabaseSync, fn: () => T): T => {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  }
};

/**
 * A write transaction that does not wait for the disk (synchronous = NORMAL for its commit):
 * for writes whose loss in a power cut is harmless because they are redone (an outbox row
 * published again, an offset read again). It survives a killed process like any commit, and
 * the next full commit's sync makes it durable too.
 */
export const relaxedWriteTransaction = <T>(db: DatabaseSync, fn: () => T): T => {
  db.exec('PRAGMA synchronous = NORMAL');
  try {
    return writeTransaction(db, fn);
  } finally {
    db.exec('PRAGMA synchronous = FULL');
  }
};

/** Serialises async critical sections: node:sqlite is synchronous, but a transaction body may await. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Tells the other threads of this process that opened the same file that something was
 * written there (a worker's relay learns of the HTTP thread's appends), and listens for
 * theirs. In-process only; other processes poll.
 */
export class FileWakeup {
  private readonly channel?: BroadcastChannel;

  constructor(file: string, onWake: () => void) {
    if (file === ':memory:') return;
    this.channel = new BroadcastChannel(`pos-ledger:${file}`);
    this.channel.onmessage = () => onWake();
    this.channel.unref();
  }

  notifyOthers(): void {
    this.channel?.postMessage(0);
  }

  close(): void {
    this.channel?.close();
  }
}

/** A row as node:sqlite returns it: column name -> value. */
export type SqlRow = Record<string, SQLOutputValue>;

const columnError = (name: string, want: string, got: SQLOutputValue | undefined) =>
  new TypeError(`column ${name}: expected ${want}, got ${got === null ? 'NULL' : typeof got}`);

/** A TEXT NOT NULL column, checked (the row is the database's, not trusted by a cast). */
export const textColumn = (row: SqlRow, name: string): string => {
  const value = row[name];
  if (typeof value !== 'string') throw columnError(name, 'text', value);
  return value;
};

/** A nullable TEXT column. */
export const optionalTextColumn = (row: SqlRow, name: string): string | null => (row[name] === null ? null : textColumn(row, name));

/** An INTEGER NOT NULL column (node:sqlite reads integers as numbers unless told to read bigints). */
export const intColumn = (row: SqlRow, name: string): number => {
  const value = row[name];
  if (typeof value !== 'number') throw columnError(name, 'integer', value);
  return value;
};
