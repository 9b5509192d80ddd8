import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, type LedgerProcess, spawnLedger, spawnMicroservices, TEST_TOKENS } from '@pos/testing';
import { startKafka, startPostgres, type StartedKafka, type StartedPostgres } from '@pos/testing/containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDay } from './simulate-day';

const DAY = { adminToken: TEST_TOKENS.operations, terminals: 8, transactions: 120, seed: 424242, unbalancedEvery: 4, log: () => undefined };

const getJson = async (url: string) => (await fetch(url, { headers: bearer('auditor') })).json() as Promise<any>;

/** What auditors compare between two deployments: totals, settlements and each terminal's story. */
const snapshot = async (urls: { settlement: string; reconciliation: string }, businessDay: string, terminalIds: string[]) => {
  const totals = (await getJson(`${urls.reconciliation}/v1/reconciliation/daily-totals?businessDay=${businessDay}`)).rows;
  const settlements = [];
  const trails: Record<string, string[]> = {};
  for (const t of terminalIds) {
    settlements.push(...(await getJson(`${urls.settlement}/v1/settlement/settlements?terminalId=${t}&businessDay=${businessDay}`)).settlements);
    trails[t] = (await getJson(`${urls.reconciliation}/v1/reconciliation/audit-trail/${t}/${businessDay}`)).entries.map(
      (e: { type: string; actor: { type: string; id: string }; data: Record<string, unknown> }) => `${e.type} ${e.actor.type}:${e.actor.id} ${e.data.stan ?? ''} ${e.data.amount ?? ''}`,
    );
  }
  return { totals, settlements, trails };
};

/**
 * The three apps as separate OS processes over real Kafka and PostgreSQL,
 * driven by the simulator, end with the same totals, fees, journals and audit
 * trail as the embedded run of the same seeded day.
 */
describe('microservices on Kafka and PostgreSQL', () => {
  let pg: StartedPostgres;
  let kafka: StartedKafka;
  const processes: LedgerProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ledger-embedded-'));

  beforeAll(async () => {
    [pg, kafka] = await Promise.all([startPostgres(), startKafka()]);
  });
  afterAll(async () => {
    for (const p of processes) await p.kill('SIGTERM');
    await Promise.all([pg?.stop(), kafka?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends the seeded day exactly like the embedded deployment', async () => {
    const env = { KAFKA_BROKERS: kafka.brokers.join(','), DATABASE_URL: pg.connectionString, KAFKA_PARTITIONS: '3' };
    const { gateway, settlement, reconciliation } = await spawnMicroservices(env);
    processes.push(gateway, settlement, reconciliation);
    const embedded = await spawnLedger(dir);
    processes.push(embedded);

    const distributed = await runDay({ ...DAY, url: gateway.url, settlementUrl: settlement.url, reconciliationUrl: reconciliation.url });
    const local = await runDay({ ...DAY, url: embedded.url });
    expect(distributed.errors).toEqual([]);
    expect(distributed.mismatches).toEqual([]);
    expect(distributed.ok).toBe(true);
    expect(local.ok).toBe(true);

    const terminalIds = [...new Set(distributed.expected.map((r) => r.terminalId))];
    const businessDay = distributed.businessDay;
    const a = await snapshot({ settlement: settlement.url, reconciliation: reconciliation.url }, businessDay, terminalIds);
    const b = await snapshot({ settlement: embedded.url, reconciliation: embedded.url }, businessDay, terminalIds);
    expect(a.totals.length).toBeGreaterThan(0);
    expect(a.totals).toEqual(b.totals);
    expect(a.settlements).toEqual(b.settlements);
    expect(a.trails).toEqual(b.trails);
    console.log(`microservices day: ${distributed.transactions} transactions at ${Math.round(distributed.transactionsPerSecond)} tx/s (embedded ${Math.round(local.transactionsPerSecond)} tx/s)`);
  });
});
