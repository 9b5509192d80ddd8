import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inclusionProof, leafHash, merkleRoot, verifyInclusion } from './merkle';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));
const node = (l: Buffer, r: Buffer) => sha(Buffer.of(1), l, r);

describe('Merkle tree (RFC 6962 hashing)', () => {
  it('given no leaves, then the root is SHA-256 of the empty string', () => {
    expect(merkleRoot([]).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('given one leaf, then the root is its leaf hash SHA-256(0x00 || data), and its proof is empty', () => {
    const [leaf] = leaves(1);
    expect(leaf).toEqual(sha(Buffer.of(0), Buffer.from('leaf 0')));
    expect(merkleRoot([leaf])).toEqual(leaf);
    expect(inclusionProof([leaf], 0)).toEqual([]);
    expect(verifyInclusion(leaf, 0, 1, [], leaf)).toBe(true);
  });

  it('given an odd count, then the tree splits at the largest power of two (no leaf duplicated)', () => {
    const [a, b, c] = leaves(3);
    expect(merkleRoot([a, b, c])).toEqual(node(node(a, b), c));
    const five = leaves(5);
    expect(merkleRoot(five)).toEqual(node(node(node(five[0], five[1]), node(five[2], five[3])), five[4]));
    // Duplicating the odd leaf (as Bitcoin does) must give another root.
    expect(merkleRoot([a, b, c, c])).not.toEqual(merkleRoot([a, b, c]));
  });

  it('matches the RFC 6962 test vectors of the reference implementation (empty-leaf and 0x00 leaves)', () => {
    // From certificate-transparency-go's merkle testdata: leaf inputs "" and "\x00".
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(merkleRoot([leafHash(Buffer.alloc(0)), leafHash(Buffer.of(0))]).toString('hex')).toBe('fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125');
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 17])('given %i leaves, then every leaf has a proof that verifies, and at no other index', (n) => {
    const ls = leaves(n);
    const root = merkleRoot(ls);
    for (let i = 0; i < n; i++) {
      const proof = inclusionProof(ls, i);
      expect(verifyInclusion(ls[i], i, n, proof, root), `leaf ${i}`).toBe(true);
      if (n > 1) expect(verifyInclusion(ls[i], (i + 1) % n, n, proof, root)).toBe(false);
    }
  });

  it('refuses a wrong proof: another leaf, a changed sibling, a truncated or lengthened path, a wrong size or root', () => {
    const ls = leaves(7);
    const root = merkleRoot(ls);
    const proof = inclusionProof(ls, 4);
    expect(verifyInclusion(ls[4], 4, 7, proof, root)).toBe(true);
    expect(verifyInclusion(leafHash('forged'), 4, 7, proof, root)).toBe(false);
    const flipped = proof.map((p, i) => (i === 1 ? Buffer.from(p.map((b, j) => (j === 0 ? b ^ 1 : b))) : p));
    expect(verifyInclusion(ls[4], 4, 7, flipped, root)).toBe(false);
    expect(verifyInclusion(ls[4], 4, 7, proof.slice(0, -1), root)).toBe(false);
    expect(verifyInclusion(ls[4], 4, 7, [...proof, ls[0]], root)).toBe(false);
    expect(verifyInclusion(ls[4], 4, 6, proof, root)).toBe(false);
    expect(verifyInclusion(ls[4], 7, 7, proof, root)).toBe(false);
    expect(verifyInclusion(ls[4], 4, 7, proof, merkleRoot(ls.slice(0, 6)))).toBe(false);
    expect(() => inclusionProof(ls, 7)).toThrow(RangeError);
  });
});
