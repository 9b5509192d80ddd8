import { describe, expect, it } from 'vitest';
import { mergeHealth, mergeProjections, type ProcessHealth, unreachablePeer } from './ops-merge';

const health = (service: string, over: Partial<ProcessHealth> = {}): ProcessHealth => ({
  services: [{ name: service, ready: true, checks: { log: { status: 'up' } } }],
  consumers: [],
  outbox: [{ service, backlog: 0 }, { service: 'access', backlog: 0 }],
  deadLetters: [],
  ...over,
});

describe('merging the services answers for operations', () => {
  it('lists each service, consumer partition, store and dead-letter topic once, this process first', () => {
    const own = health('reconciliation', {
      consumers: [{ group: 'reconciliation', topic: 't', partition: 0, lag: 2 }, { group: 'reconciliation', topic: 't', partition: 1, lag: 0 }],
      outbox: [{ service: 'reconciliation', backlog: 1 }, { service: 'access', backlog: 3 }],
      deadLetters: [{ topic: 't.dlq', count: 1 }],
    });
    const settlement = health('settlement', { consumers: [{ group: 'settlement', topic: 't', partition: 0, lag: 5 }], deadLetters: [{ topic: 't.dlq', count: 1 }] });
    expect(mergeHealth(own, [settlement, unreachablePeer({ name: 'terminal-gateway', url: 'http://gw:3000' }, 'connect ECONNREFUSED')])).toEqual({
      services: [
        { name: 'reconciliation', ready: true, checks: { log: { status: 'up' } } },
        { name: 'settlement', ready: true, checks: { log: { status: 'up' } } },
        { name: 'terminal-gateway', ready: false, checks: { http: { status: 'down', url: 'http://gw:3000', message: 'connect ECONNREFUSED' } } },
      ],
      consumers: [
        { group: 'reconciliation', topic: 't', partition: 0, lag: 2 }, { group: 'reconciliation', topic: 't', partition: 1, lag: 0 }, { group: 'settlement', topic: 't', partition: 0, lag: 5 },
      ],
      // The access store every process relays, once: as this process saw it.
      outbox: [{ service: 'reconciliation', backlog: 1 }, { service: 'access', backlog: 3 }, { service: 'settlement', backlog: 0 }],
      deadLetters: [{ topic: 't.dlq', count: 1 }],
    });
  });

  it("lists each projection once, this process's own answer first", () => {
    const p = (name: string, service: string, generation: number) =>
      ({ name, service, description: '', generation, documents: 0, digest: '0'.repeat(64), digestAt: '2026-12-01T00:00:00.000Z', digestPosition: '0', position: '0', lagEvents: 0, state: 'LIVE' }) as const;
    expect(mergeProjections([p('breaks', 'reconciliation', 2)], [[p('terminal-list', 'terminal-gateway', 1)], [p('breaks', 'elsewhere', 1), p('ledger-balances', 'settlement', 1)]]).map((x) => `${x.name} ${x.service} ${x.generation}`))
      .toEqual(['breaks reconciliation 2', 'terminal-list terminal-gateway 1', 'ledger-balances settlement 1']);
  });
});
