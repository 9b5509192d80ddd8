import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { type ClearingFileImported, clearingFileStreamId } from '@pos/contracts';
import { activeCollection, committedDocuments, type ServiceStore } from '@pos/eventing';
import { ConcurrencyError, DomainError } from '@pos/kernel';
import {
  type ClearingBatchSummary, clearingCsv, type ClearingFileHeader, ClearingFileReader, type ClearingRecord, type ClearingTrailer, ReconciliationErrors,
} from '@pos/reconciliation-domain';

/** A reason a file is refused, at its line: the format's codes, and the ledger's (unknown terminal, merchant or day; a reused file reference). */
export interface ImportLineError {
  readonly line: number;
  readonly code: string;
  readonly message: string;
}
import { HOST_KEYS, HOST_LEDGER, type TerminalDirectoryEntry } from '../host-ledger/host-ledger.projector';
import type { RunContext } from '../reconcile-day/reconcile-day';
import { CLEARING, CLEARING_KEYS, type ClearingFileEntry, importCollections, lineKey } from './clearing-store';

/** A file that is not accepted whole: every reason with its line number; nothing was kept. */
export class ClearingFileRejected extends DomainError {
  constructor(
    readonly errors: readonly ImportLineError[],
    readonly errorCount: number,
  ) {
    super(ReconciliationErrors.CLEARING_FILE_REJECTED.spec, `clearing file rejected: ${errorCount} error${errorCount === 1 ? '' : 's'}, first at line ${errors[0]?.line}: ${errors[0]?.message}`, {
      errorCount,
      errors,
    });
    this.name = 'ClearingFileRejected';
  }
}

export interface ImportResult {
  readonly status: 'IMPORTED' | 'ALREADY_IMPORTED';
  readonly fileId: string;
  readonly businessDay: string;
  readonly acquirerId: string;
  readonly fileReference: string;
  readonly records: number;
  readonly batchLines: number;
  readonly lines: number;
  readonly sizeBytes: number;
  readonly seconds: number;
  readonly linesPerSecond: number;
}

export interface ImportOptions extends RunContext {
  /** Errors listed (all are counted). */
  readonly maxErrors?: number;
  /** Lines per store transaction while streaming. */
  readonly batchSize?: number;
  readonly onProgress?: (lines: number, bytes: number) => void;
}

/**
 * Imports an acquirer clearing file from a stream in bounded memory: each line is parsed,
 * validated (format, merchant and terminal known to the ledger, business day known) and
 * written in batches to collections of this import only; ClearingFileImported and the file's
 * registry entry commit together at the end, so a rejected file leaves nothing behind, and
 * the same file imported twice (same sha256) changes nothing.
 */
