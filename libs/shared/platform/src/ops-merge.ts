import type { ProjectionStatus } from '@pos/eventing';

/** What one process answers on GET /v1/ops/health, before `at`. */
export interface ProcessHealth {
  readonly services: ReadonlyArray<{ readonly name: string; readonly ready: boolean; readonly checks: Record<string, Record<string, unknown>> }>;
  readonly consumers: ReadonlyArray<{ readonly group: string; readonly topic: string; readonly partition?: number; readonly lag: number }>;
  readonly outbox: ReadonlyArray<{ readonly service: string; readonly backlog: number }>;
  readonly deadLetters: ReadonlyArray<{ readonly topic: string; readonly count: number }>;
}

/** Keeps the first of each key: a peer's answer never overrides this process's own. */
const firstOf = <T>(items: readonly T[], key: (t: T) => string): T[] => {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(key(i)) && seen.add(key(i)));
};

/**
 * This process's health with its peers': each service, consumer partition, store and
 * dead-letter topic once (every process relays the shared access store; two groups that read
 * one topic share its dead-letter topic), this process's own answer first.
 */
export const mergeHealth = (own: ProcessHealth, peers: readonly ProcessHealth[]): ProcessHealth => {
  const all = [own, ...peers];
  return {
    services: firstOf(all.flatMap((h) => h.services), (s) => s.name),
    consumers: firstOf(all.flatMap((h) => h.consumers), (c) => `${c.group}|${c.topic}|${c.partition}`),
    outbox: firstOf(all.flatMap((h) => h.outbox), (o) => o.service),
    deadLetters: firstOf(all.flatMap((h) => h.deadLetters), (d) => d.topic),
  };
};

/** A peer that did not answer: listed not ready, with why. */
export const unreachablePeer = (peer: { readonly name: string; readonly url: string }, message: string): ProcessHealth => ({
  services: [{ name: peer.name, ready: false, checks: { http: { status: 'down', url: peer.url, message } } }],
  consumers: [],
  outbox: [],
  deadLetters: [],
});

/** This process's projections with its peers', each name once. */
export const mergeProjections = (own: readonly ProjectionStatus[], peers: ReadonlyArray<readonly ProjectionStatus[]>): ProjectionStatus[] =>
  firstOf([...own, ...peers.flat()], (p) => p.name);
