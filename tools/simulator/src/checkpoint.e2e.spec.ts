import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, type LedgerProcess, type RawStore, rawPgStore, rawSqliteStore, runBuilt, spawnApp, spawnLedger, TEST_TOKENS } from '@pos/testing';
import { startKafka, startPostgres, type StartedKafka, type StartedPostgres } from '@pos/testing/containers';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTerminals, runDay } from './simulate-day';

const audit = (args: readonly string[], env: Record<string, string>) => runBuilt('tools/audit/main.js', ['--no-progress', ...args], env);
const DAY = { adminToken: TEST_TOKENS.operations, terminals: 3, transactions: 15, unbalancedEvery: 2, log: () => undefined };

interface StoredSale {
  readonly streamId: string;
  readonly version: number;
  readonly payload: { amount: string; rrn: string } & Record<string, unknown>;
}

interface Deployment {
  readonly gatewayUrl: string;
  readonly settlementUrl: string;
  readonly reconciliationUrl: string;
  readonly env: Record<string, string>;
  /** A sale as the terminal gateway's store holds it, and a way to write to that store behind its back. */
  readonly sale: () => Promise<StoredSale>;
  readonly raw: () => RawStore;
  /** A BatchSettled as the settlement store holds it, and a way to write to that store behind its back. */
  readonly settled: () => Promise<{ streamId: string; payload: Record<string, unknown> }>;
  readonly rawSettlement: () => RawStore;
  /** What the process closing the day wrote, for a failure's message. */
  readonly output: () => string;
}

/**
 * The day of issue 14: closed with a signed checkpoint, verified, a sale proven offline; then the
 * forger rewrites that sale, every later hash of its stream and the stream head, so the hash
 * chains verify: the checkpoint does not, and names the day and the stream.
 */
