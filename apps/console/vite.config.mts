import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The workspace's aliases (tsconfig.base.json) so the console can use the pure money helpers.
const root = resolve(import.meta.dirname, '../..');
const { compilerOptions } = JSON.parse(readFileSync(resolve(root, 'tsconfig.base.json'), 'utf8'));
const alias = Object.entries(compilerOptions.paths as Record<string, string[]>)
  .sort(([a], [b]) => b.length - a.length)
  .map(([find, [path]]) => ({ find, replacement: resolve(root, path) }));

// Served by the ledger at /console/ with a strict CSP (default-src 'self'): no inline script, no inline style.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  resolve: { alias },
  logLevel: 'warn',
  build: { outDir: resolve(import.meta.dirname, 'dist'), emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
});
