import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { contextOf } from './decode';
import { canonicalJson, GENESIS_HASH, type HashedContent } from './hash-chain';
import { inclusionProof, leafHash, merkleRoot, verifyInclusion } from './merkle';
import { storedEventHash } from './stored-event';

/**
 * The daily checkpoint: a Merkle tree (RFC 6962 hashing, see merkle.ts) over the events a
 * day's checkpoint covers and the head each of their streams reached, its root signed with the
 * acquirer's Ed25519 key. A stream's hash chain alone proves nothing against someone who may
 * rewrite it: rewriting an event, every later hash and the head row leaves a chain that
 * verifies. The signed root is what such a forger cannot recompute.
 */

/** A stored event as every store and the log hold it: its hashed content and its link. */
export interface StoredEventContent extends HashedContent {
  readonly prevHash: string;
  readonly hash: string;
}

/** A stream's part of a checkpoint: the versions it covers and the head hash the last one had. */
export interface CheckpointedStreamRange {
  readonly streamId: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly headHash: string;
}

export interface CheckpointLeaf {
  readonly kind: 'event' | 'stream-head';
  readonly streamId: string;
  readonly version: number;
  readonly eventId?: string;
  /** The leaf's data: canonical JSON, hashed as SHA-256(0x00 || data). */
  readonly data: string;
  readonly hash: Buffer;
}

export interface CheckpointTree {
  readonly leaves: readonly CheckpointLeaf[];
  readonly streams: readonly CheckpointedStreamRange[];
  readonly rootHash: string;
  /** Where the stored hash of an event differs from the one its content gives (an edit in place). */
  readonly altered: ReadonlyArray<{ readonly streamId: string; readonly version: number }>;
}

/** The leaf data of an event: its id and place, and the chain hash its content gives (recomputed, never read). */
export const eventLeafData = (e: StoredEventContent): string =>
  canonicalJson({ kind: 'event', streamId: e.streamId, version: e.version, eventId: e.eventId, type: e.type, hash: storedEventHash(e) });

const headLeafData = (streamId: string, version: number, hash: string): string => canonicalJson({ kind: 'stream-head', streamId, version, hash });

/**
 * Builds the tree over streams' events (each stream's events in version order, as stored or as
 * on the log): leaves ordered by stream id, each stream's events by version, then its head.
 */
export const checkpointTree = (events: readonly StoredEventContent[]): CheckpointTree => {
  const byStream = new Map<string, StoredEventContent[]>();
  for (const e of events) {
    const list = byStream.get(e.streamId) ?? [];
    list.push(e);
    byStream.set(e.streamId, list);
  }
  const leaves: CheckpointLeaf[] = [];
  const streams: CheckpointedStreamRange[] = [];
  const altered: Array<{ streamId: string; version: number }> = [];
  for (const streamId of [...byStream.keys()].sort()) {
    const list = (byStream.get(streamId) ?? []).sort((a, b) => a.version - b.version);
    // Each event after the first is hashed on the hash its predecessor's content gives, not on the prevHash stored with it:
    // an edit anywhere in the range then changes the head, whether or not the later links were rewritten to match.
    let head = '';
    for (const [i, stored] of list.entries()) {
      const e = i === 0 ? stored : { ...stored, prevHash: head };
      const data = eventLeafData(e);
      head = storedEventHash(e);
      if (head !== stored.hash) altered.push({ streamId, version: e.version });
      leaves.push({ kind: 'event', streamId, version: e.version, eventId: e.eventId, data, hash: leafHash(data) });
    }
    const last = list[list.length - 1];
    const data = headLeafData(streamId, last.version, head);
    leaves.push({ kind: 'stream-head', streamId, version: last.version, data, hash: leafHash(data) });
    streams.push({ streamId, fromVersion: list[0].version, toVersion: last.version, headHash: head });
  }
  return { leaves, streams, rootHash: merkleRoot(leaves.map((l) => l.hash)).toString('hex'), altered };
};

