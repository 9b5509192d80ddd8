import type { DocumentReader, DocumentStoreTx, ListOptions } from '../event-store.port';

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const page = <T>(rows: Iterable<[string, unknown]>, prefix: string, options: ListOptions = {}) => {
  const keys = [...rows].filter(([k]) => k.startsWith(prefix) && (options.after === undefined || k > options.after)).sort(([a], [b]) => byKey(a, b));
  return keys.slice(0, options.limit ?? keys.length).map(([key, doc]) => ({ key, doc: doc as T }));
};

/** Documents held in memory: point-in-time and partial replays, and unit tests. */
export class MemoryDocuments implements DocumentStoreTx {
  private readonly collections = new Map<string, Map<string, unknown>>();

  private of(collection: string): Map<string, unknown> {
    let c = this.collections.get(collection);
    if (!c) this.collections.set(collection, (c = new Map()));
    return c;
  }

  async get<T>(collection: string, key: string): Promise<T | undefined> {
    return this.collections.get(collection)?.get(key) as T | undefined;
  }

  async put(collection: string, key: string, doc: unknown): Promise<void> {
    this.of(collection).set(key, doc);
  }

  async putMany(collection: string, entries: ReadonlyArray<{ key: string; doc: unknown }>): Promise<void> {
    const c = this.of(collection);
    for (const { key, doc } of entries) c.set(key, doc);
  }

  async delete(collection: string, key: string): Promise<void> {
    this.collections.get(collection)?.delete(key);
  }

  async clear(collection: string): Promise<number> {
    const n = this.collections.get(collection)?.size ?? 0;
    this.collections.delete(collection);
    return n;
  }

  async list<T>(collection: string, prefix: string, options?: ListOptions) {
    return page<T>(this.collections.get(collection) ?? [], prefix, options);
  }

  size(collection: string): number {
    return this.collections.get(collection)?.size ?? 0;
  }
}

/**
 * A write-back cache over documents: reads go through once, writes stay here until
 * `flush`. A rebuild applies a batch of events against it and writes each touched
 * document once; stacked over another one it lets a single event be dropped whole.
 */
export class BufferedDocuments implements DocumentStoreTx {
  private readonly entries = new Map<string, { collection: string; key: string; doc: unknown; dirty: boolean }>();

  constructor(private readonly backing: DocumentStoreTx) {}

  private id(collection: string, key: string) {
    return `${collection}\u0000${key}`;
  }

  async get<T>(collection: string, key: string): Promise<T | undefined> {
    const id = this.id(collection, key);
    const hit = this.entries.get(id);
    if (hit) return hit.doc as T | undefined;
    const doc = await this.backing.get<T>(collection, key);
    this.entries.set(id, { collection, key, doc, dirty: false });
    return doc;
  }

  async put(collection: string, key: string, doc: unknown): Promise<void> {
    this.entries.set(this.id(collection, key), { collection, key, doc, dirty: true });
  }

  async putMany(collection: string, entries: ReadonlyArray<{ key: string; doc: unknown }>): Promise<void> {
    for (const { key, doc } of entries) await this.put(collection, key, doc);
  }

  async delete(collection: string, key: string): Promise<void> {
    this.entries.set(this.id(collection, key), { collection, key, doc: undefined, dirty: true });
  }

  /** Listing needs every pending write visible underneath: flush first. */
  async list<T>(collection: string, prefix: string, options?: ListOptions) {
    await this.flush();
    return this.backing.list<T>(collection, prefix, options);
  }

  async clear(): Promise<number> {
    throw new Error('clear is not available inside a buffered batch');
  }

  /** Writes every changed document to the backing store; returns how many. */
  async flush(): Promise<number> {
    let n = 0;
    const puts = new Map<string, Array<{ key: string; doc: unknown }>>();
    for (const e of this.entries.values()) {
      if (!e.dirty) continue;
      if (e.doc === undefined) await this.backing.delete(e.collection, e.key);
      else {
        const list = puts.get(e.collection) ?? [];
        list.push({ key: e.key, doc: e.doc });
        puts.set(e.collection, list);
      }
      e.dirty = false;
      n++;
    }
    // Bulk: a rebuild batch writes each touched document once, in one statement per collection where the store can.
    for (const [collection, entries] of puts) await this.backing.putMany(collection, entries);
    return n;
  }
}

export type { DocumentReader };
