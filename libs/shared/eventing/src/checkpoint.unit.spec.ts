import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkInclusionProof, type CheckpointStatement, checkpointPublicKeyFrom, checkpointSignerFrom, checkpointTree, FIRST_PREVIOUS_ROOT, proveInclusion, type StoredEventContent,
  verifyStatement,
} from './checkpoint';
import { GENESIS_HASH } from './hash-chain';
import { merkleRoot } from './merkle';
import { storedEventHash } from './stored-event';

const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

/** A stream's events as a store holds them, each linked to the one before. */
const stream = (streamId: string, n: number, from = 1): StoredEventContent[] => {
  let prevHash = GENESIS_HASH;
  return Array.from({ length: n }, (_, i) => {
    const e = { streamId, version: from + i, eventId: `${streamId}-${from + i}`, type: 'OperatorUnlocked', schemaVersion: 1, occurredAt: '2026-12-01T10:00:00.000Z', payload: { n: i }, context: { actor: { type: 'system', id: 't' } }, prevHash };
    const hash = storedEventHash(e);
    prevHash = hash;
    return { ...e, hash };
  });
};

const statement = (rootHash: string, treeSize: number, keyId: string): CheckpointStatement => ({
  format: 'pos-ledger-checkpoint/1', businessDay: '2026-12-01', sequence: 1, closedAt: '2026-12-02T00:05:00.000Z', treeSize, rootHash, previousRootHash: FIRST_PREVIOUS_ROOT, keyId,
});

describe('checkpoint keys', () => {
  it('signs with a hex seed (RFC 8032 test 1 gives its public key) or a PKCS#8 PEM, and verifies with the hex or PEM public key', () => {
    const signer = checkpointSignerFrom(SEED, false);
    expect(signer.publicKeyHex).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(signer.development).toBe(false);
    const pair = generateKeyPairSync('ed25519');
    const fromPem = checkpointSignerFrom(String(pair.privateKey.export({ type: 'pkcs8', format: 'pem' })), false);
    const s = statement('ab'.repeat(32), 3, fromPem.keyId);
    expect(verifyStatement(s, fromPem.sign(s), checkpointPublicKeyFrom(fromPem.publicKeyPem))).toBe(true);
    expect(verifyStatement(s, fromPem.sign(s), checkpointPublicKeyFrom(fromPem.publicKeyHex))).toBe(true);
    expect(verifyStatement(s, fromPem.sign(s), checkpointPublicKeyFrom(signer.publicKeyHex))).toBe(false);
    expect(verifyStatement({ ...s, treeSize: 4 }, fromPem.sign(s), checkpointPublicKeyFrom(fromPem.publicKeyHex))).toBe(false);
  });

  it('takes the development key only where the caller accepts it, and refuses a missing, malformed or non-Ed25519 key', () => {
    expect(checkpointSignerFrom(undefined, true).development).toBe(true);
    expect(() => checkpointSignerFrom(undefined, false)).toThrow(/LEDGER_CHECKPOINT_SIGNING_KEY is not set/);
    expect(() => checkpointSignerFrom('', false)).toThrow(/not set/);
    expect(() => checkpointSignerFrom('abc', false)).toThrow(/must be an Ed25519 private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => checkpointSignerFrom(String(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' })), false)).toThrow(/rsa key, not Ed25519/);
    expect(() => checkpointPublicKeyFrom(String(rsa.publicKey.export({ type: 'spki', format: 'pem' })))).toThrow(/not Ed25519/);
    expect(() => checkpointPublicKeyFrom('zz')).toThrow(/not an Ed25519 public key/);
  });
});

describe('checkpoint tree and inclusion proofs', () => {
  const events = [...stream('terminal-B', 3), ...stream('terminal-A', 2)];

  it('orders leaves by stream, events by version then the head, whatever order the events come in', () => {
    const tree = checkpointTree(events);
    expect(tree.leaves.map((l) => `${l.kind}:${l.streamId}:${l.version}`)).toEqual([
      'event:terminal-A:1', 'event:terminal-A:2', 'stream-head:terminal-A:2', 'event:terminal-B:1', 'event:terminal-B:2', 'event:terminal-B:3', 'stream-head:terminal-B:3',
    ]);
    expect(checkpointTree([...events].reverse()).rootHash).toBe(tree.rootHash);
    expect(tree.rootHash).toBe(merkleRoot(tree.leaves.map((l) => l.hash)).toString('hex'));
    expect(checkpointTree([]).rootHash).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('reports an event edited in place, and a rewritten history changes the root and the head', () => {
    const edited = events.map((e) => (e.streamId === 'terminal-B' && e.version === 2 ? { ...e, payload: { n: 99 } } : e));
    const tree = checkpointTree(edited);
    // The later event's stored link no longer follows from the edited content either.
    expect(tree.altered).toEqual([{ streamId: 'terminal-B', version: 2 }, { streamId: 'terminal-B', version: 3 }]);
    expect(tree.rootHash).not.toBe(checkpointTree(events).rootHash);
    expect(tree.streams.find((s) => s.streamId === 'terminal-B')?.headHash).not.toBe(events[2].hash);
  });

  it('proves every event offline with the public key, and refuses an altered event, path, index, statement or key', () => {
    const signer = checkpointSignerFrom(SEED, false);
    const key = checkpointPublicKeyFrom(signer.publicKeyHex);
    const tree = checkpointTree(events);
    const s = statement(tree.rootHash, tree.leaves.length, signer.keyId);
    const signature = signer.sign(s);
    for (const e of events) expect(checkInclusionProof(proveInclusion(tree, s, signature, e)!, key), e.eventId).toEqual({ ok: true, findings: [] });
    const proof = proveInclusion(tree, s, signature, events[1])!;
    expect(checkInclusionProof({ ...proof, event: { ...proof.event, payload: { n: 7 } } }, key).findings).toEqual(['EVENT_HASH_MISMATCH', 'NOT_INCLUDED']);
    expect(checkInclusionProof({ ...proof, leafIndex: proof.leafIndex + 1 }, key).findings).toEqual(['NOT_INCLUDED']);
    expect(checkInclusionProof({ ...proof, auditPath: proof.auditPath.slice(1) }, key).findings).toEqual(['NOT_INCLUDED']);
    expect(checkInclusionProof({ ...proof, statement: { ...s, businessDay: '2026-12-02' } }, key).findings).toEqual(['SIGNATURE_INVALID']);
    const other = checkpointPublicKeyFrom(checkpointSignerFrom(undefined, true).publicKeyHex);
    expect(checkInclusionProof(proof, other).findings).toEqual(['KEY_MISMATCH', 'SIGNATURE_INVALID']);
    expect(proveInclusion(tree, s, signature, stream('terminal-C', 1)[0])).toBeUndefined();
  });
});
