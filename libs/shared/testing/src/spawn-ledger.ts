import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freeLoopbackPort } from './containers/environment';

/** The workspace root (where nx.json is), from the source tree or from a bundle in dist/. */
export const workspaceRoot = (): string => {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'nx.json'))) return dir;
  throw new Error(`no nx.json above ${__dirname}`);
};

/**
 * Back-office tokens for the processes a test starts: new random ones per test process, given
 * to every app it spawns as LEDGER_<ROLE>_TOKEN (the microservices refuse to start without one,
 * and the development token works only on the embedded default on loopback).
 */
export const TEST_TOKENS = {
  operations: randomBytes(32).toString('base64url'),
  finance: randomBytes(32).toString('base64url'),
  auditor: randomBytes(32).toString('base64url'),
} as const;
export const TEST_TOKEN_ENV: Readonly<Record<string, string>> = {
  LEDGER_OPERATIONS_TOKEN: TEST_TOKENS.operations,
  LEDGER_FINANCE_TOKEN: TEST_TOKENS.finance,
  LEDGER_AUDITOR_TOKEN: TEST_TOKENS.auditor,
  // The gateway seals terminal master keys under it; the microservices refuse to start without one.
  LEDGER_KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  // Reconciliation signs the daily checkpoints with it (an Ed25519 seed); it refuses to start without one.
  LEDGER_CHECKPOINT_SIGNING_KEY: randomBytes(32).toString('hex'),
};
/** `authorization` headers with a test token of each role. */
export const bearer = (role: keyof typeof TEST_TOKENS) => ({ authorization: `Bearer ${TEST_TOKENS[role]}` });

const bundleOf = (app: string) => join(workspaceRoot(), 'dist', 'apps', app, 'main.js');

export interface BuiltRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON. */
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- callers read untyped answers, as tests do
}

/**
 * Runs a built bundle (e.g. `tools/audit/main.js`) as its own process to its end, the way an
 * operator or a cron job does; the embedded deployment unless `env` names Kafka and PostgreSQL.
 * Client tools (simulator, clearing generator) call with the test operations token (LEDGER_TOKEN).
 */
export const runBuilt = (bundle: string, args: readonly string[], env: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<BuiltRun> =>
  new Promise((done, fail) => {
    const file = join(workspaceRoot(), 'dist', bundle);
    if (!existsSync(file)) return fail(new Error(`${file} is missing: run "npm run build" first (npm test does)`));
    const child = spawn(process.execPath, [...nodeArgs, file, ...args], { env: { ...process.env, KAFKA_BROKERS: '', DATABASE_URL: '', LOG_LEVEL: 'warn', LEDGER_TOKEN: TEST_TOKENS.operations, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, stdout, stderr, json: () => JSON.parse(stdout) }));
  });

export interface LedgerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export type AppName = 'ledger' | 'terminal-gateway' | 'settlement' | 'reconciliation';

/** Starts the built embedded ledger as its own OS process and waits until it is ready. */
export const spawnLedger = (dataDir: string, env: Record<string, string> = {}, options: { port?: number } = {}): Promise<LedgerProcess> =>
  spawnApp('ledger', { LEDGER_DATA_DIR: dataDir, KAFKA_BROKERS: '', DATABASE_URL: '', ...env }, options);

/** Starts one built app as its own OS process (its adapters chosen by `env`, the test tokens unless `env` names others) and waits until it is ready. */
export const spawnApp = async (app: AppName, env: Record<string, string> = {}, options: { port?: number } = {}): Promise<LedgerProcess> => {
  const BUNDLE = bundleOf(app);
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run "npm run build" first (npm test does)`);
  const port = options.port ?? (await freeLoopbackPort());
  let output = '';
  const child = spawn(process.execPath, ['--enable-source-maps', BUNDLE], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', LEDGER_ISO8583_PORT: '0', ...TEST_TOKEN_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}: ${output}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${app} not ready in 30 s: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => output,
    kill: (signal) =>
      new Promise((done) => {
        // Already gone (exited, or killed by a signal): nothing to wait for.
        if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
        child.once('exit', (code) => done(code));
        child.kill(signal);
      }),
  };
};

export interface Microservices {
  readonly gateway: LedgerProcess;
  readonly settlement: LedgerProcess;
  /** Serves the console and forwards the gateway's and settlement's routes to them: the one origin a browser needs. */
  readonly reconciliation: LedgerProcess;
  /** Stops all three (SIGTERM). */
  kill(): Promise<void>;
}

/**
 * The microservice deployment as its three built apps, each its own OS process, on the Kafka
 * and PostgreSQL that `env` names: the gateway and settlement first, then the reconciliation
 * app forwarding to them (LEDGER_GATEWAY_URL, LEDGER_SETTLEMENT_URL), as docker-compose.yml wires them.
 */
export const spawnMicroservices = async (env: Record<string, string>): Promise<Microservices> => {
  const [gateway, settlement] = await Promise.all([spawnApp('terminal-gateway', env), spawnApp('settlement', env)]);
  const reconciliation = await spawnApp('reconciliation', { LEDGER_GATEWAY_URL: gateway.url, LEDGER_SETTLEMENT_URL: settlement.url, ...env }).catch(async (e: unknown) => {
    await Promise.all([gateway.kill('SIGTERM'), settlement.kill('SIGTERM')]);
    throw e;
  });
  return { gateway, settlement, reconciliation, kill: async () => void (await Promise.all([reconciliation, gateway, settlement].map((p) => p.kill('SIGTERM')))) };
};
