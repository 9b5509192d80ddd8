import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// One source of truth for import aliases: tsconfig.base.json's paths.
const { compilerOptions } = JSON.parse(readFileSync(resolve(__dirname, 'tsconfig.base.json'), 'utf8'));
// Longest first: Vite matches by prefix, so '@pos/testing' must not shadow '@pos/testing/containers'.
const alias = Object.entries(compilerOptions.paths as Record<string, string[]>)
  .sort(([a], [b]) => b.length - a.length)
  .map(([find, [path]]) => ({ find, replacement: resolve(__dirname, path) }));

const tier = (name: string, include: string, extra: Record<string, unknown> = {}) => ({
  resolve: { alias },
  // Ledgers run in-process log each request at info: warnings and errors are what a test run needs.
  test: { name, include: [include], exclude: ['**/node_modules/**', 'dist/**', '.cache/**'], env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }, ...extra },
});

export default defineConfig({
  test: {
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line; JUnit XML is for CI systems that read it.
    reporters: ['default', ['json', { outputFile: '.cache/vitest-report.json' }], ['junit', { outputFile: '.cache/junit.xml' }]],
    projects: [
      tier('unit', '**/*.unit.spec.ts'),
      // One PostgreSQL and one Kafka for the whole int tier; each spec takes its own database and topics.
      tier('int', '**/*.int.spec.ts', {
        testTimeout: 120_000, hookTimeout: 300_000, fileParallelism: false, globalSetup: ['libs/shared/testing/src/containers/global-setup.ts'],
      }),
      tier('e2e', '**/*.e2e.spec.ts', { testTimeout: 600_000, hookTimeout: 300_000, fileParallelism: false }),
    ],
  },
});
