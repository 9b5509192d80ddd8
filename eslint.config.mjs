// Lint is where architecture is enforced: Nx module boundaries with explicit
// (non-wildcard) tag constraints, so a domain lib cannot import Nest or infra.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const dep = (tag, allowed) => ({ sourceTag: tag, onlyDependOnLibsWithTags: allowed });

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', '**/data/**', '**/.cache/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='parseFloat']", message: 'Money is bigint minor units.' },
        { selector: "CallExpression[callee.property.name='toFixed']", message: 'Money is bigint minor units.' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // layers. Domain may see contracts: the events are the domain's published
            // language, defined once as pure data types and zod schemas (no I/O, no framework).
            dep('type:domain', ['type:domain', 'type:contracts']),
            dep('type:contracts', ['type:domain', 'type:contracts']),
            dep('type:application', ['type:domain', 'type:contracts', 'type:application', 'type:platform']),
            dep('type:infra', ['type:domain', 'type:contracts', 'type:application', 'type:infra', 'type:testing']),
            dep('type:platform', ['type:domain', 'type:contracts', 'type:application']),
            // Composition of adapters and platform for one process (used by apps only).
            dep('type:runtime', ['type:domain', 'type:contracts', 'type:application', 'type:infra', 'type:platform']),
            dep('type:testing', ['type:domain', 'type:contracts', 'type:application', 'type:infra']),
            dep('type:app', ['type:domain', 'type:contracts', 'type:application', 'type:infra', 'type:platform', 'type:runtime', 'type:testing']),
            dep('type:tool', ['type:domain', 'type:contracts', 'type:testing']),
            // Benchmarks measure the adapters themselves (an event store beside Emmett's, say).
            dep('type:bench', ['type:domain', 'type:contracts', 'type:application', 'type:infra', 'type:testing']),
            // bounded contexts: each sees itself and the shared kernel only
            dep('scope:shared', ['scope:shared']),
            dep('scope:terminal', ['scope:terminal', 'scope:shared']),
            dep('scope:settlement', ['scope:settlement', 'scope:shared']),
            dep('scope:reconciliation', ['scope:reconciliation', 'scope:shared']),
            dep('scope:ledger', ['scope:terminal', 'scope:settlement', 'scope:reconciliation', 'scope:shared']),
            dep('scope:tools', ['scope:shared']),
          ],
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
