/**
 * Drives N terminals through one business day against a running ledger and checks the
 * ledger's daily totals and settlement journals against the simulator's own record.
 */
import { randomBytes } from 'node:crypto';
import { ApiError, dailyTotals, HttpClient, settlements, type Settlement } from './api-client';
import { compareRows, compareSettlementLines, postingsImbalance } from './compare';
import { merchantIdFor, merchantIndexFor, terminalIdFor } from './ids';
import { buildRecord, DEFAULT_PRICING, rowKey, type TotalsRow } from './record';
import { type IsoAddress, IsoTerminalApi, parseIsoAddress } from './iso-terminal-api';
import { type Connect, overHttp, runTerminalDay, type TerminalOutcome, type TerminalPlan } from './terminal-session';

export interface RunDayOptions {
  /** Ledger base URL, or the gateway's replicas (terminals are spread over them). Default http://127.0.0.1:3000 */
  readonly url?: string | readonly string[];
  /** Read sides when the services run apart (microservices), or their replicas; default: `url`. */
  readonly settlementUrl?: string | readonly string[];
  readonly reconciliationUrl?: string | readonly string[];
  /** How terminals speak to the gateway: its HTTP API (default), or ISO 8583 over TCP (docs/iso8583.md). */
  readonly protocol?: 'http' | 'iso8583';
  /** The gateway's ISO 8583 listener, `host:port`; default the first `url`'s host, port 8583. */
  readonly iso8583?: string;
  /** How long a terminal retransmits a request the host did not answer (or answered 96), to the next replica each time. Default 0: never. */
  readonly retryForMs?: number;
  /** Number of terminals. Default 20. */
  readonly terminals?: number;
  /** Online transactions per terminal. Default 200. */
  readonly transactions?: number;
  /** PRNG seed (uint32): same seed, same day. Default: a random one (reported). */
  readonly seed?: number;
  /** Every K-th terminal settles unbalanced (holds one offline sale). 0 = never. Default 4. */
  readonly unbalancedEvery?: number;
  /** Every K-th terminal charges one card twice (a new trace number, same card and amount): a host-side lookalike duplicate. 0 = never (default). */
  readonly duplicateEvery?: number;
  /** Terminals running at once. Default 10. */
  readonly concurrency?: number;
  /** Back-office token with the operations role (registers terminals, reads the totals). Default env LEDGER_TOKEN, else the development token. */
  readonly adminToken?: string;
  /** How long to wait for the read side to show every settled row. Default 60 000 ms. */
  readonly settleTimeoutMs?: number;
  /** Pause between read-side polls. Default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Per-request timeout. Default 30 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Progress lines (e.g. to stderr). Default: silent. */
  readonly log?: (line: string) => void;
}

export interface DayReport {
  /** true when the ledger matches the record, every journal balances and nothing failed. */
  readonly ok: boolean;
  readonly seed: number;
  readonly url: string;
  /** Terminals planned. */
  readonly terminals: number;
  /** Terminals that completed their day (register → sign off). */
  readonly terminalsCompleted: number;
  readonly unbalancedTerminals: number;
  /** Online financial messages (sales, voids, refunds, reversals), retransmissions excluded. */
  readonly transactions: number;
  readonly sales: number;
  readonly voids: number;
  readonly refunds: number;
  readonly reversals: number;
  readonly offlineSales: number;
  /** Retransmissions with the same STAN and body, each checked for the original answer. */
  readonly retries: number;
  readonly protocol: 'http' | 'iso8583';
  /** HTTP requests sent, polling included. */
  readonly requests: number;
  /** ISO 8583 messages the terminals sent (protocol iso8583). */
  readonly isoMessages: number;
  /** Terminal requests sent again after the host could not be reached or answered 96 (see RunDayOptions.retryForMs). */
  readonly retransmissions: number;
  /** The business day the terminals traded on (comma-separated if they differ). */
  readonly businessDay: string;
  readonly businessDays: readonly string[];
  readonly expected: readonly TotalsRow[];
  readonly actual: readonly TotalsRow[];
  readonly mismatches: readonly string[];
  /** Terminals or read-side calls that failed (exit code 2). */
  readonly errors: readonly string[];
  /** Every settlement found, and each one's postings balance per currency. */
  readonly journalsBalanced: boolean;
  readonly settlementsChecked: number;
  /** Whole run, polling included. */
  readonly durationMs: number;
  /** Time the terminals took (register → sign off of the last one). */
  readonly tradingMs: number;
  /** transactions / trading time. */
  readonly transactionsPerSecond: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `work` over `items` with at most `limit` in flight, results in input order. */
export const pool = async <T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
};

