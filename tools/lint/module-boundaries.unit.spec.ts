import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// Each fixture is linted as if it were a file in the project it names (the file need not exist)
// by the repository's own eslint.config.mjs, the one `npm run lint` uses.
const root = resolve(__dirname, '../..');
const file = {
  domain: 'libs/terminal/domain/src/fixture.ts',
  contracts: 'libs/shared/contracts/src/fixture.ts',
  core: 'libs/shared/eventing/src/fixture.ts',
  application: 'libs/terminal/application/src/fixture.ts',
  platform: 'libs/shared/platform/src/fixture.ts',
  infra: 'libs/shared/postgres/src/fixture.ts',
  testing: 'libs/shared/testing/src/fixture.ts',
  audit: 'tools/audit/src/fixture.ts',
  console: 'apps/console/src/app/fixture.tsx',
  consoleTest: 'apps/console/src/fixture.e2e.spec.ts',
  simulator: 'tools/simulator/src/fixture.ts',
};
const NX = '@nx/enforce-module-boundaries';
const literal = (s: string) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
const banned = (tag: string, pkg: string) => literal(`A project tagged with "${tag}" is not allowed to import "${pkg}"`);
const onlyTags = (tag: string) => new RegExp(`^A project tagged with "${tag}" can only depend on libs tagged with `);

type Case = readonly [name: string, path: string, code: string, rule: string, message: RegExp];

