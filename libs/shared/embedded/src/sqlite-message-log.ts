import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { DatabaseSync } from 'node:sqlite';
import {
  type ConsumedMessage, type Consumer, type ConsumerOptions, DEFAULT_MAX_BATCH, type LogMessage, type LogPositions, type MessageLog, positionKey, type ReadRangeOptions,
} from '@pos/eventing';
import { FileWakeup, intColumn, Mutex, openSqlite, relaxedWriteTransaction, type SqlRow, Statements, textColumn, writeTransaction } from './sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
  key TEXT NOT NULL, value TEXT NOT NULL, headers TEXT NOT NULL, appended_at TEXT NOT NULL,
  PRIMARY KEY (topic, partition, offset)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_offsets (
  group_id TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic, partition)
) WITHOUT ROWID;
`;

/** Stable key -> partition, so one key's messages stay in order. */
export const partitionFor = (key: string, partitions: number): number =>
  createHash('sha1').update(key).digest().readUInt32BE(0) % partitions;

interface RecordRow {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: string;
  headers: string;
  appended_at: string;
}

const recordRow = (r: SqlRow): RecordRow => ({
  topic: textColumn(r, 'topic'),
  partition: intColumn(r, 'partition'),
  offset: intColumn(r, 'offset'),
  key: textColumn(r, 'key'),
  value: textColumn(r, 'value'),
  headers: textColumn(r, 'headers'),
  appended_at: textColumn(r, 'appended_at'),
});

const toConsumed = (row: RecordRow): ConsumedMessage => ({
  topic: row.topic,
  partition: row.partition,
  offset: String(row.offset),
  key: row.key,
  value: row.value,
  headers: JSON.parse(row.headers),
  timestamp: row.appended_at,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Messages handed to one `onBatch` call of `readRange`. */
const READ_BATCH = 500;

/** 9999-12-31T23:59:59.999Z: the last instant whose ISO-8601 text sorts as time. */
const LAST_ISO_YEAR_MS = 253_402_300_799_999;

/**
 * The in-process log of the embedded default: Kafka's semantics that matter
 * here (topics, partitions by key, per-partition order, consumer-group
 * offsets, replay) on a durable SQLite file.
 */
export class SqliteMessageLog implements MessageLog {
  private readonly db: DatabaseSync;
  private readonly q: Statements;
  private readonly mutex = new Mutex();
  private readonly published = new EventEmitter();
  private readonly wakeup: FileWakeup;

  constructor(
    file: string,
    private readonly partitions = 4,
    private readonly pollMs = 200,
    /**
     * After a round that left no partition with a backlog, a consumer waits this long before
     * the next: under load its rounds (one store transaction and sync each) carry many
     * messages instead of a few, for that much projection lag at most.
     */
    private readonly lingerMs = 100,
  ) {
    this.db = openSqlite(file);
    this.db.exec(SCHEMA);
    this.wakeup = new FileWakeup(file, () => this.published.emit('publish'));
    this.q = new Statements(this.db);
    this.published.setMaxListeners(0);
  }

  async publish(messages: readonly LogMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.mutex.run(async () => {
      const next = this.q.get('SELECT COALESCE(MAX(offset) + 1, 0) AS n FROM records WHERE topic = ? AND partition = ?');
      const insert = this.q.get('INSERT INTO records (topic, partition, offset, key, value, headers, appended_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const now = new Date().toISOString();
      writeTransaction(this.db, () => {
        // The next offset of each partition is read once per publish, then counted on.
        const offsets = new Map<string, number>();
        for (const m of messages) {
          const partition = partitionFor(m.key, this.partitions);
          const id = `${m.topic}\u0000${partition}`;
          const offset = offsets.get(id) ?? (next.get(m.topic, partition) as { n: number }).n;
          insert.run(m.topic, partition, offset, m.key, m.value, JSON.stringify(m.headers), now);
          offsets.set(id, offset + 1);
        }
      });
    });
    this.published.emit('publish');
    this.wakeup.notifyOthers();
  }

  /**
   * One loop per consumer over all its partitions: each round hands the next messages of
   * every partition that has some (up to `maxBatch` of each, each partition in order) to the
   * handler at once, so a round costs one store transaction however many partitions it
   * spans, and commits each partition's next offset after it resolved; when it rejects, the
   * loop backs off and hands the same messages again.
   */
  async consume(options: ConsumerOptions): Promise<Consumer> {
    const max = options.maxBatch ?? DEFAULT_MAX_BATCH;
    let running = true;
    let wake: (() => void) | undefined;
    const onPublish = () => wake?.();
    this.published.on('publish', onPublish);
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          wake = undefined;
          resolve();
        }, ms);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });
    const fetch = this.q.get('SELECT topic, partition, offset, key, value, headers, appended_at FROM records WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?');
    const context = { stale: () => !running };
    const lanes = options.topics.flatMap((topic) => Array.from({ length: this.partitions }, (_, partition) => ({ topic, partition })));

    const loop = (async () => {
      let backoff = 50;
      while (running) {
        const offsets = this.committedAll(options.groupId, options.topics);
        let backlog = false;
        const rows = lanes.flatMap(({ topic, partition }) => {
          const got = fetch.all(topic, partition, offsets.get(`${topic}/${partition}`) ?? 0, max).map(recordRow);
          backlog ||= got.length === max;
          return got;
        });
        if (rows.length === 0) {
          await pause(this.pollMs);
          continue;
        }
        try {
          await options.handleBatch(rows.map(toConsumed), context);
        } catch {
          // Leave the offsets where they are: the same messages are handed again after a pause.
          await pause(backoff);
          backoff = Math.min(backoff * 2, 5_000);
          continue;
        }
        backoff = 50;
        const next = new Map<string, { topic: string; partition: number; offset: number }>();
        for (const r of rows) next.set(`${r.topic}/${r.partition}`, { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
        if (running) await this.commit(options.groupId, [...next.values()]);
        if (!backlog && running) await sleep(this.lingerMs);
      }
    })();

    return {
      stop: async () => {
        running = false;
        wake?.();
        this.published.off('publish', onPublish);
        await loop;
      },
      lag: async () => this.lag(options.groupId, options.topics),
    };
  }

  private committed(groupId: string, topic: string, partition: number): number {
    const row = this.q.get('SELECT next_offset FROM group_offsets WHERE group_id = ? AND topic = ? AND partition = ?').get(groupId, topic, partition) as
      | { next_offset: number }
      | undefined;
    return row?.next_offset ?? 0;
  }

  /** A group's next offset of every partition of `topics` it committed, keyed `topic/partition`. */
  private committedAll(groupId: string, topics: readonly string[]): Map<string, number> {
    const rows = this.q.get('SELECT topic, partition, next_offset FROM group_offsets WHERE group_id = ? AND topic IN (SELECT value FROM json_each(?))').all(groupId, JSON.stringify(topics)) as Array<{
      topic: string;
      partition: number;
      next_offset: number;
    }>;
    return new Map(rows.map((r) => [`${r.topic}/${r.partition}`, r.next_offset]));
  }

  /**
   * Commits a group's offsets in one transaction without waiting for the disk: an offset the
   * machine loses in a power cut only hands a batch again, which consumers recognise by
   * event id. (Records are written with a full sync: those must never be lost.)
   */
  private commit(groupId: string, offsets: ReadonlyArray<{ topic: string; partition: number; offset: number }>): Promise<void> {
    return this.mutex.run(async () => {
      const upsert = this.q.get(
        'INSERT INTO group_offsets (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?) ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset',
      );
      relaxedWriteTransaction(this.db, () => {
        for (const o of offsets) upsert.run(groupId, o.topic, o.partition, o.offset);
      });
    });
  }

  async lag(groupId: string, topics: readonly string[]): Promise<number> {
    let lag = 0;
    for (const topic of topics)
      for (let p = 0; p < this.partitions; p++) {
        const { n } = this.db.prepare('SELECT COALESCE(MAX(offset) + 1, 0) AS n FROM records WHERE topic = ? AND partition = ?').get(topic, p) as { n: number };
        lag += Math.max(0, n - this.committed(groupId, topic, p));
      }
    return lag;
  }

  /** The group's next offset per partition ('0' where it committed nothing). */
  async committedOffsets(groupId: string, topics: readonly string[]): Promise<LogPositions> {
    const out: Record<string, string> = {};
    for (const [key] of Object.entries(await this.endOffsets(topics))) {
      const [topic, partition] = [key.slice(0, key.lastIndexOf('/')), Number(key.slice(key.lastIndexOf('/') + 1))];
      out[key] = String(this.committed(groupId, topic, partition));
    }
    return out;
  }

  /** Replay: move a group back to the start of its topics. */
  async resetGroup(groupId: string, topics: readonly string[]): Promise<void> {
    await this.mutex.run(async () => {
      const del = this.db.prepare('DELETE FROM group_offsets WHERE group_id = ? AND topic = ?');
      for (const topic of topics) del.run(groupId, topic);
    });
    this.published.emit('publish');
  }

  /** One offset per partition 0..partitions-1 of every topic: the query's per-partition `n`, or `empty` for a partition it has no row for. */
  private perPartition(topics: readonly string[], sql: string, empty: (topic: string, partition: number) => number, ...args: Array<string | number>): LogPositions {
    const stmt = this.db.prepare(sql);
    const out: Record<string, string> = {};
    for (const topic of topics) {
      const found = new Map((stmt.all(topic, ...args) as Array<{ partition: number; n: number | null }>).map((r) => [r.partition, r.n]));
      // Also partitions beyond this process's count: a reader configured with fewer partitions than the writer must not miss any.
      const partitions = new Set([...Array.from({ length: this.partitions }, (_, p) => p), ...found.keys()]);
      for (const p of [...partitions].sort((a, b) => a - b)) out[positionKey(topic, p)] = String(found.get(p) ?? empty(topic, p));
    }
    return out;
  }

  /** Every topic exists here (an empty one reads as empty): nothing to create. */
  async ensureTopics(): Promise<void> {}

  /** The next offset to be written, per partition ('0' for an empty one). */
  async endOffsets(topics: readonly string[]): Promise<LogPositions> {
    return this.perPartition(topics, 'SELECT partition, MAX(offset) + 1 AS n FROM records WHERE topic = ? GROUP BY partition', () => 0);
  }

  /** The lowest offset held per partition: 0 (the embedded log removes nothing); '0' for an empty one. */
  async startOffsets(topics: readonly string[]): Promise<LogPositions> {
    return this.perPartition(topics, 'SELECT partition, MIN(offset) AS n FROM records WHERE topic = ? GROUP BY partition', () => 0);
  }

  /** The first offset appended at or after `at` per partition; the partition's end offset if none was. */
  async offsetsForTime(topics: readonly string[], at: Date): Promise<LogPositions> {
    if (Number.isNaN(at.getTime())) throw new Error('offsetsForTime: invalid date');
    const ends = await this.endOffsets(topics);
    // Past year 9999 toISOString() turns '+010000-…', which sorts before every append time.
    if (at.getTime() > LAST_ISO_YEAR_MS) return ends;
    // appended_at is ISO-8601 UTC with milliseconds: its text order is its time order.
    return this.perPartition(
      topics,
      'SELECT partition, MIN(offset) AS n FROM records WHERE topic = ? AND appended_at >= ? GROUP BY partition',
      (topic, p) => Number(ends[positionKey(topic, p)]),
      at.toISOString(),
    );
  }

  /**
   * Reads [from, until) of every partition named in `until` (from defaults to 0), partition by
   * partition, READ_BATCH messages per `onBatch`. `until` is capped at the end of the partition
   * when the read starts, so messages published during the read beyond that are not included.
   */
  async readRange(options: ReadRangeOptions): Promise<void> {
    const ends = await this.endOffsets(options.topics);
    const page = this.db.prepare(
      'SELECT topic, partition, offset, key, value, headers, appended_at FROM records WHERE topic = ? AND partition = ? AND offset >= ? AND offset < ? ORDER BY offset LIMIT ?',
    );
    for (const topic of new Set(options.topics))
      for (let partition = 0; partition < this.partitions; partition++) {
        const key = positionKey(topic, partition);
        const requested = options.until[key];
        if (requested === undefined) continue;
        const until = Math.min(Number(requested), Number(ends[key]));
        let next = Math.max(Number(options.from?.[key] ?? '0'), 0);
        while (next < until) {
          const rows = page.all(topic, partition, next, until, READ_BATCH).map(recordRow);
          if (rows.length === 0) break;
          await options.onBatch(rows.map(toConsumed));
          next = rows[rows.length - 1].offset + 1;
        }
      }
  }

  async close(): Promise<void> {
    this.wakeup.close();
    await this.mutex.run(async () => this.db.close());
  }
}
