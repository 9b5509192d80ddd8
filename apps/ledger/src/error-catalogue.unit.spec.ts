import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectionErrors } from '@pos/eventing';
import { Iso8583Errors } from '@pos/iso8583';
import { catalogueEntries, type ErrorSpec, KernelErrors } from '@pos/kernel';
import { EdgeErrors, httpStatusOf } from '@pos/platform';
import { ReconciliationErrors } from '@pos/reconciliation-domain';
import { SettlementErrors } from '@pos/settlement-domain';
import { TerminalErrors } from '@pos/terminal-domain';
import { TerminalKeyErrors } from '@pos/terminal-keys';
import { describe, expect, it } from 'vitest';

const CATALOGUES = { TerminalErrors, TerminalKeyErrors, SettlementErrors, ReconciliationErrors, EdgeErrors, ProjectionErrors, KernelErrors, Iso8583Errors };

interface Row {
  readonly codes: readonly string[];
  readonly cells: Readonly<Record<string, string>>;
}
interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly Row[];
}

/** The markdown tables of docs/errors.md: columns by header, and the codes each row's first cell names. */
const tablesOf = (markdown: string): Table[] => {
  const lines = markdown.split('\n');
  const cellsOf = (line: string) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const tables: Table[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i].startsWith('|') || !/^\|(\s*-+\s*\|)+$/.test(lines[i + 1].trim())) continue;
    const columns = cellsOf(lines[i]);
    const rows: Row[] = [];
    for (i += 2; i < lines.length && lines[i].startsWith('|'); i++) {
      const cells = cellsOf(lines[i]);
      rows.push({ codes: [...cells[0].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]), cells: Object.fromEntries(columns.map((c, k) => [c, cells[k] ?? ''])) });
    }
    tables.push({ columns, rows });
  }
  return tables;
};

describe('the error catalogues and docs/errors.md', () => {
  const specs = Object.entries(CATALOGUES).flatMap(([name, catalogue]) => catalogueEntries(catalogue).map((spec) => ({ name, spec })));
  const byCode = new Map<string, ErrorSpec>(specs.map(({ spec }) => [spec.code, spec]));
  const tables = tablesOf(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'errors.md'), 'utf8'));
  // The tables of codes an API or a consumer answers (the CLI's and the clearing lines' codes are other catalogues).
  const answered = tables.filter((t) => t.columns.includes('HTTP') || t.columns.includes('response code'));
  const rows = answered.flatMap((t) => t.rows);

  it('define each code once', () => {
    const codes = specs.map(({ spec }) => spec.code);
    expect(codes.filter((c, i) => codes.indexOf(c) !== i)).toEqual([]);
  });

  it('are listed, code for code: every catalogued code is documented, and every documented code is catalogued', () => {
    const documented = new Set(tables.flatMap((t) => t.rows.flatMap((r) => r.codes)));
    expect(specs.filter(({ spec }) => !documented.has(spec.code)).map(({ name, spec }) => `${name}.${spec.code}`)).toEqual([]);
    expect(rows.flatMap((r) => r.codes).filter((c) => !byCode.has(c))).toEqual([]);
  });

  it('document the response code and the HTTP status each code is answered with', () => {
    const wrong: string[] = [];
    for (const row of rows)
      for (const code of row.codes) {
        const spec = byCode.get(code);
        if (!spec) continue;
        const responseCode = row.cells['response code'];
        if (responseCode !== undefined && responseCode !== spec.responseCode) wrong.push(`${code}: response code ${responseCode}, catalogue ${spec.responseCode}`);
        const http = row.cells.HTTP;
        if (http === undefined) continue;
        const documented = [...http.matchAll(/\b\d{3}\b/g)].map((m) => Number(m[0])).sort();
        const answeredWith = [...new Set([spec.kind, ...(spec.alsoKinds ?? [])].map((k) => httpStatusOf(code, k)))].sort();
        if (documented.join() !== answeredWith.join()) wrong.push(`${code}: HTTP ${documented.join('/')}, answered ${answeredWith.join('/')}`);
      }
    expect(wrong).toEqual([]);
  });
});