const violations: Case[] = [
  ['domain imports Nest', file.domain, "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;", NX, banned('type:domain', '@nestjs/common')],
  ['domain imports pg', file.domain, "import { Pool } from 'pg';\nexport const x = Pool;", NX, banned('type:domain', 'pg')],
  ['domain imports a pg subpath', file.domain, "import Pool from 'pg/lib/native';\nexport const x = Pool;", NX, banned('type:domain', 'pg/lib/native')],
  ['domain imports kafkajs', file.domain, "import { Kafka } from 'kafkajs';\nexport const x = Kafka;", NX, banned('type:domain', 'kafkajs')],
  ['domain imports express', file.domain, "import express from 'express';\nexport const x = express;", NX, banned('type:domain', 'express')],
  ['domain imports pino', file.domain, "import pino from 'pino';\nexport const x = pino;", NX, banned('type:domain', 'pino')],
  ['domain imports prom-client', file.domain, "import { Registry } from 'prom-client';\nexport const x = Registry;", NX, banned('type:domain', 'prom-client')],
  ['domain imports testcontainers', file.domain, "import { GenericContainer } from 'testcontainers';\nexport const x = GenericContainer;", NX, banned('type:domain', 'testcontainers')],
  ['domain imports node:fs', file.domain, "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", 'no-restricted-imports', /^'node:fs' import is restricted .*A domain or contracts lib is pure/],
  ['domain imports fs without the prefix', file.domain, "import { readFile } from 'fs/promises';\nexport const x = readFile;", 'no-restricted-imports', /^'fs\/promises' import is restricted/],
  ['domain imports node:sqlite', file.domain, "import { DatabaseSync } from 'node:sqlite';\nexport const x = DatabaseSync;", 'no-restricted-imports', /^'node:sqlite' import is restricted/],
  ['domain takes randomness from node:crypto', file.domain, "import { randomUUID } from 'node:crypto';\nexport const x = randomUUID;", 'no-restricted-imports', /^'node:crypto' import is restricted/],
  ['domain re-exports a built-in', file.domain, "export { readFileSync } from 'node:fs';", 'no-restricted-imports', /^'node:fs' import is restricted/],
  ['domain loads a module dynamically', file.domain, "export const x = () => import('node:fs');", 'no-restricted-syntax', /^A domain or contracts lib is pure/],
  ['domain imports an adapter', file.domain, "import { PgServiceStore } from '@pos/postgres';\nexport const x = PgServiceStore;", NX, onlyTags('type:domain')],
  ['domain parses money as a float', file.domain, "export const x = (s: string) => parseFloat(s);", 'no-restricted-syntax', /^Money is bigint minor units\.$/],
  ['one context imports another', file.domain, "import { decideSettlement } from '@pos/settlement-domain';\nexport const x = decideSettlement;", NX, onlyTags('scope:terminal')],
  ['contracts import Nest', file.contracts, "import { ApiProperty } from '@nestjs/swagger';\nexport const x = ApiProperty;", NX, banned('type:contracts', '@nestjs/swagger')],
  ['contracts import node:crypto', file.contracts, "import { createHash } from 'node:crypto';\nexport const x = createHash;", 'no-restricted-imports', /^'node:crypto' import is restricted/],
  ['core imports Nest', file.core, "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;", NX, banned('type:core', '@nestjs/common')],
  ['core imports pg', file.core, "import { Pool } from 'pg';\nexport const x = Pool;", NX, banned('type:core', 'pg')],
  ['core imports pino', file.core, "import pino from 'pino';\nexport const x = pino;", NX, banned('type:core', 'pino')],
  ['core imports node:fs', file.core, "import { writeFileSync } from 'node:fs';\nexport const x = writeFileSync;", 'no-restricted-imports', /^'node:fs' import is restricted .*I\/O is behind its ports/],
  ['application imports pg', file.application, "import { Pool } from 'pg';\nexport const x = Pool;", NX, banned('type:application', 'pg')],
  ['application imports node:sqlite', file.application, "import { DatabaseSync } from 'node:sqlite';\nexport const x = DatabaseSync;", 'no-restricted-imports', /^'node:sqlite' import is restricted/],
  ['application imports an adapter', file.application, "import { SqliteMessageLog } from '@pos/embedded';\nexport const x = SqliteMessageLog;", NX, onlyTags('type:application')],
  ['platform imports kafkajs', file.platform, "import { Kafka } from 'kafkajs';\nexport const x = Kafka;", NX, banned('type:platform', 'kafkajs')],
  ['infra imports a use case', file.infra, "import { loadAuditTrail } from '@pos/reconciliation-application';\nexport const x = loadAuditTrail;", NX, onlyTags('type:infra')],
  ['audit tool imports an adapter', file.audit, "import { PgServiceStore } from '@pos/postgres';\nexport const x = PgServiceStore;", NX, onlyTags('type:audit')],
  ['audit tool imports test helpers', file.audit, "import { startPostgres } from '@pos/testing';\nexport const x = startPostgres;", NX, onlyTags('type:audit')],
  ['audit tool imports pg', file.audit, "import { Client } from 'pg';\nexport const x = Client;", NX, banned('type:audit', 'pg')],
  ['audit tool imports kafkajs', file.audit, "import { Kafka } from 'kafkajs';\nexport const x = Kafka;", NX, banned('type:audit', 'kafkajs')],
  ['audit tool starts Nest', file.audit, "import { NestFactory } from '@nestjs/core';\nexport const x = NestFactory;", NX, banned('type:audit', '@nestjs/core')],
  ['console imports Nest', file.console, "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;", NX, banned('type:web', '@nestjs/common')],
  ['console imports an adapter', file.console, "import { PgServiceStore } from '@pos/postgres';\nexport const x = PgServiceStore;", NX, onlyTags('type:web')],
  ['console imports a context\'s domain', file.console, "import { MANUAL_RESOLUTIONS } from '@pos/reconciliation-domain';\nexport const x = MANUAL_RESOLUTIONS;", NX, onlyTags('scope:console')],
  ['console imports platform', file.console, "import { SERVICE_STORE } from '@pos/platform';\nexport const x = SERVICE_STORE;", NX, onlyTags('type:web')],
  ['console runs the contracts\' code', file.console, "import { dayReportAnswer } from '@pos/contracts';\nexport const x = dayReportAnswer;", '@typescript-eslint/no-restricted-imports', /^'@pos\/contracts' import is restricted .*import type/],
  ['console bundles zod', file.console, "import { z } from 'zod';\nexport const x = z;", '@typescript-eslint/no-restricted-imports', /^'zod' import is restricted/],
  ['console imports node:fs', file.console, "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", '@typescript-eslint/no-restricted-imports', /^'node:fs' import is restricted .*runs in a browser/],
  ['console imports test helpers', file.console, "import { TEST_TOKENS } from '@pos/testing';\nexport const x = TEST_TOKENS;", '@typescript-eslint/no-restricted-imports', /^'@pos\/testing' import is restricted/],
  ["a tool imports the gateway's application layer", file.simulator, "import { IsoServer } from '@pos/terminal-application';\nexport const x = IsoServer;", NX, onlyTags('type:tool')],
  ['a tool imports the terminal domain', file.simulator, "import { decide } from '@pos/terminal-domain';\nexport const x = decide;", NX, onlyTags('scope:tools')],
  ['audit tool opens SQLite', file.audit, "import { DatabaseSync } from 'node:sqlite';\nexport const x = DatabaseSync;", 'no-restricted-imports', /^'node:sqlite' import is restricted/],
];