/** What the acquirer signs (canonical JSON, UTF-8): the day, its place in the sequence of checkpoints, the tree. */
export interface CheckpointStatement {
  readonly format: 'pos-ledger-checkpoint/1';
  readonly businessDay: string;
  readonly sequence: number;
  readonly closedAt: string;
  readonly treeSize: number;
  readonly rootHash: string;
  /** The previous checkpoint's root (GENESIS_HASH for the first): the checkpoints chain as a stream's events do. */
  readonly previousRootHash: string;
  readonly keyId: string;
}

export const FIRST_PREVIOUS_ROOT = GENESIS_HASH;

export const statementBytes = (s: CheckpointStatement): Buffer =>
  Buffer.from(
    canonicalJson({ format: s.format, businessDay: s.businessDay, sequence: s.sequence, closedAt: s.closedAt, treeSize: s.treeSize, rootHash: s.rootHash, previousRootHash: s.previousRootHash, keyId: s.keyId }),
    'utf8',
  );

// PKCS#8 and SPKI wrappers of a raw Ed25519 key (RFC 8410), so a 32-byte seed or public key can be configured as hex.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export class CheckpointKeyError extends Error {
  readonly code = 'CHECKPOINT_KEY_INVALID';
}

/** The environment variable holding the acquirer's checkpoint signing key: a PKCS#8 PEM, or the 32-byte Ed25519 seed as 64 hex digits. */
export const CHECKPOINT_SIGNING_KEY_VARIABLE = 'LEDGER_CHECKPOINT_SIGNING_KEY';

/** The well-known development seed (embedded default on loopback only, like the development token): checkpoints signed with it prove nothing. */
const DEVELOPMENT_SEED_HEX = createHash('sha256').update('pos-ledger development checkpoint signing key').digest('hex');

const rawPublicKey = (key: KeyObject): Buffer => {
  const der = key.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
};

/** A public key from a PEM (SPKI) or 64 hex digits (the raw Ed25519 key, as the API publishes it). */
export const checkpointPublicKeyFrom = (text: string): KeyObject => {
  const t = text.trim();
  try {
    const key = /^[0-9a-fA-F]{64}$/.test(t) ? createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(t, 'hex')]), format: 'der', type: 'spki' }) : createPublicKey(t);
    if (key.asymmetricKeyType !== 'ed25519') throw new CheckpointKeyError(`the key is ${key.asymmetricKeyType}, not Ed25519`);
    return key;
  } catch (e) {
    if (e instanceof CheckpointKeyError) throw e;
    throw new CheckpointKeyError('not an Ed25519 public key: give a PEM (SPKI) or the raw key as 64 hex digits');
  }
};

/** The public half as the API publishes it: raw hex, PEM, and its id (the first 16 hex digits of SHA-256 of the raw key). */
export const describePublicKey = (key: KeyObject) => {
  const raw = rawPublicKey(key);
  return {
    algorithm: 'Ed25519' as const,
    keyId: createHash('sha256').update(raw).digest('hex').slice(0, 16),
    publicKeyHex: raw.toString('hex'),
    publicKeyPem: String(key.export({ type: 'spki', format: 'pem' })),
  };
};

export interface CheckpointSigner {
  readonly keyId: string;
  readonly publicKeyHex: string;
  readonly publicKeyPem: string;
  /** True for the well-known development key. */
  readonly development: boolean;
  sign(statement: CheckpointStatement): string;
}

/**
 * The signer a process runs with: the configured key, or the development one where the caller
 * accepts it (the embedded default on loopback); anywhere else a missing key refuses to start.
 */
