import { businessDayOf } from '@pos/kernel';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKENS } from '@pos/testing';
import { runDay } from './simulate-day';
import { Cluster, expectBalancesMatch, salesShown, type ServiceApp, waitFor } from './testing/cluster';

const APPS: readonly ServiceApp[] = ['terminal-gateway', 'settlement', 'reconciliation'];

/**
 * Two replicas of each app on one Kafka and PostgreSQL. Terminals are spread over both
 * gateways; the read sides are asked on either. Mid-day one replica of each app is killed
 * (SIGKILL): its terminals retransmit to the other gateway, its partitions go to the other
 * consumer. The day must still end exactly as the simulator recorded it.
 */
describe('scale-out: two replicas of each app, one of each killed mid-day', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await Cluster.start();
    await Promise.all(APPS.flatMap((app) => [cluster.startApp(app, 0), cluster.startApp(app, 1)]));
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(cluster.tails());
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('ends the day with exact totals, fees and journals, nothing posted twice and nothing dead-lettered', async () => {
    const result = runDay({
      adminToken: TEST_TOKENS.operations, terminals: 12, transactions: 400, seed: 9090, unbalancedEvery: 4, concurrency: 12, retryForMs: 90_000, settleTimeoutMs: 180_000,
      url: cluster.urls('terminal-gateway'), settlementUrl: cluster.urls('settlement'), reconciliationUrl: cluster.urls('reconciliation'), log: () => undefined,
    });
    // Mid-day: once the read side shows trading under way, kill one replica of each app at once.
    const day = businessDayOf(new Date());
    await waitFor(async () => ((await salesShown(cluster.urls('reconciliation')[1], day)) >= 300 ? true : undefined), 120_000, 50);
    const killed = await Promise.all(APPS.map((app) => cluster.process(app, 0).kill('SIGKILL')));
    expect(killed).toEqual([null, null, null]);

    const report = await result;
    expect(report.errors).toEqual([]);
    expect(report.mismatches).toEqual([]);
    expect(report.journalsBalanced).toBe(true);
    expect(report.ok).toBe(true);
    // Terminals of the killed gateway went on through the other one.
    expect(report.retransmissions).toBeGreaterThan(0);
    // Every settled batch was posted once: one settlement per batch the terminals closed.
    expect(report.settlementsChecked).toBe(report.terminalsCompleted);
    await expectBalancesMatch(cluster.urls('settlement')[0], report);
    expect(await cluster.deadLetters()).toBe(0);
  });
});
