/** Command-line options of the simulator (node:util parseArgs; no dependencies). */
import { parseArgs } from 'node:util';
import { parseSeed } from '@pos/kernel';
import type { RunDayOptions } from './simulate-day';

export const USAGE = `Usage: simulator [options]
  --url URL                 ledger base URL (default http://127.0.0.1:3000)
  --protocol P              how terminals speak: http (default) or iso8583 (TCP, docs/iso8583.md);
                            registration and the read side stay on HTTP
  --iso8583 HOST:PORT       the gateway's ISO 8583 listener (default: --url's host, port 8583)
  --settlement-url URL      settlement's read side when services run apart (default --url)
  --reconciliation-url URL  reconciliation's read side when services run apart (default --url)
  --terminals N             terminals (default 20)
  --transactions N          online transactions per terminal (default 200)
  --seed S                  PRNG seed: same seed, same day (default random, printed)
  --unbalanced-every K      every K-th terminal settles unbalanced, 0 = none (default 4)
  --duplicate-every K       every K-th terminal charges one card twice (host-side duplicate), 0 = none (default)
  --concurrency C           terminals in parallel (default 10)
  --admin-token T           back-office token with the operations role (default env LEDGER_TOKEN, else
                            the development token, which only the embedded default on loopback accepts)
  --settle-timeout-ms MS    wait for the read side (default 60000)
  --json                    print the result as JSON
  --help
Exit code: 0 ledger matches the record, 1 mismatch, 2 errors.`;

export interface CliOptions {
  readonly run: RunDayOptions;
  readonly json: boolean;
  readonly help: boolean;
}

const int = (name: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new RangeError(`--${name} must be a non-negative integer, got '${raw}'`);
  return Number(raw);
};

const protocolOf = (raw: string | undefined): 'http' | 'iso8583' => {
  if (raw === undefined || raw === 'http' || raw === 'iso8583') return raw ?? 'http';
  throw new RangeError(`--protocol must be http or iso8583, got '${raw}'`);
};

export const parseCli = (argv: readonly string[], env: Record<string, string | undefined> = process.env): CliOptions => {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: 'string' },
      protocol: { type: 'string' },
      iso8583: { type: 'string' },
      'settlement-url': { type: 'string' },
      'reconciliation-url': { type: 'string' },
      terminals: { type: 'string' },
      transactions: { type: 'string' },
      seed: { type: 'string' },
      'unbalanced-every': { type: 'string' },
      'duplicate-every': { type: 'string' },
      concurrency: { type: 'string' },
      'admin-token': { type: 'string' },
      'settle-timeout-ms': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return {
    json: values.json ?? false,
    help: values.help ?? false,
    run: {
      url: values.url ?? 'http://127.0.0.1:3000',
      protocol: protocolOf(values.protocol),
      ...(values.iso8583 === undefined ? {} : { iso8583: values.iso8583 }),
      settlementUrl: values['settlement-url'],
      reconciliationUrl: values['reconciliation-url'],
      terminals: int('terminals', values.terminals) ?? 20,
      transactions: int('transactions', values.transactions) ?? 200,
      seed: values.seed === undefined ? undefined : parseSeed(values.seed),
      unbalancedEvery: int('unbalanced-every', values['unbalanced-every']) ?? 4,
      duplicateEvery: int('duplicate-every', values['duplicate-every']) ?? 0,
      concurrency: int('concurrency', values.concurrency) ?? 10,
      adminToken: values['admin-token'] ?? env.LEDGER_TOKEN ?? 'dev-admin-token',
      settleTimeoutMs: int('settle-timeout-ms', values['settle-timeout-ms']) ?? 60_000,
    },
  };
};