export const importClearingFile = async (store: ServiceStore, input: Readable, o: ImportOptions): Promise<ImportResult> => {
  const started = performance.now();
  const maxErrors = o.maxErrors ?? 1000;
  const batchSize = o.batchSize ?? 2000;
  const importId = randomUUID();
  const c = importCollections(importId);
  const reader = committedDocuments(store);
  const hostCollection = await activeCollection(store, HOST_LEDGER);

  const errors: ImportLineError[] = [];
  let errorCount = 0;
  const fail = (e: ImportLineError) => {
    errorCount++;
    if (errors.length < maxErrors) errors.push(e);
  };
  // The ledger's terminals and merchants, read once: a file names thousands of lines, not of terminals.
  const terminals = new Map((await reader.list<TerminalDirectoryEntry>(hostCollection, HOST_KEYS.terminal(''))).map((r) => [r.doc.terminalId, r.doc.merchantId]));
  const merchants = new Set(terminals.values());
  const knownParty = (line: number, merchantId: string, terminalId: string) => {
    const owner = terminals.get(terminalId);
    if (!merchants.has(merchantId)) fail({ line, code: 'MERCHANT_UNKNOWN', message: `merchant ${merchantId} is not known to the ledger` });
    else if (!owner) fail({ line, code: 'TERMINAL_UNKNOWN', message: `terminal ${terminalId} is not registered with the ledger` });
    else if (owner !== merchantId) fail({ line, code: 'TERMINAL_MERCHANT_MISMATCH', message: `terminal ${terminalId} belongs to merchant ${owner}, not ${merchantId}` });
  };

  const hash = createHash('sha256');
  let sizeBytes = 0;
  input.on('data', (chunk: Buffer | string) => {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    hash.update(b);
    sizeBytes += b.length;
  });
  const csv = clearingCsv();
  const rows = input.pipe(parse(csv.options));

  let header: ClearingFileHeader | undefined;
  let trailer: ClearingTrailer | undefined;
  let records = 0;
  let batchLines = 0;
  let lines = 0;
  let pending: { lines: ClearingRecord[]; batches: ClearingBatchSummary[] } = { lines: [], batches: [] };
  const flush = async () => {
    const { lines: ls, batches } = pending;
    pending = { lines: [], batches: [] };
    if (errorCount > 0 || (ls.length === 0 && batches.length === 0)) return;
    await store.transaction(async (tx) => {
      await tx.documents.putMany(c.lines, ls.map((r) => ({ key: lineKey(r.line), doc: r })));
      await tx.documents.putMany(c.rrns, ls.map((r) => ({ key: `${r.terminalId}|${r.rrn}|${lineKey(r.line)}`, doc: { line: r.line } })));
      await tx.documents.putMany(c.batches, batches.map((b) => ({ key: lineKey(b.line), doc: b })));
    });
  };
  const drop = () => store.transaction(async (tx) => {
    for (const collection of Object.values(c)) await tx.documents.clear(collection);
  });

  const fileReader = new ClearingFileReader();
  try {
    for await (const record of rows as AsyncIterable<string[]>) {
      const { fields, line } = csv.row(record);
      lines = line;
      const r = fileReader.line(fields, line);
      switch (r.kind) {
        case 'error':
          r.errors.forEach(fail);
          break;
        case 'header':
          header = r.header;
          if (!(await reader.get(hostCollection, HOST_KEYS.day(header.businessDay))))
            fail({ line, code: 'FILE_DAY_UNKNOWN', message: `the ledger has no business day ${header.businessDay}` });
          break;
        case 'detail':
          knownParty(line, r.record.merchantId, r.record.terminalId);
          pending.lines.push(r.record);
          records++;
          break;
        case 'batch':
          knownParty(line, r.summary.merchantId, r.summary.terminalId);
          pending.batches.push(r.summary);
          batchLines++;
          break;
        case 'trailer':
          trailer = r.trailer;
          break;
        default:
          break;
      }
      if (pending.lines.length + pending.batches.length >= batchSize) await flush();
      if (line % 10_000 === 0) o.onProgress?.(line, sizeBytes);
    }
  } catch (e) {
    // The input itself failed (CSV syntax errors are the parser's fault(), not a throw): the file was not read to its end.
    const at = (e as { lines?: number }).lines ?? lines + 1;
    fail({ line: at, code: 'LINE_MALFORMED', message: e instanceof Error ? e.message : String(e) });
  }
  fileReader.finish(csv.fault()).forEach(fail);
  if (errorCount === 0) await flush();
  o.onProgress?.(lines, sizeBytes);
  if (errorCount > 0 || !header) {
    await drop();
    throw new ClearingFileRejected(errors, Math.max(errorCount, 1));
  }

  const fileId = hash.digest('hex');
  const h = header;
  const result = (status: ImportResult['status']): ImportResult => {
    const seconds = (performance.now() - started) / 1000;
    return { status, fileId, businessDay: h.businessDay, acquirerId: h.acquirerId, fileReference: h.fileReference, records, batchLines, lines, sizeBytes, seconds, linesPerSecond: lines / Math.max(seconds, 1e-9) };
  };
  try {
    const status = await store.transaction(async (tx) => {
      if (await tx.documents.get(CLEARING, CLEARING_KEYS.fileById(fileId))) return 'ALREADY_IMPORTED' as const;
      const sameReference = await tx.documents.get<{ fileId: string }>(CLEARING, CLEARING_KEYS.reference(h.acquirerId, h.fileReference));
      if (sameReference)
        throw new ClearingFileRejected([{ line: 1, code: 'FILE_REFERENCE_REUSED', message: `acquirer ${h.acquirerId} file ${h.fileReference} was already imported with other content (file ${sameReference.fileId})` }], 1);
      const data: ClearingFileImported['data'] = {
        fileId, importId, acquirerId: h.acquirerId, fileReference: h.fileReference, businessDay: h.businessDay, createdAt: h.createdAt, records, batchLines,
        controlTotal: trailer?.controlTotal ?? 0n, sizeBytes,
      };
      await tx.events.append(clearingFileStreamId(fileId), 0, [
        { type: 'ClearingFileImported', data, occurredAt: o.now(), context: { correlationId: o.correlationId, causationId: o.correlationId, actor: o.actor } },
      ]);
      const entry: ClearingFileEntry = { fileId, importId, businessDay: h.businessDay, acquirerId: h.acquirerId, fileReference: h.fileReference, records, batchLines, sizeBytes, importedAt: o.now().toISOString() };
      await tx.documents.put(CLEARING, CLEARING_KEYS.file(h.businessDay, fileId), entry);
      await tx.documents.put(CLEARING, CLEARING_KEYS.fileById(fileId), entry);
      await tx.documents.put(CLEARING, CLEARING_KEYS.reference(h.acquirerId, h.fileReference), { fileId });
      return 'IMPORTED' as const;
    });
    if (status === 'ALREADY_IMPORTED') await drop();
    return result(status);
  } catch (e) {
    await drop();
    // Two imports of the same file at once: the other one won.
    if (e instanceof ConcurrencyError) return result('ALREADY_IMPORTED');
    throw e;
  }
};
