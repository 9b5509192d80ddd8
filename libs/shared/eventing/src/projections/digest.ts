import { createHash } from 'node:crypto';
import { type JsonValue, toJsonSafe } from '@pos/kernel';
import type { DocumentReader } from '../event-store.port';
import { canonicalJson } from '../hash-chain';

export interface CollectionDigest {
  readonly documents: number;
  /** sha256 over every (key, canonical JSON of the document) in key order. */
  readonly digest: string;
}

export interface DocumentDifference {
  readonly key: string;
  /** undefined: the document is missing on that side. */
  readonly left?: JsonValue;
  readonly right?: JsonValue;
}

const PAGE = 1000;

/** Every document of a collection in key order, a page at a time (bounded memory). */
export async function* scanCollection(docs: DocumentReader, collection: string): AsyncGenerator<{ key: string; doc: unknown }> {
  let after: string | undefined;
  for (;;) {
    const rows = await docs.list<unknown>(collection, '', { after, limit: PAGE });
    yield* rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].key;
  }
}

const line = (key: string, doc: unknown) => `${key}\u0000${canonicalJson(toJsonSafe(doc))}\n`;

/** A digest that depends only on content: the same documents give the same digest in any store. */
export const digestCollection = async (docs: DocumentReader, collection: string): Promise<CollectionDigest> => {
  const hash = createHash('sha256');
  let documents = 0;
  for await (const { key, doc } of scanCollection(docs, collection)) {
    hash.update(line(key, doc));
    documents++;
  }
  return { documents, digest: hash.digest('hex') };
};

/** The first `limit` keys whose documents differ between two collections (walked side by side in key order). */
export const diffCollections = async (docs: DocumentReader, left: string, right: string, limit = 20): Promise<DocumentDifference[]> => {
  const out: DocumentDifference[] = [];
  const a = scanCollection(docs, left);
  const b = scanCollection(docs, right);
  let x = await a.next();
  let y = await b.next();
  while ((!x.done || !y.done) && out.length < limit) {
    if (!x.done && (y.done || x.value.key < y.value.key)) {
      out.push({ key: x.value.key, left: toJsonSafe(x.value.doc) });
      x = await a.next();
    } else if (!y.done && (x.done || y.value.key < x.value.key)) {
      out.push({ key: y.value.key, right: toJsonSafe(y.value.doc) });
      y = await b.next();
    } else if (!x.done && !y.done) {
      if (line(x.value.key, x.value.doc) !== line(y.value.key, y.value.doc))
        out.push({ key: x.value.key, left: toJsonSafe(x.value.doc), right: toJsonSafe(y.value.doc) });
      x = await a.next();
      y = await b.next();
    }
  }
  return out;
};
