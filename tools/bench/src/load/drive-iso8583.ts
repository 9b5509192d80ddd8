/**
 * The same load as drive.ts, over the gateway's ISO 8583 front: each terminal its own TCP
 * connection, one 0200 at a time (MACed, its 0210's MAC checked), for a fixed time.
 */
import { type IsoAnswer, IsoTerminal } from '@pos/iso-terminal';
import { SecretKey } from '@pos/terminal-keys';
import type { DriveResult } from './drive';
import { ADMIN, post } from './terminals';

export interface IsoLogin {
  readonly terminal: IsoTerminal;
  readonly batchNo: string;
  stan: number;
}

const PAN = '4111111111111111';
const pad = (n: number | bigint, width: number) => String(n).padStart(width, '0');

/** The 0200 of drive.ts's saleBody: card or QR in the same proportion, the same amounts. */
const sale = (t: IsoLogin): Promise<IsoAnswer> => {
  t.stan = t.stan >= 999_999 ? 1 : t.stan + 1;
  const card = t.stan % 10 < 7;
  return t.terminal.request('0200', {
    3: '000000', 4: pad(100 + (t.stan % 9_000), 12), 11: pad(t.stan, 6), 49: '156', 60: `22${t.batchNo}`,
    ...(card ? { 2: PAN, 22: '021' } : { 22: '031', 48: `payer-${t.terminal.terminalId}` }),
  });
};

/** Registers `count` terminals over HTTP (ids `prefix` + number) and signs each on over ISO 8583 on a connection of its own. */
export const openIsoTerminals = async (url: string, iso: { host?: string; port: number }, count: number, prefix: string, merchantId: string): Promise<IsoLogin[]> => {
  const out: IsoLogin[] = [];
  for (let i = 0; i < count; i++) {
    const terminalId = `${prefix}${pad(i, 8 - prefix.length)}`;
    const { masterKey, batchNo } = await post(
      `${url}/v1/admin/terminals`,
      { terminalId, merchantId, merchantName: 'Load test', currencies: [{ currency: 'CNY', maxAmount: 100_000_000 }], operators: [{ operatorId: '01', password: '1234' }] },
      ADMIN,
    );
    const terminal = await IsoTerminal.connect(iso, terminalId, SecretKey.fromHex('TMK', masterKey), merchantId);
    const on = await terminal.signOn({ 11: '000001', 60: `00${batchNo}001`, 63: '01 1234' });
    if (on.field(39) !== '00') throw new Error(`${terminalId}: sign-on over ISO 8583 answered ${on.field(39)}`);
    out.push({ terminal, batchNo: on.field(60)!.slice(2, 8), stan: 1 });
  }
  return out;
};

export const closeIsoTerminals = (terminals: readonly IsoLogin[]) => Promise.all(terminals.map((t) => t.terminal.close()));

/** Every terminal sends sales one after the other for `seconds`; latencies are each 0200's to its 0210. */
export const driveIsoSales = async (terminals: readonly IsoLogin[], run: { seconds: number }): Promise<DriveResult> => {
  const latencies: number[] = [];
  let sales = 0;
  let failures = 0;
  const started = performance.now();
  const until = started + run.seconds * 1000;
  await Promise.all(
    terminals.map(async (t) => {
      while (performance.now() < until) {
        const s = performance.now();
        try {
          const a = await sale(t);
          latencies.push(performance.now() - s);
          if (a.field(39) === '00') sales++;
          else failures++;
        } catch {
          failures++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN);
  return { terminals: terminals.length, seconds, sales, salesPerSecond: sales / seconds, failures, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: Math.round(sorted.at(-1) ?? NaN) };
};
