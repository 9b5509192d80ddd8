// Lint is where architecture is enforced. A project's tags (in its project.json) say what it may
// import: `scope:*` which bounded contexts, `type:*` which layers (Nx module boundaries, explicit
// non-wildcard constraints) and which npm packages are banned (Nx `bannedExternalImports`); Node
// built-ins, which the Nx rule does not check, are banned by `no-restricted-imports` on the files
// of the projects that carry the tag. So a domain or contracts lib imports no Nest, Express,
// database or broker client, logger, metrics or Node built-in, and loads nothing dynamically; the
// eventing core (`type:core`) none of those but `node:crypto`/`node:events`; application and
// platform no database or broker client; platform never application; adapters never application;
// the audit tool (`type:audit`) reaches stores only through runtime; the browser console (`type:web`)
// runs no server code: it reads the API's answer types from the contracts (type-only) and may use the
// pure money helpers, nothing else of the workspace, and no Node built-in outside its tests. Each of
// these rules is shown failing on a fixture in tools/lint/module-boundaries.unit.spec.ts.
import nx from '@nx/eslint-plugin';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

// Every project's root and tags, read from project.json so a new project is covered by its tag.
const projects = ['apps', 'libs', 'tools'].flatMap(function find(dir) {
  const abs = join(root, dir);
  if (existsSync(join(abs, 'project.json'))) {
    return [{ root: relative(root, abs), tags: JSON.parse(readFileSync(join(abs, 'project.json'), 'utf8')).tags ?? [] }];
  }
  return readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !['node_modules', 'dist', 'src'].includes(e.name))
    .flatMap((e) => find(join(dir, e.name)));
});
const filesTagged = (tag) => projects.filter((p) => p.tags.includes(tag)).flatMap((p) => [`${p.root}/**/*.ts`, `${p.root}/**/*.tsx`]);

// npm packages by kind ('x' also bans its subpaths 'x/...').
const pkgs = (...names) => names.flatMap((n) => (n.endsWith('*') ? [n] : [n, `${n}/*`]));
const FRAMEWORK = pkgs('@nestjs/*', 'express', 'reflect-metadata', '@event-driven-io/*', 'commander');
const STORAGE = pkgs('pg', 'pg-*', 'kafkajs', 'better-sqlite3', 'sqlite3', 'testcontainers', '@testcontainers/*');
const OBSERVABILITY = pkgs('pino', 'pino-*', 'prom-client');

// Node built-ins (bare or `node:`), minus the given ones; `node:sqlite` is the embedded store's driver.
const builtins = (message, { only, except = [] } = {}) => {
  const names = [...new Set(builtinModules.map((m) => m.replace(/^node:/, '').split('/')[0]))];
  const banned = (only ?? names).filter((n) => !except.includes(n));
  return { regex: `^(node:)?(${banned.join('|')})(/.*)?$`, message };
};
const PURE = 'A domain or contracts lib is pure: no I/O, no Node built-ins (time and randomness come in as arguments).';
const CONSOLE_TYPES = 'The console reads the API\'s answer types from the contracts; their code stays on the server (import type).';
const CONSOLE_BROWSER = 'The console runs in a browser: no Node built-in, no test helper.';
const NO_DRIVER = 'Stores and logs are reached through the eventing ports, opened by runtime: no database driver here.';

