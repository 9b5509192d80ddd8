import { createHash } from 'node:crypto';

/**
 * A Merkle tree hashed as RFC 6962 (Certificate Transparency; RFC 9162 §2.1) does: SHA-256,
 * leaves prefixed 0x00 and interior nodes 0x01, so a leaf can never pass for a node (the
 * second-preimage attack on unprefixed trees), and an unbalanced tree splits at the largest
 * power of two below its size. That is the field's standard, which a merchant's or auditor's
 * own tooling already checks; it is ~50 lines over node:crypto, so no dependency is taken
 * (the npm Merkle libraries hash without domain separation or duplicate odd leaves).
 */

const sha256 = (...parts: readonly Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

/** MTH({d}) = SHA-256(0x00 || d). */
export const leafHash = (data: Uint8Array | string): Buffer => sha256(LEAF, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(NODE, left, right);

/** The largest power of two smaller than n (n > 1). */
const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

const rootOf = (leaves: readonly Buffer[], from: number, to: number): Buffer => {
  const n = to - from;
  if (n === 1) return leaves[from];
  const k = split(n);
  return nodeHash(rootOf(leaves, from, from + k), rootOf(leaves, from + k, to));
};

/** MTH over leaf hashes (already `leafHash`ed); the empty tree's root is SHA-256 of nothing. */
export const merkleRoot = (leafHashes: readonly Buffer[]): Buffer => (leafHashes.length === 0 ? sha256() : rootOf(leafHashes, 0, leafHashes.length));

const pathOf = (leaves: readonly Buffer[], m: number, from: number, to: number): Buffer[] => {
  const n = to - from;
  if (n === 1) return [];
  const k = split(n);
  return m < k
    ? [...pathOf(leaves, m, from, from + k), rootOf(leaves, from + k, to)]
    : [...pathOf(leaves, m - k, from + k, to), rootOf(leaves, from, from + k)];
};

/** PATH(m, D[n]): the audit path of leaf `index`, nearest sibling first (RFC 6962 §2.1.1). */
export const inclusionProof = (leafHashes: readonly Buffer[], index: number): Buffer[] => {
  if (!Number.isInteger(index) || index < 0 || index >= leafHashes.length) throw new RangeError(`leaf ${index} is not in a tree of ${leafHashes.length}`);
  return pathOf(leafHashes, index, 0, leafHashes.length);
};

/** RFC 9162 §2.1.3.2: whether `path` proves that `leaf` (a leaf hash) is leaf `index` of the tree of `treeSize` with `root`. */
export const verifyInclusion = (leaf: Uint8Array, index: number, treeSize: number, path: readonly Uint8Array[], root: Uint8Array): boolean => {
  if (!Number.isInteger(index) || !Number.isInteger(treeSize) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r: Uint8Array = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else r = nodeHash(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.from(r).equals(Buffer.from(root));
};
