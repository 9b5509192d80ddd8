import { writeFileSync } from 'node:fs';
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import { toJsonSafe } from '@pos/kernel';

/** JSON with bigints as decimal strings, pretty-printed. */
export const jsonText = (value: unknown): string => `${JSON.stringify(toJsonSafe(value), null, 2)}\n`;

/** The result goes to `--output FILE` when given, else stdout; progress and notes go to stderr. */
export const emit = (text: string, output?: string): void => {
  if (output) {
    writeFileSync(output, text);
    process.stderr.write(`wrote ${output}\n`);
  } else process.stdout.write(text);
};

const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false });
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** Durations and sizes for people (never money: that is bigint, formatted by @pos/money). */
export const fixed2 = (n: number): string => twoDecimals.format(n);
export const whole = (n: number): string => grouped.format(n);

export const note = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Documents of any projection as flat rows: top-level fields as columns, nested values as JSON. */
const flatten = (rows: ReadonlyArray<{ key: string; doc: unknown }>) => {
  const columns = new Set<string>();
  const flat = rows.map(({ key, doc }) => {
    const safe = toJsonSafe(doc);
    const fields: Record<string, string> = { key };
    if (safe && typeof safe === 'object' && !Array.isArray(safe))
      for (const [k, v] of Object.entries(safe)) {
        columns.add(k);
        fields[k] = v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
      }
    else fields.value = JSON.stringify(safe);
    return fields;
  });
  const header = ['key', ...columns];
  return { header, rows: flat.map((f) => header.map((h) => f[h] ?? '')) };
};

export const documentsCsv = (rows: ReadonlyArray<{ key: string; doc: unknown }>): string => {
  const { header, rows: body } = flatten(rows);
  return stringify([header, ...body]);
};

export const documentsTable = (rows: ReadonlyArray<{ key: string; doc: unknown }>): string => {
  const { header, rows: body } = flatten(rows);
  const table = new Table({ head: header, style: { head: [], border: [] } });
  table.push(...body);
  return `${table.toString()}\n`;
};

export const keyValueTable = (pairs: ReadonlyArray<[string, string]>): string => {
  const table = new Table({ style: { head: [], border: [] } });
  table.push(...pairs.map(([k, v]) => ({ [k]: v })));
  return `${table.toString()}\n`;
};

export const grid = (head: readonly string[], rows: ReadonlyArray<readonly string[]>): string => {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  table.push(...rows.map((r) => [...r]));
  return `${table.toString()}\n`;
};