const dep = (tag, allowed, banned) => ({
  sourceTag: tag,
  onlyDependOnLibsWithTags: allowed,
  ...(banned ? { bannedExternalImports: banned } : {}),
});
const restrict = (tag, ...patterns) => ({
  files: filesTagged(tag),
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});
const MONEY_SYNTAX = [
  { selector: "CallExpression[callee.name='parseFloat']", message: 'Money is bigint minor units.' },
  { selector: "CallExpression[callee.property.name='toFixed']", message: 'Money is bigint minor units.' },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', '**/data/**', '**/.cache/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': ['error', ...MONEY_SYNTAX],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // layers. Domain may see contracts: the events are the domain's published
            // language, defined once as pure data types and zod schemas (no I/O, no framework).
            dep('type:domain', ['type:domain', 'type:contracts'], [...FRAMEWORK, ...STORAGE, ...OBSERVABILITY]),
            dep('type:contracts', ['type:domain', 'type:contracts'], [...FRAMEWORK, ...STORAGE, ...OBSERVABILITY]),
            // The eventing core: store and log ports, hash chain, outbox relay, idempotent consumer,
            // projections. Framework-free; adapters implement its ports, logging comes in as an interface.
            dep('type:core', ['type:domain', 'type:contracts', 'type:core'], [...FRAMEWORK, ...STORAGE, ...OBSERVABILITY]),
            dep('type:application', ['type:domain', 'type:contracts', 'type:core', 'type:application', 'type:platform'], STORAGE),
            // Nest glue (errors, logging, metrics, health) is shared by every context: it never knows one.
            dep('type:platform', ['type:domain', 'type:contracts', 'type:core'], STORAGE),
            // Adapters implement the core's ports; they never see a use case.
            dep('type:infra', ['type:domain', 'type:contracts', 'type:core', 'type:infra', 'type:testing']),
            // Composition of adapters and platform for one process (used by apps only).
            dep('type:runtime', ['type:domain', 'type:contracts', 'type:core', 'type:application', 'type:infra', 'type:platform']),
            dep('type:testing', ['type:domain', 'type:contracts', 'type:core', 'type:application']),
            dep('type:app', ['type:domain', 'type:contracts', 'type:core', 'type:application', 'type:infra', 'type:platform', 'type:runtime', 'type:testing']),
            // The audit CLI runs the use cases on the stores runtime opens for the configured
            // deployment; it never opens a store or a broker itself, nor starts a Nest app.
            dep('type:audit', ['type:domain', 'type:contracts', 'type:core', 'type:application', 'type:platform', 'type:runtime'], [...STORAGE, ...pkgs('@nestjs/*', 'express')]),
            // Tools that speak the terminal protocol (simulator, the jPOS harness) need the core's MAC.
            dep('type:tool', ['type:domain', 'type:contracts', 'type:core', 'type:testing']),
            // Benchmarks measure the adapters themselves (an event store beside Emmett's, say).
            dep('type:bench', ['type:domain', 'type:contracts', 'type:core', 'type:application', 'type:infra', 'type:testing']),
            // The browser console: contracts (types only, below) and pure domain helpers; its browser tests spawn the ledger with the test helpers.
            dep('type:web', ['type:domain', 'type:contracts', 'type:testing'], [...FRAMEWORK, ...STORAGE, ...OBSERVABILITY]),
            // bounded contexts: each sees itself and the shared kernel only
            dep('scope:shared', ['scope:shared']),
            dep('scope:terminal', ['scope:terminal', 'scope:shared']),
            dep('scope:settlement', ['scope:settlement', 'scope:shared']),
            dep('scope:reconciliation', ['scope:reconciliation', 'scope:shared']),
            dep('scope:ledger', ['scope:terminal', 'scope:settlement', 'scope:reconciliation', 'scope:shared']),
            // Tools act as terminals (simulator, bench): they may hold what a terminal holds (its keys,
            // its MAC, its side of ISO 8583), tagged terminal-side, and nothing else of the terminal context.
            dep('scope:tools', ['scope:shared', 'terminal-side']),
            dep('scope:console', ['scope:shared']),
          ],
        },
      ],
    },
  },
  // Node built-ins, which the Nx rule does not see.
  restrict('type:domain', builtins(PURE)),
  restrict('type:contracts', builtins(PURE)),
  restrict('type:core', builtins('The eventing core hashes and signals only; I/O is behind its ports.', { except: ['crypto', 'events'] })),
  restrict('type:application', builtins(NO_DRIVER, { only: ['sqlite'] })),
  restrict('type:platform', builtins(NO_DRIVER, { only: ['sqlite'] })),
  restrict('type:audit', builtins(NO_DRIVER, { only: ['sqlite'] })),
  {
    // Static imports are what the rules above check, so pure code has no other way to load a module.
    files: [...filesTagged('type:domain'), ...filesTagged('type:contracts')],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...MONEY_SYNTAX,
        { selector: 'ImportExpression', message: PURE },
        { selector: "CallExpression[callee.name='require']", message: PURE },
      ],
    },
  },
  {
    // What runs in the browser: no Node built-in, no test helper, and from the contracts and zod only types
    // (the answers' shapes; the ledger validates, the console shows).
    files: projects.filter((p) => p.tags.includes('type:web')).flatMap((p) => [`${p.root}/src/{app,pages}/**/*.{ts,tsx}`, `${p.root}/src/main.tsx`]),
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@pos/contracts', allowTypeImports: true, message: CONSOLE_TYPES },
            { name: 'zod', allowTypeImports: true, message: CONSOLE_TYPES },
          ],
          patterns: [{ regex: builtins(CONSOLE_BROWSER).regex, message: CONSOLE_BROWSER }, { group: ['@pos/testing', '@pos/testing/*'], message: CONSOLE_BROWSER }],
        },
      ],
    },
  },
  {
    // Tests read untyped JSON answers; production code may not use any.
    files: ['**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];
