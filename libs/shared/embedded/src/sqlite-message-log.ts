import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { DatabaseSync } from 'node:sqlite';
import type { ConsumedMessage, Consumer, ConsumerOptions, LogMessage, MessageLog } from '@pos/eventing';
import { Mutex, openSqlite } from './sqlite';

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
}

/**
 * The in-process log of the embedded default: Kafka's semantics that matter
 * here (topics, partitions by key, per-partition order, consumer-group
 * offsets, replay) on a durable SQLite file.
 */
export class SqliteMessageLog implements MessageLog {
  private readonly db: DatabaseSync;
  private readonly mutex = new Mutex();
  private readonly published = new EventEmitter();

  constructor(
    file: string,
    private readonly partitions = 4,
    private readonly pollMs = 200,
  ) {
    this.db = openSqlite(file);
    this.db.exec(SCHEMA);
    this.published.setMaxListeners(100);
  }

  async publish(messages: readonly LogMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.mutex.run(async () => {
      const next = this.db.prepare('SELECT COALESCE(MAX(offset) + 1, 0) AS n FROM records WHERE topic = ? AND partition = ?');
      const insert = this.db.prepare('INSERT INTO records (topic, partition, offset, key, value, headers, appended_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const now = new Date().toISOString();
      this.db.exec('BEGIN IMMEDIATE');
      try {
        for (const m of messages) {
          const partition = partitionFor(m.key, this.partitions);
          const { n } = next.get(m.topic, partition) as { n: number };
          insert.run(m.topic, partition, n, m.key, m.value, JSON.stringify(m.headers), now);
        }
        this.db.exec('COMMIT');
      } catch (e) {
        this.db.exec('ROLLBACK');
        throw e;
      }
    });
    this.published.emit('publish');
  }

  async consume(options: ConsumerOptions): Promise<Consumer> {
    let running = true;
    let wake: (() => void) | undefined;
    const onPublish = () => wake?.();
    this.published.on('publish', onPublish);

    const fetch = (topic: string, partition: number, from: number) =>
      this.db.prepare('SELECT topic, partition, offset, key, value, headers FROM records WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT 200')
        .all(topic, partition, from) as unknown as RecordRow[];

    const loop = (async () => {
      while (running) {
        let handled = 0;
        for (const topic of options.topics) {
          for (let partition = 0; partition < this.partitions && running; partition++) {
            const rows = fetch(topic, partition, this.committed(options.groupId, topic, partition));
            for (const row of rows) {
              if (!running) break;
              const message: ConsumedMessage = { topic: row.topic, partition: row.partition, offset: String(row.offset), key: row.key, value: row.value, headers: JSON.parse(row.headers) };
              try {
                await options.handle(message);
              } catch {
                break; // leave the offset where it is: the message is retried on the next pass
              }
              await this.commit(options.groupId, topic, partition, row.offset + 1);
              handled++;
            }
          }
        }
        if (handled === 0 && running) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
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
    const row = this.db.prepare('SELECT next_offset FROM group_offsets WHERE group_id = ? AND topic = ? AND partition = ?').get(groupId, topic, partition) as
      | { next_offset: number }
      | undefined;
    return row?.next_offset ?? 0;
  }

  private commit(groupId: string, topic: string, partition: number, nextOffset: number): Promise<void> {
    return this.mutex.run(async () => {
      this.db
        .prepare('INSERT INTO group_offsets (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?) ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset')
        .run(groupId, topic, partition, nextOffset);
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

  /** Replay: move a group back to the start of its topics. */
  async resetGroup(groupId: string, topics: readonly string[]): Promise<void> {
    await this.mutex.run(async () => {
      const del = this.db.prepare('DELETE FROM group_offsets WHERE group_id = ? AND topic = ?');
      for (const topic of topics) del.run(groupId, topic);
    });
    this.published.emit('publish');
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => this.db.close());
  }
}
