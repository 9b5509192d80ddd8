// Bundles each app (and the simulator) with esbuild: tsconfig paths resolved,
// node_modules left external, legacy decorators as in tsconfig; then the operations
// console (apps/console, a browser app) with Vite into apps/console/dist, which the ledger serves.
import { build } from 'esbuild';
import { build as buildConsole } from 'vite';

const entries = {
  'apps/ledger/main': 'apps/ledger/src/main.ts',
  'apps/ledger/background': 'apps/ledger/src/background.ts',
  'apps/ledger/migrate': 'apps/ledger/src/migrate.ts',
  'apps/terminal-gateway/main': 'apps/terminal-gateway/src/main.ts',
  'apps/settlement/main': 'apps/settlement/src/main.ts',
  'apps/reconciliation/main': 'apps/reconciliation/src/main.ts',
  'tools/simulator/main': 'tools/simulator/src/main.ts',
  'tools/audit/main': 'tools/audit/src/main.ts',
  'tools/clearing/main': 'tools/clearing/src/main.ts',
  'tools/bench/pipeline': 'tools/bench/src/pipeline.bench.ts',
  'tools/bench/load': 'tools/bench/src/load.bench.ts',
  'tools/bench/store': 'tools/bench/src/store.bench.ts',
  'tools/bench/replay': 'tools/bench/src/replay.bench.ts',
  'tools/bench/clearing-import': 'tools/bench/src/clearing-import.bench.ts',
};

await Promise.all(
  Object.entries(entries).map(([out, entry]) =>
    build({
      entryPoints: [entry],
      outfile: `dist/${out}.js`,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node24',
      packages: 'external',
      sourcemap: true,
      tsconfig: 'tsconfig.json',
      logLevel: 'warning',
    }),
  ),
);
console.error(`built ${Object.keys(entries).length} bundles into dist/`);
await buildConsole({ configFile: 'apps/console/vite.config.mts', logLevel: 'warn' });
console.error('built the console into apps/console/dist/');
