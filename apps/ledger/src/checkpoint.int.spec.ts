import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKPOINT_EVENTS, CHECKPOINTS_STREAM_ID } from '@pos/contracts';
import { SqliteMessageLog, SqliteServiceStore } from '@pos/embedded';
import { checkpointPublicKeyFrom, checkpointSignerFrom, checkpointTree, FIRST_PREVIOUS_ROOT, type MessageLog, type NewEvent, type ServiceStore, verifyStatement } from '@pos/eventing';
import { KafkaMessageLog } from '@pos/kafka';
import { addDays, businessDayOf, toDate } from '@pos/kernel';
import { PgServiceStore } from '@pos/postgres';
import { CheckpointRecorder, statementOf } from '@pos/reconciliation-application';
import { namespacedLog } from '@pos/testing';
import { sharedKafka, sharedPostgres, type SpecDatabase } from '@pos/testing/shared-containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent } as never;
const ctx = { correlationId: 'c', causationId: 'c', actor: { type: 'system' as const, id: 'test' } };
const unlocked = (terminalId: string, operatorId: string): NewEvent => ({
  type: 'OperatorUnlocked',
  data: { terminalId, merchantId: 'M00000000000001', businessDay: businessDayOf(new Date()), operatorId },
  context: ctx,
  occurredAt: new Date(),
});

interface Harness {
  readonly gateway: ServiceStore;
  readonly reconciliation: ServiceStore;
  readonly log: MessageLog;
  dispose(): Promise<void>;
}

/** The recorder at the cut-off and after it, with its clock injected; the log stamps messages with the real time, today. */
const recorderContract = (name: string, open: () => Promise<Harness>) =>
  describe(`the checkpoint recorder on ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await open();
    });
    afterAll(async () => {
      await h?.dispose();
    });
    const relay = () => h.gateway.publishOutbox(1000, (records) => h.log.publish(records.map((r) => r.message)));

    it('closes a day at its cut-off plus the grace, not before; a late event lands in the next checkpoint; each is signed and chained', async () => {
      const today = businessDayOf(new Date());
      let now = new Date(`${today}T18:00:00.000Z`);
      const seed = randomBytes(32).toString('hex');
      const signer = checkpointSignerFrom(seed, false);
      const recorder = new CheckpointRecorder(h.reconciliation, h.log, signer, { now: () => now }, silent, { graceSeconds: 300 });
      await h.gateway.transaction((tx) => tx.events.append('terminal-T0000001', 0, [unlocked('T0000001', '01'), unlocked('T0000001', '02')]));
      await h.gateway.transaction((tx) => tx.events.append('terminal-T0000002', 0, [unlocked('T0000002', '01')]));
      await relay();

      expect(await recorder.closeDueDays()).toBe(0);
      // A request may not label what the log received today with a day before it arrived.
      await expect(recorder.close('2000-01-01', 'OPERATIONS')).rejects.toMatchObject({ code: 'CHECKPOINT_DAY_INVALID' });
      now = new Date(toDate(addDays(today, 1)).getTime() + 299_000);
      expect(await recorder.closeDueDays(), 'inside the grace').toBe(0);
      now = new Date(toDate(addDays(today, 1)).getTime() + 300_000);
      expect(await recorder.closeDueDays()).toBe(1);
      const first = await recorder.of(today);
      expect(first).toMatchObject({ businessDay: today, sequence: 1, closedBy: 'CUT_OFF', events: 3, treeSize: 5, previousRootHash: FIRST_PREVIOUS_ROOT, keyId: signer.keyId });
      expect(first?.streams.map((s) => [s.streamId, s.service, s.fromVersion, s.toVersion])).toEqual([['terminal-T0000001', 'terminal-gateway', 1, 2], ['terminal-T0000002', 'terminal-gateway', 1, 1]]);
      expect(verifyStatement(statementOf(first!), first!.signature, checkpointPublicKeyFrom(signer.publicKeyHex))).toBe(true);
      expect(verifyStatement({ ...statementOf(first!), treeSize: 4 }, first!.signature, checkpointPublicKeyFrom(signer.publicKeyHex))).toBe(false);
      const stored = [...(await h.gateway.readStoredEvents('terminal-T0000001', 1, 2)), ...(await h.gateway.readStoredEvents('terminal-T0000002', 1, 1))];
      expect(checkpointTree(stored).rootHash).toBe(first?.rootHash);
      expect(await recorder.closeDueDays(), 'a closed day is not closed again').toBe(0);

      // A terminal's late event of the day (committed after the close) is in the next checkpoint: none falls between two.
      await h.gateway.transaction((tx) => tx.events.append('terminal-T0000001', 2, [unlocked('T0000001', '03')]));
      await relay();
      await expect(recorder.close(today, 'OPERATIONS')).rejects.toMatchObject({ code: 'CHECKPOINT_DAY_CLOSED' });
      await expect(recorder.close(addDays(today, 9), 'OPERATIONS')).rejects.toMatchObject({ code: 'CHECKPOINT_DAY_INVALID' });
      now = new Date(toDate(addDays(today, 2)).getTime() + 300_000);
      expect(await recorder.closeDueDays()).toBe(1);
      const second = await recorder.of(addDays(today, 1));
      expect(second).toMatchObject({ sequence: 2, events: 1, previousRootHash: first?.rootHash, log: { from: first?.log.until } });
      expect(second?.streams).toEqual([expect.objectContaining({ streamId: 'terminal-T0000001', fromVersion: 3, toVersion: 3 })]);
      const recorded = await h.reconciliation.readStream(CHECKPOINTS_STREAM_ID, CHECKPOINT_EVENTS);
      expect(recorded.map((e) => [e.data.businessDay, e.data.sequence, e.data.streamCount])).toEqual([[today, 1, 2], [addDays(today, 1), 2, 1]]);
      // The event stays small whatever the day's size: its stream list is kept beside it.
      expect(recorded[0].data).not.toHaveProperty('streams');
      expect(await recorder.latest()).toEqual(second);
    });
  });

recorderContract('the embedded SQLite store and log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'checkpoint-'));
  const gateway = new SqliteServiceStore(join(dir, 'gateway.db'));
  const reconciliation = new SqliteServiceStore(join(dir, 'reconciliation.db'));
  const log = new SqliteMessageLog(join(dir, 'log.db'), 2, 20);
  return {
    gateway, reconciliation, log,
    dispose: async () => {
      await Promise.all([gateway.close(), reconciliation.close(), log.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

let pg: SpecDatabase | undefined;
recorderContract('PostgreSQL stores and Kafka', async () => {
  pg = await sharedPostgres();
  const suffix = randomBytes(4).toString('hex');
  const gateway = await PgServiceStore.open({ schema: `cpgw_${suffix}`, pool: { connectionString: pg.connectionString } });
  const reconciliation = await PgServiceStore.open({ schema: `cprc_${suffix}`, pool: { connectionString: pg.connectionString } });
  const log = namespacedLog(new KafkaMessageLog({ brokers: sharedKafka().brokers, clientId: `checkpoint-${suffix}`, partitions: 3, replicationFactor: 1, log: silent }), `checkpoint-${suffix}`);
  return {
    gateway, reconciliation, log,
    dispose: async () => {
      await Promise.all([gateway.close(), reconciliation.close(), log.close()]);
      await pg?.stop();
    },
  };
});
