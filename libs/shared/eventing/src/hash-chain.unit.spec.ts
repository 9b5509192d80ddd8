import { describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH, type ChainLink, type HashedContent, type StreamHead, verifyChain } from './hash-chain';

const content = (version: number, eventId: string, payload: unknown = { n: version }): HashedContent => ({
  streamId: 's', version, eventId, type: 'Counted', schemaVersion: 1, occurredAt: '2026-11-24T10:00:00.000Z', payload, context: { actor: 'test' },
});

/** Links as a store would hand them over: recomputed from the stored content. */
const chainOf = (n: number): ChainLink[] => {
  const links: ChainLink[] = [];
  let prev = GENESIS_HASH;
  for (let v = 1; v <= n; v++) {
    const hash = chainHash(prev, content(v, `e${v}`));
    links.push({ version: v, eventId: `e${v}`, prevHash: prev, hash, recomputed: hash });
    prev = hash;
  }
  return links;
};

const headOf = (links: readonly ChainLink[]): StreamHead => ({ version: links.at(-1)!.version, hash: links.at(-1)!.hash });

/** A stored event moved to another version: its stored hash stays, its content (which includes the version) now hashes differently. */
const movedTo = (link: ChainLink, version: number): ChainLink => ({ ...link, version, recomputed: chainHash(link.prevHash, content(version, link.eventId)) });

/** A stored event whose payload was edited in place. */
const edited = (link: ChainLink): ChainLink => ({ ...link, recomputed: chainHash(link.prevHash, content(link.version, link.eventId, { n: 999 })) });