const forgerScenario = async (d: Deployment) => {
  // One merchant settles on a published plan (the default's rates, so the simulator's record holds):
  // its BatchSettled names the plan's version, and the rebuild must find that plan too.
  const [first] = planTerminals(1414, DAY.terminals, DAY.transactions, DAY.unbalancedEvery);
  const plan = { planId: 'PUBLISHED', effectiveFrom: new Date().toISOString().slice(0, 10), mdrBps: { BANK_CARD: 60, QR: 38 }, refundReturnsFee: false, payoutSchedule: 'T1', rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' } };
  const published = await fetch(`${d.settlementUrl}/v1/settlement/merchants/${first.merchantId}/pricing-plans`, { method: 'POST', headers: { ...bearer('finance'), 'content-type': 'application/json' }, body: JSON.stringify(plan) });
  expect(published.status, await published.clone().text()).toBe(201);
  const day = await runDay({ ...DAY, url: d.gatewayUrl, settlementUrl: d.settlementUrl, reconciliationUrl: d.reconciliationUrl, seed: 1414 });
  expect(day.ok, JSON.stringify(day.errors)).toBe(true);
  const D = day.businessDay;
  const post = (body: unknown) => fetch(`${d.reconciliationUrl}/v1/checkpoints`, { method: 'POST', headers: { ...bearer('operations'), 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const closed = await post({ businessDay: D });
  const checkpoint = (await closed.json()) as any;
  expect(closed.status, `${JSON.stringify(checkpoint)}\n${d.output().slice(-3000)}`).toBe(201);
  expect(checkpoint).toMatchObject({ businessDay: D, sequence: 1, closedBy: 'OPERATIONS', previousRootHash: '0'.repeat(64) });
  expect(checkpoint.events).toBeGreaterThan(day.transactions);
  // Bad input changes nothing: the same day twice, a day not begun, a malformed one.
  const again = await post({ businessDay: D });
  expect([again.status, ((await again.json()) as any).error.code]).toEqual([409, 'CHECKPOINT_DAY_CLOSED']);
  const future = await post({ businessDay: '2999-01-01' });
  expect([future.status, ((await future.json()) as any).error.code]).toEqual([400, 'CHECKPOINT_DAY_INVALID']);
  const malformed = await post({ businessDay: '2026-02-30' });
  expect(malformed.status).toBe(400);
  const key = (await (await fetch(`${d.reconciliationUrl}/v1/checkpoints/public-key`, { headers: bearer('auditor') })).json()) as any;
  expect(key).toMatchObject({ algorithm: 'Ed25519', keyId: checkpoint.keyId, publicKeyHex: checkpoint.publicKey });
  expect(await (await fetch(`${d.reconciliationUrl}/v1/checkpoints/${D}`, { headers: bearer('auditor') })).json()).toEqual(checkpoint);

  const verified = await audit(['checkpoint', 'verify', '--day', D, '--public-key', key.publicKeyHex, '--json'], d.env);
  expect(verified.code, verified.stderr + verified.stdout).toBe(0);
  expect(verified.json()).toMatchObject({ ok: true, businessDay: D, rootHash: checkpoint.rootHash, recomputed: { stores: checkpoint.rootHash, log: checkpoint.rootHash }, findings: [] });
  // Another key than the acquirer's does not verify the day.
  const otherKey = await audit(['checkpoint', 'verify', '--day', D, '--public-key', 'ab'.repeat(32), '--json'], d.env);
  expect(otherKey.code).toBe(1);

  // Every BatchSettled rebuilt from the terminals' events by the settlement code is the recorded one, byte for byte.
  const rebuilt = await audit(['settlements', 'rebuild', '--business-day', D, '--json'], d.env);
  expect(rebuilt.code, rebuilt.stderr + rebuilt.stdout.slice(0, 3000)).toBe(0);
  expect(rebuilt.json()).toMatchObject({ ok: true, settlements: DAY.terminals, differences: [] });
  // One BatchSettled per batch: payouts are the payout run's, on streams of their own.
  expect(rebuilt.json().identical).toBe(DAY.terminals);
  const onPlan = await (await fetch(`${d.settlementUrl}/v1/settlement/settlements?terminalId=${first.terminalId}&businessDay=${D}`, { headers: bearer('auditor') })).json() as any;
  expect(onPlan.settlements[0]).toMatchObject({ pricingPlanId: 'PUBLISHED', pricingPlanVersion: 1 });
  const batch = await d.settled();
  const rawSettlement = d.rawSettlement();
  try {
    await rawSettlement.tamper(batch.streamId, 1, { ...batch.payload, payoutDate: '2099-01-01' });
  } finally {
    await rawSettlement.close();
  }
  const differs = await audit(['settlements', 'rebuild', '--business-day', D, '--json'], d.env);
  expect(differs.code).toBe(1);
  expect(differs.json().differences).toEqual([expect.objectContaining({ streamId: batch.streamId, version: 1, code: 'REBUILT_DIFFERS' })]);
  const raw0 = d.rawSettlement();
  try {
    await raw0.tamper(batch.streamId, 1, batch.payload);
  } finally {
    await raw0.close();
  }

  // A merchant checks offline that its sale is in the day, with nothing but the public key.
  const sale = await d.sale();
  const terminalId = sale.streamId.slice('terminal-'.length);
  const proof = await audit(['checkpoint', 'prove', '--rrn', sale.payload.rrn, '--terminal', terminalId], d.env);
  expect(proof.code, proof.stderr).toBe(0);
  const dir = mkdtempSync(join(tmpdir(), 'proof-'));
  try {
    const file = join(dir, 'proof.json');
    writeFileSync(file, proof.stdout);
    const pem = join(dir, 'acquirer.pem');
    writeFileSync(pem, key.publicKeyPem);
    const valid = await runBuilt('tools/audit/main.js', ['checkpoint', 'check-proof', '--file', file, '--public-key', pem]);
    expect([valid.code, valid.stdout], valid.stderr).toEqual([0, expect.stringMatching(new RegExp(`^VALID: TransactionCompleted ${sale.streamId} v${sale.version} in the checkpoint of ${D}`))]);
    const altered = proof.json();
    altered.event.payload.amount = `1${altered.event.payload.amount}`;
    writeFileSync(file, JSON.stringify(altered));
    const invalid = await runBuilt('tools/audit/main.js', ['checkpoint', 'check-proof', '--file', file, '--public-key', pem, '--json']);
    expect(invalid.code).toBe(1);
    expect(invalid.json().findings).toEqual(expect.arrayContaining(['EVENT_HASH_MISMATCH', 'NOT_INCLUDED']));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // The forger: a digit more on the sale, every later hash and the head rewritten to match.
  const raw = d.raw();
  try {
    await raw.rewriteHistory(sale.streamId, sale.version, { ...sale.payload, amount: `1${sale.payload.amount}` });
  } finally {
    await raw.close();
  }
  const chains = await audit(['verify', '--json'], d.env);
  expect([chains.code, chains.json().ok], 'the forged chain verifies: that is the forgery').toEqual([0, true]);
  const forged = await audit(['checkpoint', 'verify', '--day', D, '--public-key', key.publicKeyHex, '--json'], d.env);
  expect(forged.code, forged.stderr).toBe(1);
  const report = forged.json();
  expect(report).toMatchObject({ ok: false, businessDay: D, recomputed: { log: checkpoint.rootHash } });
  expect(report.recomputed.stores).not.toBe(checkpoint.rootHash);
  expect(report.findings).toEqual([expect.objectContaining({ source: 'stores', code: 'STREAM_REWRITTEN', streamId: sale.streamId, service: 'terminal-gateway' })]);
  const text = await audit(['checkpoint', 'verify', '--day', D, '--public-key', key.publicKeyHex], d.env);
  expect(text.stdout).toContain(`checkpoint ${D} #1`);
  expect(text.stdout).toContain(`stores STREAM_REWRITTEN ${sale.streamId}`);
};

const settledQuery = "SELECT stream_id, payload FROM events WHERE type = 'BatchSettled' ORDER BY stream_id LIMIT 1";
const saleQuery = "SELECT stream_id, version, payload FROM events WHERE type = 'TransactionCompleted' ORDER BY position LIMIT 1 OFFSET 3";

describe('daily checkpoints on the embedded ledger', () => {
  let ledger: LedgerProcess;
  const dir = mkdtempSync(join(tmpdir(), 'ledger-checkpoint-'));

  beforeAll(async () => {
    ledger = await spawnLedger(dir);
  });
  afterAll(async () => {
    await ledger?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes a day with a signed checkpoint, proves a sale offline, and catches a forger who rewrote the chain and the head', async () => {
    const file = join(dir, 'terminal-gateway.db');
    await forgerScenario({
      gatewayUrl: ledger.url, settlementUrl: ledger.url, reconciliationUrl: ledger.url, env: { LEDGER_DATA_DIR: dir },
      sale: async () => {
        const db = new DatabaseSync(file, { readOnly: true });
        try {
          const r = db.prepare(saleQuery).get() as { stream_id: string; version: number; payload: string };
          return { streamId: r.stream_id, version: r.version, payload: JSON.parse(r.payload) };
        } finally {
          db.close();
        }
      },
      raw: () => rawSqliteStore(file),
      settled: async () => {
        const db = new DatabaseSync(join(dir, 'settlement.db'), { readOnly: true });
        try {
          const r = db.prepare(settledQuery).get() as { stream_id: string; payload: string };
          return { streamId: r.stream_id, payload: JSON.parse(r.payload) };
        } finally {
          db.close();
        }
      },
      rawSettlement: () => rawSqliteStore(join(dir, 'settlement.db')),
      output: () => ledger.output(),
    });
  });
});

describe('daily checkpoints on the microservice deployment (Kafka and PostgreSQL)', () => {
  let pgServer: StartedPostgres;
  let kafka: StartedKafka;
  let pool: pg.Pool;
  const processes: LedgerProcess[] = [];

  beforeAll(async () => {
    [pgServer, kafka] = await Promise.all([startPostgres(), startKafka()]);
    pool = new pg.Pool({ connectionString: pgServer.connectionString });
  });
  afterAll(async () => {
    for (const p of processes) await p.kill('SIGTERM');
    await pool?.end();
    await Promise.all([pgServer?.stop(), kafka?.stop()]);
  });

  it('refuses to start reconciliation without a signing key, then does the same day, proof and forgery as the embedded ledger', async () => {
    const env = { KAFKA_BROKERS: kafka.brokers.join(','), DATABASE_URL: pgServer.connectionString, KAFKA_PARTITIONS: '3' };
    await expect(spawnApp('reconciliation', { ...env, LEDGER_CHECKPOINT_SIGNING_KEY: '' })).rejects.toThrow(/CHECKPOINT_KEY_INVALID|LEDGER_CHECKPOINT_SIGNING_KEY is not set/);
    const [gateway, settlement, reconciliation] = await Promise.all((['terminal-gateway', 'settlement', 'reconciliation'] as const).map((app) => spawnApp(app, env)));
    processes.push(gateway, settlement, reconciliation);
    await forgerScenario({
      gatewayUrl: gateway.url, settlementUrl: settlement.url, reconciliationUrl: reconciliation.url, env,
      sale: async () => {
        const { rows: [r] } = await pool.query(saleQuery.replace('FROM events', 'FROM terminal_gateway.events'));
        return { streamId: r.stream_id, version: r.version, payload: r.payload };
      },
      raw: () => rawPgStore(pool, 'terminal_gateway'),
      settled: async () => {
        const { rows: [r] } = await pool.query(settledQuery.replace('FROM events', 'FROM settlement.events'));
        return { streamId: r.stream_id, payload: r.payload };
      },
      rawSettlement: () => rawPgStore(pool, 'settlement'),
      output: () => reconciliation.output(),
    });
  });
});
