import type { ServiceStore } from '@pos/eventing';
import type { ClearingBatchSummary, ClearingRecord } from '@pos/reconciliation-domain';

/**
 * Where clearing files live in reconciliation's store. An import streams its lines into
 * collections of its own (`clearing-lines~<importId>`, ...); they count only once the
 * file's entry exists in the `clearing` registry, written with ClearingFileImported in one
 * transaction. A rejected or crashed import has no entry: its collections are invisible, and
 * dropped whole.
 */
export const CLEARING = 'clearing';

export const importCollections = (importId: string) => ({
  lines: `clearing-lines~${importId}`,
  batches: `clearing-batches~${importId}`,
  /** `${terminalId}|${rrn}|${line}`: this import's lines by transaction (late presentments are looked up across files). */
  rrns: `clearing-rrn~${importId}`,
});

export const lineKey = (line: number): string => String(line).padStart(9, '0');

export const CLEARING_KEYS = {
  file: (businessDay: string, fileId: string) => `file|${businessDay}|${fileId}`,
  filesOf: (businessDay: string) => `file|${businessDay}|`,
  allFiles: () => 'file|',
  fileById: (fileId: string) => `fileid|${fileId}`,
  reference: (acquirerId: string, fileReference: string) => `ref|${acquirerId}|${fileReference}`,
} as const;

export interface ClearingFileEntry {
  readonly fileId: string;
  readonly importId: string;
  readonly businessDay: string;
  readonly acquirerId: string;
  readonly fileReference: string;
  readonly records: number;
  readonly batchLines: number;
  readonly sizeBytes: number;
  readonly importedAt: string;
}

export const filesOfDay = async (store: ServiceStore, businessDay: string): Promise<ClearingFileEntry[]> =>
  (await store.listDocuments<ClearingFileEntry>(CLEARING, CLEARING_KEYS.filesOf(businessDay))).map((r) => r.doc);

export const allFiles = async (store: ServiceStore): Promise<ClearingFileEntry[]> =>
  (await store.listDocuments<ClearingFileEntry>(CLEARING, CLEARING_KEYS.allFiles())).map((r) => r.doc);

export const recordsOf = async (store: ServiceStore, importId: string): Promise<ClearingRecord[]> =>
  (await store.listDocuments<ClearingRecord>(importCollections(importId).lines, '')).map((r) => r.doc);

export const batchLinesOf = async (store: ServiceStore, importId: string): Promise<ClearingBatchSummary[]> =>
  (await store.listDocuments<ClearingBatchSummary>(importCollections(importId).batches, '')).map((r) => r.doc);

/** Lines presenting a terminal's `rrn` in any imported file other than those of `exceptDay`. */
export const presentedElsewhere = async (store: ServiceStore, files: readonly ClearingFileEntry[], terminalId: string, rrn: string, exceptDay: string) => {
  const out: Array<{ file: ClearingFileEntry; record: ClearingRecord }> = [];
  for (const file of files) {
    if (file.businessDay === exceptDay) continue;
    const c = importCollections(file.importId);
    for (const { doc } of await store.listDocuments<{ line: number }>(c.rrns, `${terminalId}|${rrn}|`)) {
      const record = await store.getDocument<ClearingRecord>(c.lines, lineKey(doc.line));
      if (record) out.push({ file, record });
    }
  }
  return out;
};