describe('verifyChain', () => {
  describe('given an intact stream', () => {
    it('when its head matches the last event, then it is ok with the event count', () => {
      const links = chainOf(4);
      expect(verifyChain('s', links, headOf(links))).toEqual({ streamId: 's', events: 4, ok: true });
    });

    it('when the stream has neither events nor a head, then it is ok and empty', () => {
      expect(verifyChain('s', [], undefined)).toEqual({ streamId: 's', events: 0, ok: true });
    });
  });

  describe('EVENT_CONTENT_ALTERED', () => {
    it('given an event edited in the middle, then that version is named with its event and both hashes', () => {
      const links = chainOf(4);
      const head = headOf(links);
      links[1] = edited(links[1]);
      expect(verifyChain('s', links, head)).toEqual({
        streamId: 's', events: 4, ok: false, brokenAtVersion: 2, eventId: 'e2', code: 'EVENT_CONTENT_ALTERED',
        reason: expect.stringContaining('version 2'), detail: { storedHash: links[1].hash, recomputedHash: links[1].recomputed },
      });
    });

    it('given the last event edited and the head edited too, then the event is named, being more precise on the same version', () => {
      const links = chainOf(3);
      links[2] = edited(links[2]);
      expect(verifyChain('s', links, { version: 3, hash: 'f'.repeat(64) })).toMatchObject({ brokenAtVersion: 3, eventId: 'e3', code: 'EVENT_CONTENT_ALTERED' });
    });
  });

  describe('EVENT_MISSING', () => {
    it('given a middle event deleted, then the missing version is named without an event id', () => {
      const links = chainOf(4);
      const head = headOf(links);
      const report = verifyChain('s', [links[0], links[2], links[3]], head);
      expect(report).toEqual({
        streamId: 's', events: 3, ok: false, brokenAtVersion: 2, code: 'EVENT_MISSING',
        reason: expect.stringContaining('version 2 is missing'), detail: { expectedVersion: 2, foundVersion: 3 },
      });
    });

    it('given the first event deleted, then version 1 is named', () => {
      const links = chainOf(3);
      expect(verifyChain('s', links.slice(1), headOf(links))).toMatchObject({ brokenAtVersion: 1, code: 'EVENT_MISSING', detail: { expectedVersion: 1, foundVersion: 2 } });
    });

    it('given a version stored twice, then the version that should follow is named', () => {
      const links = chainOf(3);
      expect(verifyChain('s', [links[0], links[1], links[1], links[2]], headOf(links))).toMatchObject({
        brokenAtVersion: 3, code: 'EVENT_MISSING', detail: { expectedVersion: 3, foundVersion: 2 },
      });
    });
  });

  describe('CHAIN_LINK_BROKEN', () => {
    it('given two events swapped, then the lower version is named with the event now stored there', () => {
      const links = chainOf(5);
      const head = headOf(links);
      const swapped = [links[0], movedTo(links[3], 2), links[2], movedTo(links[1], 4), links[4]];
      expect(verifyChain('s', swapped, head)).toEqual({
        streamId: 's', events: 5, ok: false, brokenAtVersion: 2, eventId: 'e4', code: 'CHAIN_LINK_BROKEN',
        reason: expect.stringContaining('version 1'), detail: { expectedPrevHash: links[0].hash, storedPrevHash: links[2].hash },
      });
    });

    it('given the first two events swapped, then version 1 is named against the genesis hash', () => {
      const links = chainOf(3);
      expect(verifyChain('s', [movedTo(links[1], 1), movedTo(links[0], 2), links[2]], headOf(links))).toMatchObject({
        brokenAtVersion: 1, eventId: 'e2', code: 'CHAIN_LINK_BROKEN', detail: { expectedPrevHash: GENESIS_HASH, storedPrevHash: links[0].hash },
      });
    });

    it('given the last two events swapped, then the lower version is named rather than the head', () => {
      const links = chainOf(4);
      expect(verifyChain('s', [links[0], links[1], movedTo(links[3], 3), movedTo(links[2], 4)], headOf(links))).toMatchObject({
        brokenAtVersion: 3, eventId: 'e4', code: 'CHAIN_LINK_BROKEN',
      });
    });

    it('given a middle event deleted and the later ones renumbered, then the version that lost its predecessor is named', () => {
      const links = chainOf(4);
      const rechained = [links[0], movedTo(links[2], 2), movedTo(links[3], 3)];
      expect(verifyChain('s', rechained, { version: 3, hash: links[3].hash })).toMatchObject({
        events: 3, brokenAtVersion: 2, eventId: 'e3', code: 'CHAIN_LINK_BROKEN', detail: { expectedPrevHash: links[0].hash, storedPrevHash: links[1].hash },
      });
    });

    it('given an edited event whose stored hash was rewritten to match, then the next version is named', () => {
      const links = chainOf(3);
      const head = headOf(links);
      const forged = chainHash(links[0].hash, content(2, 'e2', { n: 999 }));
      links[1] = { ...links[1], hash: forged, recomputed: forged };
      expect(verifyChain('s', links, head)).toMatchObject({ brokenAtVersion: 3, eventId: 'e3', code: 'CHAIN_LINK_BROKEN', detail: { expectedPrevHash: forged } });
    });
  });

  describe('STREAM_HEAD_MISMATCH', () => {
    it("given the last event deleted, then the head's version is named with both ends", () => {
      const links = chainOf(4);
      expect(verifyChain('s', links.slice(0, 3), headOf(links))).toEqual({
        streamId: 's', events: 3, ok: false, brokenAtVersion: 4, code: 'STREAM_HEAD_MISMATCH', reason: expect.stringContaining('version 4'),
        detail: { headVersion: 4, headHash: links[3].hash, lastStoredVersion: 3, lastStoredHash: links[2].hash },
      });
    });

    it('given the last two events deleted, then the first missing version is named and the head in the detail', () => {
      const links = chainOf(5);
      expect(verifyChain('s', links.slice(0, 3), headOf(links))).toMatchObject({
        brokenAtVersion: 4, code: 'STREAM_HEAD_MISMATCH', detail: { headVersion: 5, lastStoredVersion: 3 },
      });
    });

    it("given the head's hash edited, then the last stored event is named", () => {
      const links = chainOf(3);
      expect(verifyChain('s', links, { version: 3, hash: 'f'.repeat(64) })).toMatchObject({
        brokenAtVersion: 3, eventId: 'e3', code: 'STREAM_HEAD_MISMATCH', detail: { headVersion: 3, headHash: 'f'.repeat(64), lastStoredVersion: 3, lastStoredHash: links[2].hash },
      });
    });

    it('given a head behind the stored events, then the first event beyond it is named', () => {
      const links = chainOf(4);
      expect(verifyChain('s', links, { version: 2, hash: links[1].hash })).toMatchObject({
        brokenAtVersion: 3, eventId: 'e3', code: 'STREAM_HEAD_MISMATCH', detail: { headVersion: 2, lastStoredVersion: 4 },
      });
    });

    it("given a head behind whose hash is not its version's, then the head's version is named", () => {
      const links = chainOf(4);
      expect(verifyChain('s', links, { version: 2, hash: links[2].hash })).toMatchObject({ brokenAtVersion: 2, eventId: 'e2', code: 'STREAM_HEAD_MISMATCH' });
    });

    it('given a head behind and an event edited later, then the earlier break, at the head, is named', () => {
      const links = chainOf(5);
      links[4] = edited(links[4]);
      expect(verifyChain('s', links, { version: 2, hash: links[1].hash })).toMatchObject({ brokenAtVersion: 3, code: 'STREAM_HEAD_MISMATCH' });
    });

    it('given events but no head row, then version 1 is named', () => {
      const links = chainOf(2);
      expect(verifyChain('s', links, undefined)).toMatchObject({
        events: 2, ok: false, brokenAtVersion: 1, eventId: 'e1', code: 'STREAM_HEAD_MISMATCH',
        detail: { headVersion: null, headHash: null, lastStoredVersion: 2, lastStoredHash: links[1].hash },
      });
    });

    it('given a head but no events, then version 1 is named without an event id', () => {
      const report = verifyChain('s', [], { version: 3, hash: 'a'.repeat(64) });
      expect(report).toEqual({
        streamId: 's', events: 0, ok: false, brokenAtVersion: 1, code: 'STREAM_HEAD_MISMATCH', reason: expect.stringContaining('no events'),
        detail: { headVersion: 3, headHash: 'a'.repeat(64), lastStoredVersion: null, lastStoredHash: null },
      });
    });

    it('given an edited event before a deleted last event, then the edit, being earlier, is named', () => {
      const links = chainOf(4);
      const head = headOf(links);
      links[1] = edited(links[1]);
      expect(verifyChain('s', links.slice(0, 3), head)).toMatchObject({ brokenAtVersion: 2, code: 'EVENT_CONTENT_ALTERED' });
    });
  });
});
