import type { DocumentStoreTx, ListOptions } from '../event-store.port';

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

  async getMany<T>(collection: string, keys: readonly string[]): Promise<Map<string, T>> {
    const c = this.collections.get(collection);
    const out = new Map<string, T>();
    for (const k of keys) if (c?.has(k)) out.set(k, c.get(k) as T);
    return out;
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
 * `flush`. A batch of events is applied against it and each touched document is read and
 * written once; `prefetch` reads the documents a batch will need in one query per
 * collection. Stacked over another one it lets a single event be dropped whole.
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

  async getMany<T>(collection: string, keys: readonly string[]): Promise<Map<string, T>> {
    await this.prefetch(collection, keys);
    const out = new Map<string, T>();
    for (const k of keys) {
      const doc = this.entries.get(this.id(collection, k))?.doc;
      if (doc !== undefined) out.set(k, doc as T);
    }
    return out;
  }

  /** Reads the given documents not cached yet, in one query: later gets of them are hits (absent ones too). */
  async prefetch(collection: string, keys: Iterable<string>): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.entries.has(this.id(collection, k)));
    if (missing.length === 0) return;
    const found = await this.backing.getMany(collection, missing);
    for (const key of missing) this.entries.set(this.id(collection, key), { collection, key, doc: found.get(key), dirty: false });
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
    // Bulk: each touched document is written once, in one statement per collection where the store can.
    for (const [collection, entries] of puts) await this.backing.putMany(collection, entries);
    return n;
  }
}
