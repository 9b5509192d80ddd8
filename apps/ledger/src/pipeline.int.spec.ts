import { randomBytes } from 'node:crypto';
import { LEDGER_EVENTS, type TerminalEvent, TOPICS } from '@pos/contracts';
import { dlqTopic, HEADERS, type LogMessage, type MessageLog, OutboxRelay, startIdempotentConsumer, toLogMessage, type Consumer } from '@pos/eventing';
import { KafkaMessageLog } from '@pos/kafka';
import type { RecordedEvent } from '@pos/kernel';
import { PgServiceStore } from '@pos/postgres';
import { applyToReconciliation, DOCS } from '@pos/reconciliation-application';
import type { DailyTotalsRow } from '@pos/reconciliation-domain';
import { namespacedLog, waitFor } from '@pos/testing';
import { sharedKafka, sharedPostgres, type SpecDatabase } from '@pos/testing/shared-containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalMorning } from './testing/terminal-morning';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const NOW = new Date('2026-11-24T10:00:00Z');

const morning = (terminalId: string): TerminalEvent[] => terminalMorning(terminalId, [1_000n, 2_000n, 3_000n], NOW);

/**
 * Store -> outbox -> Kafka -> idempotent consumer -> read model, on a real
 * PostgreSQL server and a real Kafka broker (Testcontainers).
 */
describe('the event pipeline on PostgreSQL and Kafka', () => {
  let pgServer: SpecDatabase;
  let gateway: PgServiceStore;
  let reconciliation: PgServiceStore;
  let log: MessageLog;
  let relay: OutboxRelay;
  let consumer: Consumer;
  const dead: string[] = [];
  const suffix = randomBytes(3).toString('hex');
  const group = `reconciliation-${suffix}`;

  const rowOf = async (terminalId: string) =>
    (await reconciliation.transaction((tx) => tx.documents.list<DailyTotalsRow>(DOCS.dailyTotals, '2026-11-24|M00000000000001|'))).find((r) => r.doc.terminalId === terminalId)?.doc;

  beforeAll(async () => {
    pgServer = await sharedPostgres();
    gateway = await PgServiceStore.open({ schema: `gw_${suffix}`, pool: { connectionString: pgServer.connectionString } });
    reconciliation = await PgServiceStore.open({ schema: `rc_${suffix}`, pool: { connectionString: pgServer.connectionString } });
    // The services' own topic names, under a prefix of this spec's on the shared broker.
    log = namespacedLog(new KafkaMessageLog({ brokers: sharedKafka().brokers, clientId: 'pipeline-test', partitions: 3, replicationFactor: 1, log: silent }), `pipeline-${suffix}`);
    relay = new OutboxRelay(gateway, log, silent);
    consumer = await startIdempotentConsumer({
      name: group, topics: [TOPICS.terminal], store: reconciliation, log, logger: silent, apply: applyToReconciliation, onDeadLetter: (code) => dead.push(code),
    });
  });
  afterAll(async () => {
    await consumer?.stop();
    await relay?.stop();
    await log?.close();
    await gateway?.close();
    await reconciliation?.close();
    await pgServer?.stop();
  });

  it('publishes what the store committed and projects each event once', async () => {
    const events = morning('T0000001');
    await gateway.transaction((tx) => tx.events.append('terminal-T0000001', 0, events.map((e) => ({ ...e, occurredAt: NOW, context: { correlationId: 'c', causationId: 'c', actor: { type: 'terminal' as const, id: 'T0000001' } } }))));
    expect(await gateway.outboxBacklog()).toBe(5);
    relay.start();
    const row = await waitFor(async () => { const r = await rowOf('T0000001'); return r?.salesCount === 3 && r; }, 'three sales of T0000001 projected');
    expect(row).toMatchObject({ salesCount: 3, salesAmount: 6_000n, gross: 6_000n });
    expect(await gateway.outboxBacklog()).toBe(0);
  });

  it('changes nothing when the same events are delivered again', async () => {
    const stored = await gateway.readStream('terminal-T0000001', LEDGER_EVENTS);
    await log.publish(stored.map(toLogMessage));
    await waitFor(async () => (await consumer.lag()) === 0, 'the consumer to catch up');
    expect(await rowOf('T0000001')).toMatchObject({ salesCount: 3, salesAmount: 6_000n });
    const trail = await reconciliation.transaction((tx) => tx.documents.list('audit-trail', 'T0000001|2026-11-24|'));
    expect(trail).toHaveLength(stored.length);
  });

  it('dead-letters poison messages with their reason and goes on with the next one', async () => {
    const [sale] = (await gateway.readStream('terminal-T0000001', LEDGER_EVENTS)).slice(-1) as RecordedEvent[];
    const good = toLogMessage(sale);
    const poison: LogMessage[] = [
      { ...good, value: '{not json', headers: { ...good.headers, 'event-id': 'p1' } },
      { ...good, value: JSON.stringify({ type: 'SomethingElseHappened', data: {}, metadata: { eventId: 'p2', streamId: 's', version: 1 } }) },
      { ...good, value: JSON.stringify({ ...JSON.parse(good.value), data: { ...JSON.parse(good.value).data, amount: '12.5' }, metadata: { ...JSON.parse(good.value).metadata, eventId: randomBytes(8).toString('hex') } }) },
    ];
    // Then a valid new sale on another terminal, which must still be applied.
    const other = morning('T0000002');
    await gateway.transaction((tx) => tx.events.append('terminal-T0000002', 0, other.map((e) => ({ ...e, occurredAt: NOW, context: { correlationId: 'c', causationId: 'c', actor: { type: 'terminal' as const, id: 'T0000002' } } }))));
    await log.publish(poison);
    await waitFor(async () => (await rowOf('T0000002'))?.salesCount === 3, 'three sales of T0000002 projected');
    await waitFor(() => dead.length >= 3, 'three dead letters');
    expect(dead.slice(0, 3).sort()).toEqual(['EVENT_PAYLOAD_INVALID', 'EVENT_TYPE_UNKNOWN', 'MESSAGE_UNPARSEABLE']);

    const dlq: Array<Record<string, string>> = [];
    const reader = await log.consume({ groupId: `dlq-reader-${suffix}`, topics: [dlqTopic(TOPICS.terminal)], handleBatch: async (ms) => void dlq.push(...ms.map((m) => m.headers)) });
    await waitFor(() => dlq.length >= 3, 'three messages on the dead-letter topic');
    await reader.stop();
    expect(dlq.map((h) => h[HEADERS.dlqCode]).sort()).toEqual(['EVENT_PAYLOAD_INVALID', 'EVENT_TYPE_UNKNOWN', 'MESSAGE_UNPARSEABLE']);
    expect(dlq.every((h) => h[HEADERS.dlqReason] && h[HEADERS.dlqSource] === TOPICS.terminal)).toBe(true);
    expect(await rowOf('T0000001')).toMatchObject({ salesCount: 3 });
  });
});