export const checkpointSignerFrom = (configured: string | undefined, developmentAccepted: boolean): CheckpointSigner => {
  const text = configured?.trim() || (developmentAccepted ? DEVELOPMENT_SEED_HEX : undefined);
  if (!text) throw new CheckpointKeyError(`${CHECKPOINT_SIGNING_KEY_VARIABLE} is not set: the development checkpoint key works only on the embedded default on loopback`);
  let key: KeyObject;
  try {
    key = /^[0-9a-fA-F]{64}$/.test(text) ? createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, Buffer.from(text, 'hex')]), format: 'der', type: 'pkcs8' }) : createPrivateKey(text);
  } catch {
    throw new CheckpointKeyError(`${CHECKPOINT_SIGNING_KEY_VARIABLE} must be an Ed25519 private key: a PKCS#8 PEM, or the 32-byte seed as 64 hex digits (e.g. \`openssl rand -hex 32\`)`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new CheckpointKeyError(`${CHECKPOINT_SIGNING_KEY_VARIABLE} is a ${key.asymmetricKeyType} key, not Ed25519`);
  const pub = describePublicKey(createPublicKey(key));
  return {
    keyId: pub.keyId,
    publicKeyHex: pub.publicKeyHex,
    publicKeyPem: pub.publicKeyPem,
    development: text === DEVELOPMENT_SEED_HEX,
    sign: (statement) => sign(null, statementBytes(statement), key).toString('base64'),
  };
};

export const verifyStatement = (statement: CheckpointStatement, signature: string, publicKey: KeyObject): boolean => {
  try {
    return verify(null, statementBytes(statement), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
};

/** What a merchant needs to check offline that an event is in a signed day: the event, its leaf's audit path, the signed statement. */
export interface InclusionProof {
  readonly format: 'pos-ledger-inclusion-proof/1';
  readonly statement: CheckpointStatement;
  readonly signature: string;
  readonly leafIndex: number;
  readonly auditPath: readonly string[];
  readonly event: StoredEventContent;
}

export const proveInclusion = (tree: CheckpointTree, statement: CheckpointStatement, signature: string, event: StoredEventContent): InclusionProof | undefined => {
  const index = tree.leaves.findIndex((l) => l.kind === 'event' && l.streamId === event.streamId && l.version === event.version);
  if (index < 0) return undefined;
  const path = inclusionProof(tree.leaves.map((l) => l.hash), index).map((b) => b.toString('hex'));
  return { format: 'pos-ledger-inclusion-proof/1', statement, signature, leafIndex: index, auditPath: path, event };
};

export type ProofFinding = 'EVENT_HASH_MISMATCH' | 'NOT_INCLUDED' | 'SIGNATURE_INVALID' | 'KEY_MISMATCH';

/** Checks a proof with nothing but the public key: the event's content gives its hash, the path the root, the key the signature. */
export const checkInclusionProof = (proof: InclusionProof, publicKey: KeyObject): { ok: boolean; findings: ProofFinding[] } => {
  const findings: ProofFinding[] = [];
  if (storedEventHash(proof.event) !== proof.event.hash) findings.push('EVENT_HASH_MISMATCH');
  const leaf = leafHash(eventLeafData(proof.event));
  const included = verifyInclusion(leaf, proof.leafIndex, proof.statement.treeSize, proof.auditPath.map((p) => Buffer.from(p, 'hex')), Buffer.from(proof.statement.rootHash, 'hex'));
  if (!included) findings.push('NOT_INCLUDED');
  if (describePublicKey(publicKey).keyId !== proof.statement.keyId) findings.push('KEY_MISMATCH');
  if (!verifyStatement(proof.statement, proof.signature, publicKey)) findings.push('SIGNATURE_INVALID');
  return { ok: findings.length === 0, findings };
};

/** A published event's hashed content, read from the message as the log holds it (its payload exactly as stored). */
export const contentOfLogMessage = (value: string): StoredEventContent => {
  const raw = JSON.parse(value) as { type: string; data: unknown; metadata: Record<string, unknown> };
  const m = raw.metadata;
  return {
    streamId: String(m.streamId),
    version: Number(m.version),
    eventId: String(m.eventId),
    type: raw.type,
    schemaVersion: Number(m.schemaVersion),
    occurredAt: String(m.occurredAt),
    payload: raw.data,
    context: contextOf(m),
    prevHash: String(m.prevHash),
    hash: String(m.hash),
  };
};
