import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { breakStreamId, clearingFileStreamId, LEDGER_EVENTS, reconciliationDayStreamId } from '@pos/contracts';
import { SqliteServiceStore } from '@pos/embedded';
import { addDays } from '@pos/kernel';
import { activeCollection, committedDocuments, type ServiceStore } from '@pos/eventing';
import { PgServiceStore } from '@pos/postgres';
import {
  allFiles, applyToReconciliation, ClearingFileRejected, HOST_LEDGER, importClearingFile, loadHostDay, reconcileDay, recordsOf,
} from '@pos/reconciliation-application';
import { type ClearingRecord, DEFAULT_TOLERANCES, type HostTransaction, formatClearingFile, settlementAmountOf, summariseBatches } from '@pos/reconciliation-domain';
import { storedEvent } from '@pos/testing';
import { sharedPostgres, type SpecDatabase } from '@pos/testing/shared-containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalMorning } from './testing/terminal-morning';

const NOW = new Date('2026-11-24T10:00:00Z');
const DAY = '2026-11-24';
// Two later days, each with terminals of its own.
const DAY2 = '2026-11-26';
const DAY3 = '2026-11-27';
const ctx = { actor: { type: 'admin' as const, id: 'test' }, now: () => new Date(), correlationId: 'clearing-test' };

/** Feeds the reconciliation projections (host ledger included) with real terminal mornings, as the live consumer does. */
const feed = async (store: ServiceStore, terminals: readonly string[], now = NOW) => {
  const writer = new SqliteServiceStore(':memory:');
  let offset = 0;
  for (const t of terminals) {
    const context = { correlationId: 'c', causationId: 'c', actor: { type: 'terminal' as const, id: t } };
    const events = terminalMorning(t, [1_000n, 2_345n, 99_999n], now);
    await writer.transaction((tx) => tx.events.append(`terminal-${t}`, 0, events.map((e) => ({ type: e.type, data: e.data, context, occurredAt: now }))));
    const recorded = await writer.readStream(`terminal-${t}`, LEDGER_EVENTS);
    await store.transaction((tx) => applyToReconciliation(recorded.map((event) => ({ event, at: { key: 'pos.terminal.events.v1/0', offset: String(offset++) } })), tx));
  }
  await writer.close();
};

const hostDay = async (store: ServiceStore, day: string) => loadHostDay(committedDocuments(store), await activeCollection(store, HOST_LEDGER), day);

/** The acquirer's file of `day` presenting `txns`, exactly as the host recorded them. */
const fileOf = (day: string, reference: string, txns: readonly HostTransaction[]) => {
  const records: ClearingRecord[] = txns.map((t, i) => ({
    line: i + 3, merchantId: t.merchantId, terminalId: t.terminalId, batchNo: t.batchNo, stan: t.stan, rrn: t.rrn, type: t.kind, maskedPan: t.maskedPan ?? '',
    amount: t.amount, currency: t.currency, fee: t.expectedFee, settlementAmount: settlementAmountOf(t.kind, t.amount, t.expectedFee), transactionTime: t.occurredAt, settlementDate: day,
  }));
  return { records, text: formatClearingFile({ header: { acquirerId: 'ACQ001', fileReference: reference, businessDay: day, createdAt: `${addDays(day, 1)}T02:00:00Z` }, records, summaries: summariseBatches(records) }) };
};

/** The acquirer's file for the host's day, exactly as the host recorded it. */
const cleanFile = async (store: ServiceStore, reference: string) => fileOf(DAY, reference, (await hostDay(store, DAY)).transactions);

const importText = (store: ServiceStore, text: string) => importClearingFile(store, Readable.from([Buffer.from(text)]), ctx);

