import { MerchantId, TerminalId } from '@pos/kernel';
import { describe, expect, it } from 'vitest';
import { parseCli } from './cli-args';
import { formatStan, merchantIdFor, merchantIndexFor, nextStan, terminalIdFor } from './ids';
import { parseIsoAddress } from './iso-terminal-api';
import { planTerminals } from './simulate-day';

describe('fleet identifiers', () => {
  it('parse as terminal and merchant ids, distinct across terminals and small seeds', () => {
    const ids = new Set<string>();
    for (const seed of [0, 1, 12, 123, 46_655]) {
      for (let i = 0; i < 50; i++) {
        const t = terminalIdFor(seed, i);
        expect(TerminalId.safeParse(t).success).toBe(true);
        ids.add(t);
        expect(MerchantId.safeParse(merchantIdFor(seed, merchantIndexFor(i))).success).toBe(true);
      }
    }
    expect(ids.size).toBe(250);
  });

  it('gives four terminals to a merchant and makes every K-th terminal unbalanced', () => {
    const plans = planTerminals(5, 9, 10, 4);
    expect(new Set(plans.slice(0, 4).map((p) => p.merchantId)).size).toBe(1);
    expect(plans[4]?.merchantId).not.toBe(plans[3]?.merchantId);
    expect(plans.filter((p) => p.unbalanced).map((p) => p.index)).toEqual([3, 7]);
    expect(planTerminals(5, 9, 10, 0).some((p) => p.unbalanced)).toBe(false);
  });

  it('counts STANs 000001..999999 and wraps', () => {
    expect(formatStan(nextStan(0))).toBe('000001');
    expect(formatStan(nextStan(41))).toBe('000042');
    expect(nextStan(999_999)).toBe(1);
  });
});

describe('command line', () => {
  it('has the documented defaults', () => {
    const { run, json } = parseCli([], {});
    expect(run).toMatchObject({ url: 'http://127.0.0.1:3000', terminals: 20, transactions: 200, unbalancedEvery: 4, concurrency: 10, adminToken: 'dev-admin-token', seed: undefined });
    expect(json).toBe(false);
    expect(parseCli([], { LEDGER_TOKEN: 'x' }).run.adminToken).toBe('x');
  });

  it('parses options and refuses nonsense', () => {
    const { run, json } = parseCli(['--terminals', '3', '--transactions', '7', '--seed', '99', '--unbalanced-every', '2', '--json', '--admin-token', 't'], {});
    expect(run).toMatchObject({ terminals: 3, transactions: 7, seed: 99, unbalancedEvery: 2, adminToken: 't' });
    expect(json).toBe(true);
    expect(() => parseCli(['--terminals', '-1'], {})).toThrow();
    expect(() => parseCli(['--terminals', '1.5'], {})).toThrow(/non-negative integer/);
    expect(() => parseCli(['--bogus'], {})).toThrow();
  });

  it('speaks HTTP unless told iso8583, and reads the ISO 8583 listener as host:port or a port', () => {
    expect(parseCli([], {}).run.protocol).toBe('http');
    expect(parseCli(['--protocol', 'iso8583', '--iso8583', 'gw.example:9583'], {}).run).toMatchObject({ protocol: 'iso8583', iso8583: 'gw.example:9583' });
    expect(() => parseCli(['--protocol', 'iso'], {})).toThrow(/http or iso8583/);
    expect(parseIsoAddress('9583')).toEqual({ host: '127.0.0.1', port: 9583 });
    expect(parseIsoAddress('10.0.0.7:8583')).toEqual({ host: '10.0.0.7', port: 8583 });
    for (const bad of ['', 'host:', 'host:0', 'host:65536', ':x']) expect(() => parseIsoAddress(bad)).toThrow(/host:port/);
  });
});
