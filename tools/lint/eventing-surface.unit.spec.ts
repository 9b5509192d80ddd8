import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The eventing core is imported by every layer above the domain, so whatever its barrel exports
// becomes a dependency somebody can take: it exports what other projects use and nothing else.
const root = resolve(__dirname, '../..');
const LIB = 'libs/shared/eventing';

const sources = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return ['node_modules', 'dist', '.nx', '.cache'].includes(e.name) ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });

/** Names other projects import (or re-export) from '@pos/eventing'. */
const importedElsewhere = (): Set<string> => {
  const names = new Set<string>();
  for (const file of ['libs', 'apps', 'tools'].flatMap(sources)) {
    if (!relative(LIB, file).startsWith('..')) continue;
    const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest);
    for (const st of source.statements) {
      if (!(ts.isImportDeclaration(st) || ts.isExportDeclaration(st))) continue;
      if (!st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier) || st.moduleSpecifier.text !== '@pos/eventing') continue;
      const bindings = ts.isImportDeclaration(st) ? st.importClause?.namedBindings : st.exportClause;
      if (bindings && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings))) {
        for (const e of bindings.elements) names.add((e.propertyName ?? e.name).text);
      }
    }
  }
  return names;
};

const exported = (): string[] => {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const index = join(root, LIB, 'src/index.ts');
  // Only the lib's own files matter here: no ambient types, no type checking.
  const program = ts.createProgram([index], { ...options, noEmit: true, types: [], noLib: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  return checker.getExportsOfModule(module).map((s) => s.name);
};

describe('@pos/eventing', () => {
  it('exports only what other projects import', () => {
    const used = importedElsewhere();
    expect(used.size).toBeGreaterThan(0);
    expect(exported().filter((name) => !used.has(name)).sort()).toEqual([]);
  }, 60_000);
});