const clearingSuite = (name: string, open: () => Promise<{ store: ServiceStore; close(): Promise<void> }>) =>
  describe(`clearing-file import (${name})`, () => {
    let store: ServiceStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
      await feed(store, ['T0000001', 'T0000002']);
    });
    afterAll(async () => close?.());

    it('imports a file whole, as one event, and the same file again changes nothing', async () => {
      const { records, text } = await cleanFile(store, 'FILE-1');
      expect(records).toHaveLength(6);
      const first = await importText(store, text);
      expect(first).toMatchObject({ status: 'IMPORTED', businessDay: DAY, records: 6, batchLines: 2, lines: 11 });
      const stored = await recordsOf(store, (await allFiles(store))[0].importId);
      expect(stored.map((r) => [r.rrn, r.amount])).toEqual(records.map((r) => [r.rrn, r.amount]));
      // The file's id is the sha256 of its bytes.
      expect(first.fileId).toBe(createHash('sha256').update(text).digest('hex'));
      expect(await store.readStream(clearingFileStreamId(first.fileId), LEDGER_EVENTS)).toEqual([
        storedEvent(
          'ClearingFileImported',
          {
            fileId: first.fileId, importId: (await allFiles(store))[0].importId, acquirerId: 'ACQ001', fileReference: 'FILE-1', businessDay: DAY,
            createdAt: `${addDays(DAY, 1)}T02:00:00Z`, records: 6, batchLines: 2, controlTotal: 2n * (1_000n + 2_345n + 99_999n), sizeBytes: Buffer.byteLength(text),
          },
          { streamId: clearingFileStreamId(first.fileId), version: 1, actor: ctx.actor, correlationId: ctx.correlationId },
        ),
      ]);

      const position = await store.lastPosition();
      const again = await importText(store, text);
      expect(again).toMatchObject({ status: 'ALREADY_IMPORTED', fileId: first.fileId });
      expect(await store.lastPosition()).toBe(position);
      expect(await allFiles(store)).toHaveLength(1);
    });

    it('matches the imported file against the host: no break, and the day is reconciled', async () => {
      const run = await reconcileDay(store, DAY, DEFAULT_TOLERANCES, ctx);
      expect(run.breaks).toEqual([]);
      expect(run).toMatchObject({ reconciled: true, openBreaks: 0, hostTransactions: 6, acquirerRecords: 6 });
      const day = await store.readStream(`reconciliation-day-${DAY}`, LEDGER_EVENTS);
      expect(day.map((e) => e.type)).toEqual(['ReconciliationRunCompleted', 'DayReconciled']);
    });

    it('refuses a file whose trailer disagrees, or that reuses a file reference, and keeps nothing of it', async () => {
      const position = await store.lastPosition();
      const { text } = await cleanFile(store, 'FILE-2');
      const lines = text.trimEnd().split('\n');
      lines[lines.length - 1] = lines[lines.length - 1].replace(/^TRAILER,6,/, 'TRAILER,7,');
      const error = await importText(store, `${lines.join('\n')}\n`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClearingFileRejected);
      expect((error as ClearingFileRejected).errors).toEqual([expect.objectContaining({ line: lines.length, code: 'TRAILER_MISMATCH' })]);

      // Same acquirer reference, other content (a different created-at).
      const reused = await importText(store, (await cleanFile(store, 'FILE-1')).text.replace('2026-11-25T02:00:00Z', '2026-11-25T03:00:00Z')).catch((e: unknown) => e);
      expect((reused as ClearingFileRejected).errors).toEqual([expect.objectContaining({ line: 1, code: 'FILE_REFERENCE_REUSED' })]);
      expect(await store.lastPosition()).toBe(position);
      expect(await allFiles(store)).toHaveLength(1);
    });

    it('refuses broken CSV quoting at the line where it is, having checked every line before it, and nothing after', async () => {
      const position = await store.lastPosition();
      const { records } = await cleanFile(store, 'x');
      const many: ClearingRecord[] = Array.from({ length: 66 }, (_, i) => ({ ...records[i % records.length], rrn: String(800_000_000_000 + i), stan: String(i + 1).padStart(6, '0') }));
      const lines = formatClearingFile({ header: { acquirerId: 'ACQ001', fileReference: 'QUOTE-1', businessDay: DAY, createdAt: '2026-11-25T02:00:00Z' }, records: many, summaries: summariseBatches(many) }).trimEnd().split('\n');
      expect(lines).toHaveLength(71);
      const broken = (quoted: (line: string) => string) => `${lines.map((l, i) => (i === 4 ? l.replace(',CNY,', ',XYZ,') : i === 9 ? quoted(l) : l)).join('\n')}\n`;
      const refusal = async (text: string) => ((await importText(store, text).catch((e: unknown) => e)) as ClearingFileRejected).errors;

      // A quote that opens a field and is never closed: the CSV reader runs on to the end of the file.
      const unclosed = await refusal(broken((l) => l.replace(',CNY,', ',"CNY,')));
      expect(unclosed.map((e) => [e.line, e.code])).toEqual([[5, 'CURRENCY_UNKNOWN'], [10, 'LINE_MALFORMED']]);
      expect(unclosed[1].message).toMatch(/quote/);
      expect(unclosed[1].message).not.toMatch(/line (9|71|72)\b/);
      // A quote inside a field, and a closing quote followed by more text.
      for (const quoted of [(l: string) => l.replace(',CNY,', ',C"NY,'), (l: string) => l.replace(',CNY,', ',"CN"Y,')])
        expect((await refusal(broken(quoted))).map((e) => [e.line, e.code])).toEqual([[5, 'CURRENCY_UNKNOWN'], [10, 'LINE_MALFORMED']]);
      expect(await store.lastPosition()).toBe(position);
    });

    it('streams a large file in batches and reports its rate', async () => {
      const { records } = await cleanFile(store, 'x');
      // 20,000 lines presenting copies under fresh RRNs: the import validates and stores, matching is not the point here.
      const many: ClearingRecord[] = Array.from({ length: 20_000 }, (_, i) => ({ ...records[i % records.length], rrn: String(900_000_000_000 + i), stan: String((i % 999_999) + 1).padStart(6, '0') }));
      const text = formatClearingFile({ header: { acquirerId: 'ACQ001', fileReference: 'BIG-1', businessDay: DAY, createdAt: '2026-11-25T02:00:00Z' }, records: many, summaries: summariseBatches(many) });
      const r = await importText(store, text);
      expect(r).toMatchObject({ status: 'IMPORTED', records: 20_000 });
      expect(await recordsOf(store, (await allFiles(store)).find((f) => f.fileReference === 'BIG-1')!.importId)).toHaveLength(20_000);
      console.log(`${name}: imported ${r.lines} lines in ${Math.round(r.seconds * 1000)} ms (${Math.round(r.linesPerSecond)} lines/s)`);
    });

    it("lists another day's late presentment under that day, and the day of the file is reconciled without it", async () => {
      await feed(store, ['T0000003'], new Date(`${DAY2}T10:00:00Z`));
      await feed(store, ['T0000004'], new Date(`${DAY3}T10:00:00Z`));
      const [late, ...onTime] = (await hostDay(store, DAY2)).transactions;
      await importText(store, fileOf(DAY2, 'D2-1', onTime).text);
      await importText(store, fileOf(DAY3, 'D3-1', [...(await hostDay(store, DAY3)).transactions, late]).text);

      const run = await reconcileDay(store, DAY3, DEFAULT_TOLERANCES, ctx);
      expect(run.breaks.map((b) => [b.type, b.businessDay, b.terminalId, b.rrn])).toEqual([['LATE_PRESENTMENT', DAY2, 'T0000003', late.rrn]]);
      expect(run).toMatchObject({ reconciled: true, openBreaks: 0 });
      expect((await store.readStream(breakStreamId(run.breaks[0].breakId), LEDGER_EVENTS))[0].data).toMatchObject({ businessDay: DAY2 });
      // The day of the transaction finds the same break, and it holds that day open.
      const own = await reconcileDay(store, DAY2, DEFAULT_TOLERANCES, ctx);
      expect(own.breaks.map((b) => [b.breakId, b.businessDay])).toEqual([[run.breaks[0].breakId, DAY2]]);
      expect(own).toMatchObject({ reconciled: false, openBreaks: 1 });
    });

    it('reconciles a day once: a re-run records nothing, until something new for the day reopens it', async () => {
      const dayStream = async () => (await store.readStream(reconciliationDayStreamId(DAY3), LEDGER_EVENTS)).map((e) => e.type);
      const rerunChangesNothing = async () => {
        const position = await store.lastPosition();
        expect(await reconcileDay(store, DAY3, DEFAULT_TOLERANCES, ctx)).toMatchObject({ reconciled: true, openBreaks: 0, recorded: false });
        expect(await store.lastPosition()).toBe(position);
      };
      expect(await dayStream()).toEqual(['ReconciliationRunCompleted', 'DayReconciled']);
      await rerunChangesNothing();

      // A late host event: another terminal's sales of the day, which no file presents yet.
      await feed(store, ['T0000005'], new Date(`${DAY3}T10:00:00Z`));
      const reopened = await reconcileDay(store, DAY3, DEFAULT_TOLERANCES, ctx);
      // (With the late presentment of the day before, seen in this day's file and that day's to resolve.)
      expect(reopened.breaks.map((b) => [b.type, b.terminalId, b.businessDay])).toEqual([
        ['LATE_PRESENTMENT', 'T0000003', DAY2], ...Array.from({ length: 3 }, () => ['MISSING_AT_ACQUIRER', 'T0000005', DAY3]),
      ]);
      expect(reopened).toMatchObject({ reconciled: false, openBreaks: 3, recorded: true });
      // A new clearing file for the day presents them: the next run reconciles it again.
      const t5 = (await hostDay(store, DAY3)).transactions.filter((t) => t.terminalId === 'T0000005');
      await importText(store, fileOf(DAY3, 'D3-2', t5).text);
      expect(await reconcileDay(store, DAY3, DEFAULT_TOLERANCES, ctx)).toMatchObject({ reconciled: true, clearedBreaks: 3, openBreaks: 0, recorded: true });
      expect(await dayStream()).toEqual(['ReconciliationRunCompleted', 'DayReconciled', 'ReconciliationRunCompleted', 'ReconciliationRunCompleted', 'DayReconciled']);
      await rerunChangesNothing();
    });
  });

clearingSuite('embedded SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clearing-'));
  const store = new SqliteServiceStore(join(dir, 'reconciliation.db'));
  return { store, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});

let pg: SpecDatabase | undefined;
afterAll(async () => pg?.stop());
clearingSuite('PostgreSQL', async () => {
  pg = await sharedPostgres();
  const store = await PgServiceStore.open({ schema: `rc_${randomBytes(3).toString('hex')}`, pool: { connectionString: pg.connectionString } });
  return { store, close: () => store.close() };
});
