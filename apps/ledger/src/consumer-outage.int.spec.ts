import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TERMINAL_EVENTS, TOPICS } from '@pos/contracts';
import { SqliteMessageLog, SqliteServiceStore } from '@pos/embedded';
import { type Consumer, dlqTopic, startIdempotentConsumer, toLogMessage } from '@pos/eventing';
import type { RecordedEvent } from '@pos/kernel';
import { PgServiceStore } from '@pos/postgres';
import { applyToReconciliation, DOCS } from '@pos/reconciliation-application';
import type { DailyTotalsRow } from '@pos/reconciliation-domain';
import { startPostgres, type StartedPostgres } from '@pos/testing/containers';
import { getContainerRuntimeClient } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalMorning } from './testing/terminal-morning';

const NOW = new Date('2026-11-24T10:00:00Z');
const T = 'T0000077';

/** A promise and what settles it, for waiting on a callback (a signal, not a sleep). */
const signal = <T = void>() => {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

/**
 * A database outage is not a poison message: with the consumer's PostgreSQL server stopped
 * (a real Testcontainers server, `docker stop`), a message it cannot apply is retried, never
 * dead-lettered, and is applied once the server is back.
 */
describe('an idempotent consumer while its PostgreSQL is down', () => {
  let pg: StartedPostgres;
  let store: PgServiceStore;
  let dir: string;
  let log: SqliteMessageLog;
  let consumer: Consumer | undefined;
  const deadLettered: string[] = [];
  const failures: unknown[] = [];
  const retried = signal();
  const firstDeadLetter = signal();
  const applied = signal<RecordedEvent>();

  beforeAll(async () => {
    pg = await startPostgres();
    store = await PgServiceStore.open({ schema: 'outage', pool: { connectionString: pg.connectionString, max: 2, connectionTimeoutMillis: 2_000 }, onIdleError: () => undefined });
    dir = mkdtempSync(join(tmpdir(), 'outage-'));
    log = new SqliteMessageLog(join(dir, 'log.db'), 2, 20);
  });
  afterAll(async () => {
    await consumer?.stop();
    await log?.close();
    await store?.close().catch(() => undefined);
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('retries the message until the server is back, then applies it once; nothing is dead-lettered', async () => {
    // The terminal's events, recorded as a gateway records them (an embedded store stands in for the gateway).
    const gateway = new SqliteServiceStore(join(dir, 'gateway.db'));
    const morning = terminalMorning(T, [1_234n], NOW);
    await gateway.transaction((tx) => tx.events.append(`terminal-${T}`, 0, morning.map((e) => ({ ...e, occurredAt: NOW, context: { correlationId: 'c', causationId: 'c', actor: { type: 'terminal' as const, id: T } } }))));
    const recorded = await gateway.readStream(`terminal-${T}`, TERMINAL_EVENTS, 1);
    await gateway.close();
    const sale = recorded[recorded.length - 1];

    consumer = await startIdempotentConsumer({
      name: 'outage-reconciliation', topics: [TOPICS.terminal], store, log, apply: applyToReconciliation, maxAttempts: 2,
      logger: {
        info: () => undefined,
        warn: (obj) => {
          failures.push((obj as { err?: unknown }).err);
          if (failures.length >= 5) retried.resolve();
        },
        error: () => undefined,
      },
      onApplied: (e) => {
        if (e.metadata.eventId === sale.metadata.eventId) applied.resolve(e);
      },
      onDeadLetter: (code) => {
        deadLettered.push(code);
        firstDeadLetter.resolve();
      },
    });

    const docker = await getContainerRuntimeClient();
    const server = docker.container.getById(pg.container.getId());
    await docker.container.stop(server, { timeout: 10 });
    await log.publish(recorded.map(toLogMessage));

    // More failed attempts than a poison or a programming error would get (maxAttempts 2): all retried.
    await Promise.race([retried.promise, firstDeadLetter.promise]);
    expect(deadLettered).toEqual([]);
    expect(failures.every((e) => e instanceof Error)).toBe(true);

    await docker.container.start(server);
    expect((await applied.promise).metadata.eventId).toBe(sale.metadata.eventId);
    const rows = await store.transaction((tx) => tx.documents.list<DailyTotalsRow>(DOCS.dailyTotals, '2026-11-24|M00000000000001|'));
    expect(rows.map((r) => r.doc)).toEqual([expect.objectContaining({ terminalId: T, salesCount: 1, salesAmount: 1_234n })]);
    expect(deadLettered).toEqual([]);
    const dlq: string[] = [];
    await log.readRange({ topics: [dlqTopic(TOPICS.terminal)], until: await log.endOffsets([dlqTopic(TOPICS.terminal)]), onBatch: async (ms) => void dlq.push(...ms.map((m) => m.value)) });
    expect(dlq).toEqual([]);
  });
});
