import { createHash } from 'node:crypto';
import type { HashChainReport } from './event-store.port';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Key-sorted JSON, so a hash does not depend on property order. Undefined follows JSON:
 * an object drops the key, an array holds null; so the text is the same before and after
 * a JSON round trip of plain data.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + (value[i] === undefined ? 'null' : canonicalJson(value[i]));
    return `${out}]`;
  }
  // Array.prototype.sort orders strings by UTF-16 code units, as `<` does.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
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

/**
 * chainHash for content whose payload and context are already canonical JSON text: the same
 * text as canonicalJson(content), its keys in their sorted order, spliced rather than built again.
 */
export const chainHashOfCanonical = (
  prevHash: string,
  content: Omit<HashedContent, 'payload' | 'context'> & { readonly payloadJson: string; readonly contextJson: string },
): string =>
  createHash('sha256')
    .update(prevHash)
    .update('|')
    .update(
      `{"context":${content.contextJson},"eventId":${JSON.stringify(content.eventId)},"occurredAt":${JSON.stringify(content.occurredAt)},` +
        `"payload":${content.payloadJson},"schemaVersion":${JSON.stringify(content.schemaVersion)},"streamId":${JSON.stringify(content.streamId)},` +
        `"type":${JSON.stringify(content.type)},"version":${JSON.stringify(content.version)}}`,
    )
    .digest('hex');

export interface ChainLink {
  readonly version: number;
  readonly eventId: string;
  readonly prevHash: string;
  readonly hash: string;
  /** The hash recomputed from the stored content. */
  readonly recomputed: string;
}

/** A stream's head row (`streams` table): the version and hash its last append committed. */
export interface StreamHead {
  readonly version: number;
  readonly hash: string;
}

type ChainBreak = Required<Pick<HashChainReport, 'brokenAtVersion' | 'code' | 'reason' | 'detail'>> & { readonly eventId?: string };

/** The first link, in version order, that does not follow from its predecessor or from its own content. */
const firstBrokenLink = (links: readonly ChainLink[]): ChainBreak | undefined => {
  let prev = GENESIS_HASH;
  for (const [i, link] of links.entries()) {
    const v = i + 1;
    // The gap first: every later link fails too, but a missing version is what happened.
    if (link.version !== v) {
      const reason = link.version > v ? `version ${v} is missing: the next stored event is version ${link.version}` : `version ${v} expected, found version ${link.version} again`;
      return { brokenAtVersion: v, code: 'EVENT_MISSING', reason, detail: { expectedVersion: v, foundVersion: link.version } };
    }
    // The link before the content: a moved event no longer hashes either (its version is hashed), but the link says it moved.
    if (link.prevHash !== prev) {
      return {
        brokenAtVersion: v, eventId: link.eventId, code: 'CHAIN_LINK_BROKEN',
        reason: `event ${link.eventId} at version ${v} does not link to ${v === 1 ? 'the genesis hash' : `version ${v - 1}`}: events were reordered, or one was removed and the chain re-linked`,
        detail: { expectedPrevHash: prev, storedPrevHash: link.prevHash },
      };
    }
    if (link.recomputed !== link.hash) {
      return {
        brokenAtVersion: v, eventId: link.eventId, code: 'EVENT_CONTENT_ALTERED',
        reason: `event ${link.eventId} at version ${v} was altered: its content no longer hashes to its stored hash`,
        detail: { storedHash: link.hash, recomputedHash: link.recomputed },
      };
    }
    prev = link.hash;
  }
  return undefined;
};

/** Where the head row and the stored events disagree: the only trace of deleting the last events, or of an edited head. */
const headMismatch = (links: readonly ChainLink[], head: StreamHead | undefined): ChainBreak | undefined => {
  const last = links.at(-1);
  if (!head && !last) return undefined;
  if (head && last && head.version === last.version && head.hash === last.hash) return undefined;
  const detail = { headVersion: head?.version ?? null, headHash: head?.hash ?? null, lastStoredVersion: last?.version ?? null, lastStoredHash: last?.hash ?? null };
  const at = (brokenAtVersion: number, eventId: string | undefined, reason: string): ChainBreak => ({
    brokenAtVersion, ...(eventId === undefined ? {} : { eventId }), code: 'STREAM_HEAD_MISMATCH', reason, detail,
  });
  if (!last) return at(1, undefined, `the stream head is at version ${head?.version} but no events are stored`);
  if (!head) return at(links[0].version, links[0].eventId, `${links.length} events are stored but the stream has no head row`);
  if (head.version > last.version) {
    return at(last.version + 1, undefined, `the stream head is at version ${head.version} but the last stored event is version ${last.version}: the events after it are missing`);
  }
  const attested = links.find((l) => l.version === head.version);
  if (attested && attested.hash !== head.hash) {
    return at(head.version, attested.eventId, `the stream head's hash differs from the stored hash of version ${head.version}`);
  }
  // The head holds up to its version, and events stored beyond it were never committed through the store.
  const next = links.find((l) => l.version > head.version) ?? last;
  return at(next.version, next.eventId, `the stream head is at version ${head.version} but events are stored up to version ${last.version}`);
};

/**
 * Walks a stream's stored links in version order, then compares the last one with the
 * stream's head row, and reports the first broken link: the lowest version, and on a tie
 * the event's own finding, which says more than the head's.
 */
export const verifyChain = (streamId: string, links: readonly ChainLink[], head: StreamHead | undefined): HashChainReport => {
  const link = firstBrokenLink(links);
  const tail = headMismatch(links, head);
  const found = link && (!tail || link.brokenAtVersion <= tail.brokenAtVersion) ? link : tail;
  return found ? { streamId, events: links.length, ok: false, ...found } : { streamId, events: links.length, ok: true };
};