// Imports against the dependency direction. Each target already depends on the importer, so
// the real config reports the cycle first; with the cycle check off, the tag constraint alone
// must still refuse the import (so it keeps biting if the reverse edge ever goes away).
const againstTheDirection: Case[] = [
  ['platform imports application', file.platform, "import { TerminalGatewayModule } from '@pos/terminal-application';\nexport const x = TerminalGatewayModule;", NX, onlyTags('type:platform')],
  ['core imports application', file.core, "import { loadAuditTrail } from '@pos/reconciliation-application';\nexport const x = loadAuditTrail;", NX, onlyTags('type:core')],
  ['core imports platform', file.core, "import { SERVICE_STORE } from '@pos/platform';\nexport const x = SERVICE_STORE;", NX, onlyTags('type:core')],
  ['core imports an adapter', file.core, "import { PgServiceStore } from '@pos/postgres';\nexport const x = PgServiceStore;", NX, onlyTags('type:core')],
  ['test helpers import an adapter', file.testing, "import { PgServiceStore } from '@pos/postgres';\nexport const x = PgServiceStore;", NX, onlyTags('type:testing')],
];

const clean: Case[] = [
  ['a tool acts as a terminal: its keys, its side of ISO 8583, the shared kernel', file.simulator, "import { SecretKey } from '@pos/terminal-keys';\nimport { IsoTerminal } from '@pos/iso-terminal';\nimport { CURRENCIES } from '@pos/money';\nexport const x = [SecretKey, IsoTerminal, CURRENCIES];", '', /^$/],
  ['domain uses the kernel, money, contracts and zod', file.domain, "import { DomainError } from '@pos/kernel';\nimport { formatMoney } from '@pos/money';\nimport type { TerminalEvent } from '@pos/contracts';\nimport { z } from 'zod';\nexport type E = TerminalEvent;\nexport const x = [DomainError, formatMoney, z];", '', /^$/],
  ['core hashes and signals', file.core, "import { createHash } from 'node:crypto';\nimport { EventEmitter } from 'node:events';\nimport { toJsonSafe } from '@pos/kernel';\nexport const x = [createHash, EventEmitter, toJsonSafe];", '', /^$/],
  ['platform uses Nest, pino and the core', file.platform, "import { Injectable } from '@nestjs/common';\nimport pino from 'pino';\nimport { toJsonSafe } from '@pos/eventing';\nexport const x = [Injectable, pino, toJsonSafe];", '', /^$/],
  ['console uses answer types and the money helpers', file.console, "import type { dayReportAnswer } from '@pos/contracts';\nimport type { z } from 'zod';\nimport { majorUnitsDecimal } from '@pos/money';\nexport type R = z.input<typeof dayReportAnswer>;\nexport const x = majorUnitsDecimal;", '', /^$/],
  ['console browser tests spawn the ledger', file.consoleTest, "import { readFileSync } from 'node:fs';\nimport { spawnLedger } from '@pos/testing';\nimport { chromium } from 'playwright-core';\nexport const x = [readFileSync, spawnLedger, chromium];", '', /^$/],
  ['audit tool uses runtime, use cases and files', file.audit, "import { openRuntime } from '@pos/runtime';\nimport { loadAuditTrail } from '@pos/reconciliation-application';\nimport { readEnv } from '@pos/platform';\nimport { readFileSync } from 'node:fs';\nexport const x = [openRuntime, loadAuditTrail, readEnv, readFileSync];", '', /^$/],
];

const messagesOf = async (eslint: ESLint, path: string, code: string) => {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, path) });
  return result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
};

describe('module boundaries (eslint.config.mjs)', () => {
  let eslint: ESLint;
  let cycleBlind: ESLint;

  beforeAll(async () => {
    // The Nx rule silently skips itself without a cached project graph; `npm run lint` makes one first too.
    const nx = createRequire(__filename).resolve('nx/bin/nx.js');
    execFileSync(process.execPath, [nx, 'show', 'projects'], { cwd: root, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } });
    eslint = new ESLint({ cwd: root });
    const rule = (await eslint.calculateConfigForFile(resolve(root, file.domain))).rules?.[NX] as Linter.RuleEntry;
    const [severity, options] = rule as [Linter.RuleSeverity, Record<string, unknown>];
    const rules = { [NX]: [severity, { ...options, ignoredCircularDependencies: [['*', '*']] }] } as Linter.RulesRecord;
    cycleBlind = new ESLint({ cwd: root, overrideConfig: { files: ['**/*.ts'], rules } });
  }, 120_000);

  it.each(violations)('%s: refused', async (_name, path, code, ruleId, message) => {
    const messages = await messagesOf(eslint, path, code);
    expect(messages).toEqual([{ ruleId, message: expect.stringMatching(message) }]);
  });

  it.each(againstTheDirection)('%s: refused by the tag constraint, not only as a cycle', async (_name, path, code, ruleId, message) => {
    expect(await messagesOf(eslint, path, code)).toEqual([{ ruleId, message: expect.stringMatching(/^Circular dependency between /) }]);
    expect(await messagesOf(cycleBlind, path, code)).toEqual([{ ruleId, message: expect.stringMatching(message) }]);
  });

  it.each(clean)('%s: accepted', async (_name, path, code) => {
    expect(await messagesOf(eslint, path, code)).toEqual([]);
  });
});

