import { join, resolve } from 'node:path';
import { type BootstrapToken, bootstrapTokensOf } from './access';
import { defaultConsoleDir } from './console';

/** Everything comes from the environment; the embedded default needs none of it. */
export interface LedgerEnv {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Back-office tokens from LEDGER_OPERATIONS_TOKEN, LEDGER_FINANCE_TOKEN, LEDGER_AUDITOR_TOKEN, as hashes (the tokens themselves are not kept). */
  readonly bootstrapTokens: readonly BootstrapToken[];
  readonly scryptCost: number;
  readonly partitions: number;
  /** How much terminal state the gateway keeps in memory, in open-batch entries (transactions and trace numbers). */
  readonly terminalCacheEntries: number;
  /**
   * Old-generation heap limit of the embedded ledger's background worker, in MB. Its live set
   * is a few tens of MB; without a limit V8 lets the garbage of its batches grow the heap to
   * several hundred.
   */
  readonly backgroundHeapMb: number;
  /** The terminal gateway's ISO 8583 TCP port (LEDGER_ISO8583_PORT, default 8583; 0 picks a free one, as PORT=0 does), on HOST. */
  readonly iso8583Port: number;
  /** LEDGER_KEY_ENCRYPTION_KEY: 64 hex digits sealing terminal master keys at rest (the embedded default on loopback may go without). */
  readonly keyEncryptionKey?: string;
  /** LEDGER_CONSOLE_DIR: the built console the ledger and the reconciliation app serve at /console/ (default apps/console/dist). */
  readonly consoleDir: string;
  /** LEDGER_GATEWAY_URL, LEDGER_SETTLEMENT_URL: where the reconciliation app forwards the other services' routes (microservices). */
  readonly gatewayUrl?: string;
  readonly settlementUrl?: string;
  /** LEDGER_CHECKPOINT_SIGNING_KEY: the acquirer's Ed25519 key signing daily checkpoints, a PKCS#8 PEM or the seed as 64 hex digits (the embedded default on loopback may go without). */
  readonly checkpointSigningKey?: string;
  /** LEDGER_CHECKPOINT_GRACE_SECONDS: how long after a day's end (00:00 UTC) the last commits may take to reach the log before the day is checkpointed (default 300). */
  readonly checkpointGraceSeconds: number;
}

const httpUrl = (name: string, value: string | undefined): string | undefined => {
  if (value === undefined || value === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username)
    throw new Error(`${name} must be an http(s) URL of a service, e.g. http://terminal-gateway:3000, got ${JSON.stringify(value)}`);
  return url.toString();
};

const int = (name: string, value: string | undefined, fallback: number, min: number, max: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  return n;
};

export const readEnv = (env: NodeJS.ProcessEnv = process.env): LedgerEnv => {
  const scryptCost = int('LEDGER_SCRYPT_COST', env.LEDGER_SCRYPT_COST, 16_384, 1_024, 1_048_576);
  if ((scryptCost & (scryptCost - 1)) !== 0) throw new Error('LEDGER_SCRYPT_COST must be a power of two');
  return {
    host: env.HOST ?? '127.0.0.1',
    port: int('PORT', env.PORT, 3000, 0, 65_535),
    dataDir: resolve(env.LEDGER_DATA_DIR ?? join(process.cwd(), 'data')),
    bootstrapTokens: bootstrapTokensOf(env),
    scryptCost,
    partitions: int('LEDGER_PARTITIONS', env.LEDGER_PARTITIONS, 4, 1, 256),
    terminalCacheEntries: int('LEDGER_TERMINAL_CACHE_ENTRIES', env.LEDGER_TERMINAL_CACHE_ENTRIES, 500_000, 0, 100_000_000),
    backgroundHeapMb: int('LEDGER_BACKGROUND_HEAP_MB', env.LEDGER_BACKGROUND_HEAP_MB, 128, 64, 65_536),
    iso8583Port: int('LEDGER_ISO8583_PORT', env.LEDGER_ISO8583_PORT, 8583, 0, 65_535),
    ...(env.LEDGER_KEY_ENCRYPTION_KEY ? { keyEncryptionKey: env.LEDGER_KEY_ENCRYPTION_KEY } : {}),
    consoleDir: env.LEDGER_CONSOLE_DIR ? resolve(env.LEDGER_CONSOLE_DIR) : defaultConsoleDir(),
    gatewayUrl: httpUrl('LEDGER_GATEWAY_URL', env.LEDGER_GATEWAY_URL),
    settlementUrl: httpUrl('LEDGER_SETTLEMENT_URL', env.LEDGER_SETTLEMENT_URL),
    ...(env.LEDGER_CHECKPOINT_SIGNING_KEY ? { checkpointSigningKey: env.LEDGER_CHECKPOINT_SIGNING_KEY } : {}),
    checkpointGraceSeconds: int('LEDGER_CHECKPOINT_GRACE_SECONDS', env.LEDGER_CHECKPOINT_GRACE_SECONDS, 300, 0, 86_400),
  };
};
