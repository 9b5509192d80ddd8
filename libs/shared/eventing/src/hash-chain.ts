import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** Key-sorted JSON, so a hash does not depend on property order. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
};

export interface HashedContent {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly occurredAt: string;
  /** The wire payload (as stored), not the decoded data. */
  readonly payload: unknown;
  readonly context: unknown;
}

/** hash = sha256(prevHash | canonical content): editing, dropping or reordering any event breaks every later hash. */
export const chainHash = (prevHash: string, content: HashedContent): string =>
  createHash('sha256').update(prevHash).update('|').update(canonicalJson(content)).digest('hex');

export interface ChainLink {
  readonly version: number;
  readonly prevHash: string;
  readonly hash: string;
  /** The hash recomputed from the stored content. */
  readonly recomputed: string;
}

/** Walks a stream's stored links in version order and names the first one that does not follow. */
export const verifyChain = (streamId: string, links: readonly ChainLink[]) => {
  let prev = GENESIS_HASH;
  const broken = (brokenAtVersion: number, reason: string) => ({ streamId, events: links.length, ok: false, brokenAtVersion, reason });
  for (const [i, link] of links.entries()) {
    if (link.version !== i + 1) return broken(i + 1, 'version missing');
    if (link.prevHash !== prev) return broken(link.version, 'prevHash does not match the previous event');
    if (link.recomputed !== link.hash) return broken(link.version, 'content does not match its hash');
    prev = link.hash;
  }
  return { streamId, events: links.length, ok: true };
};