export const planTerminals = (seed: number, terminals: number, transactions: number, unbalancedEvery: number, duplicateEvery = 0): TerminalPlan[] =>
  Array.from({ length: terminals }, (_, index) => {
    const merchantId = merchantIdFor(seed, merchantIndexFor(index));
    return {
      seed,
      index,
      terminalId: terminalIdFor(seed, index),
      merchantId,
      merchantName: `Simulated shop ${merchantId}`,
      transactions,
      unbalanced: unbalancedEvery > 0 && (index + 1) % unbalancedEvery === 0,
      duplicateCharge: duplicateEvery > 0 && (index + 1) % duplicateEvery === 0,
    };
  });

const positiveInt = (name: string, v: number, min = 1): number => {
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
};

export const runDay = async (options: RunDayOptions = {}): Promise<DayReport> => {
  const started = performance.now();
  const urls = options.url ?? 'http://127.0.0.1:3000';
  const url = typeof urls === 'string' ? urls : urls.join(',');
  const terminals = positiveInt('terminals', options.terminals ?? 20);
  const transactions = positiveInt('transactions', options.transactions ?? 200, 0);
  const unbalancedEvery = positiveInt('unbalancedEvery', options.unbalancedEvery ?? 4, 0);
  const duplicateEvery = positiveInt('duplicateEvery', options.duplicateEvery ?? 0, 0);
  const concurrency = positiveInt('concurrency', options.concurrency ?? 10);
  const seed = (options.seed ?? randomBytes(4).readUInt32BE(0)) >>> 0;
  const adminToken = options.adminToken ?? process.env.LEDGER_TOKEN ?? 'dev-admin-token';
  const settleTimeoutMs = options.settleTimeoutMs ?? 60_000;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const log = options.log ?? (() => undefined);
  const http = new HttpClient({ baseUrl: urls, timeoutMs: options.requestTimeoutMs, retryForMs: options.retryForMs });
  const settlementHttp = new HttpClient({ baseUrl: options.settlementUrl ?? urls, timeoutMs: options.requestTimeoutMs, retryForMs: options.retryForMs });
  const reconciliationHttp = new HttpClient({ baseUrl: options.reconciliationUrl ?? urls, timeoutMs: options.requestTimeoutMs, retryForMs: options.retryForMs });

  const protocol = options.protocol ?? 'http';
  const firstUrl = typeof urls === 'string' ? urls.split(',')[0] : (urls[0] ?? '');
  const iso: IsoAddress = parseIsoAddress(options.iso8583 ?? `${new URL(firstUrl).hostname}:8583`);
  const isoChannels: IsoTerminalApi[] = [];
  const connect: Connect =
    protocol === 'iso8583'
      ? async (registered, plan) => {
          const channel = await IsoTerminalApi.connect(iso, registered, plan.merchantId);
          isoChannels.push(channel);
          return channel;
        }
      : overHttp(http);

  const plans = planTerminals(seed, terminals, transactions, unbalancedEvery, duplicateEvery);
  log(`seed ${seed}: ${terminals} terminals x ${transactions} transactions against ${protocol === 'iso8583' ? `ISO 8583 ${iso.host}:${iso.port}` : url} (concurrency ${concurrency}, every ${unbalancedEvery || 'no'}th unbalanced)`);

  // ---- trade
  const tradingStart = performance.now();
  let done = 0;
  const outcomes: TerminalOutcome[] = await pool(plans, concurrency, async (plan) => {
    const o = await runTerminalDay(http, adminToken, plan, connect);
    done++;
    log(`${o.error ? `FAILED ${o.error}` : `${plan.terminalId} settled ${o.closeResult} batch ${o.batchNo} (${o.stats.transactions} tx)`} [${done}/${plans.length}]`);
    return o;
  });
  const tradingMs = performance.now() - tradingStart;

  const errors: string[] = outcomes.flatMap((o) => (o.error ? [o.error] : []));
  const completed = outcomes.filter((o) => !o.error);
  const mismatches: string[] = completed.flatMap((o) => o.notes);
  const expected = buildRecord(completed.map((o) => o.journal), DEFAULT_PRICING);
  const businessDays = [...new Set(completed.map((o) => o.businessDay).filter((d): d is string => !!d).concat(expected.map((r) => r.businessDay)))].sort();
  const ourTerminals = new Set(completed.map((o) => o.plan.terminalId));

  // ---- wait for the read side: every expected row present with settledBatches > 0
  const deadline = performance.now() + settleTimeoutMs;
  let actual: TotalsRow[] = [];
  const fetchActual = async (): Promise<TotalsRow[]> => {
    const rows: TotalsRow[] = [];
    for (const businessDay of businessDays) rows.push(...(await dailyTotals(reconciliationHttp, adminToken, { businessDay })).filter((r) => ourTerminals.has(r.terminalId)));
    return rows;
  };
  const missing = (rows: readonly TotalsRow[]): string[] => {
    const have = new Map(rows.map((r) => [rowKey(r), r]));
    return expected.filter((e) => !((have.get(rowKey(e))?.settledBatches ?? 0) > 0)).map(rowKey);
  };
  let readError: string | undefined;
  if (completed.length > 0) {
    for (;;) {
      try {
        actual = await fetchActual();
        readError = undefined;
      } catch (err) {
        readError = `daily totals: ${err instanceof Error ? err.message : String(err)}`;
      }
      const left = readError ? expected.map(rowKey) : missing(actual);
      // Settled rows can still be catching up: the settlement topic and the terminal topic are
      // consumed independently, so a batch's fees may land before its last sales. Until the
      // deadline, a difference means "not yet"; after it, it is a mismatch.
      if (left.length === 0 && compareRows(expected, actual).length === 0) break;
      if (left.length === 0 && performance.now() >= deadline) break;
      if (performance.now() >= deadline) {
        if (readError) errors.push(readError);
        else mismatches.push(`daily totals: after ${settleTimeoutMs} ms, ${left.length} expected row(s) not shown as settled, e.g. ${left.slice(0, 5).join(', ')}`);
        break;
      }
      await sleep(pollIntervalMs);
    }
  }
  if (!readError) mismatches.push(...compareRows(expected, actual));

  // ---- settlements: found for every terminal, journals balanced, lines as recorded
  let journalsBalanced = completed.length > 0;
  let settlementsChecked = 0;
  for (const o of completed) {
    const businessDay = o.businessDay ?? '';
    let found: Settlement[] = [];
    for (;;) {
      try {
        found = await settlements(settlementHttp, adminToken, { terminalId: o.plan.terminalId, businessDay });
      } catch (err) {
        // A read side that is restarting (a replica replaced) answers again soon: ask again until the deadline.
        if (err instanceof ApiError && err.status === 0 && performance.now() < deadline) {
          await sleep(pollIntervalMs);
          continue;
        }
        errors.push(`settlements of ${o.plan.terminalId}: ${err instanceof Error ? err.message : String(err)}`);
        journalsBalanced = false;
        break;
      }
      if (found.length >= o.journal.settledBatchNos.length || performance.now() >= deadline) break;
      await sleep(pollIntervalMs);
    }
    settlementsChecked += found.length;
    const batches = new Set(found.map((s) => s.batchNo));
    for (const b of o.journal.settledBatchNos) {
      if (!batches.has(b)) {
        mismatches.push(`settlement of ${o.plan.terminalId} batch ${b} (${businessDay}) not found`);
        journalsBalanced = false;
      }
    }
    for (const s of found) {
      const problems = postingsImbalance(s);
      if (problems.length) journalsBalanced = false;
      mismatches.push(...problems);
      if (o.closeResult && s.closeResult !== o.closeResult) mismatches.push(`settlement ${s.settlementId} of ${o.plan.terminalId}: closeResult ${s.closeResult}, the host told the terminal ${o.closeResult}`);
    }
    if (found.length > 0) mismatches.push(...compareSettlementLines(o.plan.terminalId, found, expected.filter((r) => r.businessDay === businessDay)));
  }

  const sum = (f: keyof TerminalOutcome['stats']) => outcomes.reduce((n, o) => n + o.stats[f], 0);
  const txCount = sum('transactions');
  return {
    ok: errors.length === 0 && mismatches.length === 0 && journalsBalanced,
    seed,
    url,
    terminals,
    terminalsCompleted: completed.length,
    unbalancedTerminals: plans.filter((p) => p.unbalanced).length,
    transactions: txCount,
    sales: sum('sales'),
    voids: sum('voids'),
    refunds: sum('refunds'),
    reversals: sum('reversals'),
    offlineSales: sum('offlineSales'),
    retries: sum('retries'),
    protocol,
    requests: http.requests,
    isoMessages: isoChannels.reduce((n, c) => n + c.requests, 0),
    retransmissions: http.retransmissions,
    businessDay: businessDays.join(','),
    businessDays,
    expected,
    actual,
    mismatches,
    errors,
    journalsBalanced,
    settlementsChecked,
    durationMs: Math.round(performance.now() - started),
    tradingMs: Math.round(tradingMs),
    // per second, rounded to one decimal, integer arithmetic on counts and milliseconds
    transactionsPerSecond: tradingMs > 0 ? Math.round((txCount * 10_000) / tradingMs) / 10 : 0,
  };
};
