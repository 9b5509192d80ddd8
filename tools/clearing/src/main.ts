#!/usr/bin/env node
/**
 * clearing-generator: the simulated acquirer. Fetches the host's record of a business day
 * from the reconciliation service, writes the acquirer's clearing file(s) for it with
 * seeded breaks injected, and a manifest (injected.json) of what it injected.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { addDays, parseSeed } from '@pos/kernel';
import { BREAK_TYPES, type BreakType, type HostDay, isCalendarDate, isIsoInstant } from '@pos/reconciliation-domain';
import { DEFAULT_ACQUIRER_ID, generateClearingFiles, InjectionError } from './generate';
import { decodeHostDay, HostDayInvalid } from './host-day';

export const EXIT = { OK: 0, USAGE: 2, FAILURE: 4 } as const;

const EXIT_HELP = `Exit codes:
  0  files written
  2  usage: a missing or malformed option, an unknown break type, a business day the service does not know
  4  failure: the service unreachable or answering nonsense, a break the day cannot carry, files not written`;

/** Reported as `error CODE: message` on stderr, exiting with `exitCode`. */
export class GeneratorError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'GeneratorError';
  }
}

const usage = (code: string, message: string) => new GeneratorError(code, message, EXIT.USAGE);

/** `all`, `none` or a comma-separated list of break types. */
export const parseInject = (raw: string): BreakType[] => {
  const text = raw.trim();
  if (text === 'all') return [...BREAK_TYPES];
  if (text === '' || text === 'none') return [];
  const types = text.split(',').map((t) => t.trim().toUpperCase());
  const unknown = types.filter((t) => !(BREAK_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) throw usage('INJECT_INVALID', `unknown break type(s) ${unknown.join(', ')}; expected all, none or some of ${BREAK_TYPES.join(', ')}`);
  return [...new Set(types as BreakType[])];
};

interface Options {
  readonly url: string;
  readonly token: string;
  readonly businessDay: string;
  readonly seed: string;
  readonly inject: string;
  readonly out: string;
  readonly acquirerId?: string;
  readonly createdAt?: string;
}

const fetchHostDay = async (base: string, token: string, businessDay: string): Promise<HostDay> => {
  const url = `${base.replace(/\/+$/, '')}/v1/reconciliation/host-ledger?businessDay=${encodeURIComponent(businessDay)}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) });
  } catch (e) {
    throw new GeneratorError('HOST_LEDGER_UNREACHABLE', `GET ${url}: ${e instanceof Error ? e.message : String(e)}`, EXIT.FAILURE);
  }
  const body = await res.text();
  if (res.status === 404) throw usage('DAY_UNKNOWN', `GET ${url}: 404 ${body.slice(0, 200)}`);
  if (!res.ok) throw new GeneratorError('HOST_LEDGER_FAILED', `GET ${url}: ${res.status} ${body.slice(0, 200)}`, EXIT.FAILURE);
  try {
    return decodeHostDay(JSON.parse(body), businessDay);
  } catch (e) {
    throw new GeneratorError('HOST_LEDGER_INVALID', e instanceof HostDayInvalid ? e.message : `GET ${url}: the answer is not JSON`, EXIT.FAILURE);
  }
};

const run = async (o: Options): Promise<number> => {
  if (!isCalendarDate(o.businessDay)) throw usage('BUSINESS_DAY_INVALID', `--business-day ${JSON.stringify(o.businessDay)} is not a calendar date YYYY-MM-DD`);
  if (!URL.canParse(o.url)) throw usage('URL_INVALID', `--url ${JSON.stringify(o.url)} is not a URL`);
  if (o.createdAt !== undefined && !isIsoInstant(o.createdAt)) throw usage('CREATED_AT_INVALID', `--created-at ${JSON.stringify(o.createdAt)} is not an ISO-8601 instant with a zone`);
  const inject = parseInject(o.inject);
  const seed = parseSeed(o.seed);
  const host = await fetchHostDay(o.url, o.token, o.businessDay);
  // Default: the early morning after the day, so the same seed gives the same bytes.
  const createdAt = o.createdAt ?? `${addDays(o.businessDay, 1)}T02:00:00.000Z`;
  let generated;
  try {
    generated = generateClearingFiles(host, { seed, inject, createdAt, ...(o.acquirerId ? { acquirerId: o.acquirerId } : {}) });
  } catch (e) {
    if (e instanceof InjectionError) throw new GeneratorError('INJECTION_IMPOSSIBLE', e.message, EXIT.FAILURE);
    throw new GeneratorError('GENERATION_FAILED', e instanceof Error ? e.message : String(e), EXIT.FAILURE);
  }
  const files = generated.files.map((f) => ({ ...f, name: `clearing-${f.businessDay}.csv` }));
  try {
    await mkdir(o.out, { recursive: true });
    for (const f of files) await writeFile(join(o.out, f.name), f.text);
    const manifest = {
      businessDay: o.businessDay,
      seed,
      acquirerId: o.acquirerId ?? DEFAULT_ACQUIRER_ID,
      createdAt,
      files: files.map((f) => ({ name: f.name, businessDay: f.businessDay, detailLines: f.detailLines, batchLines: f.batchLines, lines: f.detailLines + f.batchLines + 3 })),
      injected: generated.injected,
    };
    await writeFile(join(o.out, 'injected.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (e) {
    throw new GeneratorError('WRITE_FAILED', `${o.out}: ${e instanceof Error ? e.message : String(e)}`, EXIT.FAILURE);
  }
  const presented = host.transactions.filter((t) => t.status === 'COMPLETED').length;
  process.stdout.write(
    `${o.businessDay} seed ${seed}: ${files.map((f) => `${f.name} (${f.detailLines} detail lines, ${f.batchLines} BATCH lines)`).join(', ')}; ` +
      `${presented} completed host transactions; injected ${generated.injected.map((b) => b.type).join(', ') || 'nothing'}; written to ${o.out}\n`,
  );
  return EXIT.OK;
};

export const buildProgram = (done: (code: number) => void): Command =>
  new Command('clearing-generator')
    .description("Write the acquirer's clearing file(s) for a business day from the host ledger, with seeded reconciliation breaks injected, and injected.json saying what was injected.")
    .requiredOption('--url <url>', 'reconciliation service base URL (GET {url}/v1/reconciliation/host-ledger?businessDay=...)')
    .option('--token <token>', 'a back-office token, any role (default env LEDGER_TOKEN, else the development token)', process.env.LEDGER_TOKEN ?? 'dev-admin-token')
    .requiredOption('--business-day <day>', 'the business day, YYYY-MM-DD')
    .requiredOption('--seed <n>', 'PRNG seed: same seed and host day, byte-identical files')
    .option('--inject <types>', `all, none, or a comma-separated list of: ${BREAK_TYPES.join(', ')}`, 'none')
    .requiredOption('--out <dir>', 'directory for clearing-<day>.csv file(s) and injected.json')
    .option('--acquirer-id <id>', `acquirer id in the header (default ${DEFAULT_ACQUIRER_ID})`)
    .option('--created-at <instant>', "the header's created_at (default 02:00Z the day after)")
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `\n${EXIT_HELP}`)
    .exitOverride()
    .action(async (o: Options) => done(await run(o)));

const main = async (argv: readonly string[]): Promise<number> => {
  let code: number = EXIT.OK;
  try {
    await buildProgram((c) => (code = c)).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    // --help exits 0; any other commander error is a usage error it already printed.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    const error = e instanceof GeneratorError ? e : new GeneratorError('FAILED', e instanceof Error ? e.message : String(e), EXIT.FAILURE);
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    return error.exitCode;
  }
};

if (require.main === module)
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`error FAILED: ${String(e)}\n`);
      process.exit(EXIT.FAILURE);
    },
  );
