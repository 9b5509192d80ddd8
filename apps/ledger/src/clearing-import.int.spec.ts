import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { clearingFileStreamId } from '@pos/contracts';
import { SqliteServiceStore } from '@pos/embedded';
import { activeCollection, committedDocuments, type ServiceStore } from '@pos/eventing';
import { PgServiceStore } from '@pos/postgres';
import {
  allFiles, applyToReconciliation, ClearingFileRejected, HOST_LEDGER, importClearingFile, loadHostDay, reconcileDay, recordsOf,
} from '@pos/reconciliation-application';
import { type ClearingRecord, DEFAULT_TOLERANCES, formatClearingFile, settlementAmountOf, summariseBatches } from '@pos/reconciliation-domain';
import { startPostgres, type StartedPostgres } from '@pos/testing/containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalMorning } from './testing/terminal-morning';

const NOW = new Date('2026-11-24T10:00:00Z');
const DAY = '2026-11-24';
const ctx = { actor: { type: 'admin' as const, id: 'test' }, now: () => new Date(), correlationId: 'clearing-test' };

/** Feeds the reconciliation projections (host ledger included) with real terminal mornings, as the live consumer does. */
const feed = async (store: ServiceStore, terminals: readonly string[]) => {
  const writer = new SqliteServiceStore(':memory:');
  let offset = 0;
  for (const t of terminals) {
    const context = { correlationId: 'c', causationId: 'c', actor: { type: 'terminal' as const, id: t } };
    const events = terminalMorning(t, [1_000n, 2_345n, 99_999n], NOW);
    const recorded = await writer.transaction((tx) => tx.events.append(`terminal-${t}`, 0, events.map((e) => ({ type: e.type, data: e.data, context, occurredAt: NOW }))));
    await store.transaction((tx) => applyToReconciliation(recorded.map((event) => ({ event, at: { key: 'pos.terminal.events.v1/0', offset: String(offset++) } })), tx));
  }
  await writer.close();
};

/** The acquirer's file for the host's day, exactly as the host recorded it. */
const cleanFile = async (store: ServiceStore, reference: string) => {
  const host = await loadHostDay(committedDocuments(store), await activeCollection(store, HOST_LEDGER), DAY);
  const records: ClearingRecord[] = host.transactions.map((t, i) => ({
    line: i + 3, merchantId: t.merchantId, terminalId: t.terminalId, batchNo: t.batchNo, stan: t.stan, rrn: t.rrn, type: t.kind, maskedPan: t.maskedPan ?? '',
    amount: t.amount, currency: t.currency, fee: t.expectedFee, settlementAmount: settlementAmountOf(t.kind, t.amount, t.expectedFee), transactionTime: t.occurredAt, settlementDate: DAY,
  }));
  return { records, text: formatClearingFile({ header: { acquirerId: 'ACQ001', fileReference: reference, businessDay: DAY, createdAt: '2026-11-25T02:00:00Z' }, records, summaries: summariseBatches(records) }) };
};

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
      const events = await store.readStream(clearingFileStreamId(first.fileId));
      expect(events.map((e) => e.type)).toEqual(['ClearingFileImported']);
      expect(events[0].data).toMatchObject({ records: 6, controlTotal: 2n * (1_000n + 2_345n + 99_999n) });

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
      const day = await store.readStream(`reconciliation-day-${DAY}`);
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
  });

clearingSuite('embedded SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clearing-'));
  const store = new SqliteServiceStore(join(dir, 'reconciliation.db'));
  return { store, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});

let pg: StartedPostgres | undefined;
afterAll(async () => pg?.stop());
clearingSuite('PostgreSQL', async () => {
  pg = await startPostgres();
  const store = await PgServiceStore.open({ schema: `rc_${randomBytes(3).toString('hex')}`, pool: { connectionString: pg.connectionString } });
  return { store, close: () => store.close() };
});
