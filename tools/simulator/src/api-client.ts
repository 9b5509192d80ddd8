/**
 * A thin fetch wrapper for the ledger's HTTP API (docs/api.md). Amounts go out as digit
 * strings and come back as bigint; any non-2xx answer throws an ApiError.
 */
import type { Method, SettlementTotals, UploadItem } from './batch';
import type { TotalsRow } from './record';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly responseCode?: string,
    readonly details?: unknown,
    readonly request?: string,
  ) {
    super(`${request ? `${request}: ` : ''}${status ? `HTTP ${status} ` : ''}${code}${responseCode ? ` (${responseCode})` : ''}: ${message}`);
    this.name = 'ApiError';
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** bigint -> digit string on the wire (requests accept integers or digit strings). */
export const toWireJson = (body: unknown): string =>
  JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** A response amount: a string of digits (optionally negative for net/gross). Numbers are refused: no floats. */
export const amountFrom = (raw: unknown, field = 'amount'): bigint => {
  if (typeof raw === 'string' && /^-?\d+$/.test(raw)) return BigInt(raw);
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return BigInt(raw);
  throw new ApiError(0, 'BAD_RESPONSE', `${field} is not an integer amount: ${JSON.stringify(raw)}`);
};

export const countFrom = (raw: unknown, field = 'count'): number => {
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
  if (typeof raw === 'string' && /^\d+$/.test(raw)) return Number(raw);
  throw new ApiError(0, 'BAD_RESPONSE', `${field} is not a count: ${JSON.stringify(raw)}`);
};

const str = (o: Json, field: string): string => {
  const v = o[field];
  if (typeof v !== 'string') throw new ApiError(0, 'BAD_RESPONSE', `${field} missing in answer: ${toWireJson(o)}`);
  return v;
};

export interface HttpOptions {
  /** One base URL, or the replicas of one service (requests fail over between them). */
  readonly baseUrl: string | readonly string[];
  readonly timeoutMs?: number;
  /**
   * How long a request that may be repeated safely (a read, or a terminal request, which the
   * host answers once per trace number) is sent again when the host could not be reached or
   * answered 96 (system malfunction), as a terminal retransmits: each time to the next
   * replica. 0 (default): never.
   */
  readonly retryForMs?: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HttpClient {
  /** Number of HTTP requests sent (including retries). */
  requests = 0;
  /** Requests sent again after a failure (see HttpOptions.retryForMs). */
  retransmissions = 0;
  private readonly baseUrls: readonly string[];
  private readonly timeoutMs: number;
  private readonly retryForMs: number;
  /** The replica each caller (a terminal) talks to now: it stays there until that one fails. */
  private readonly replicaOf = new Map<string, number>();

  constructor(opts: HttpOptions) {
    this.baseUrls = (typeof opts.baseUrl === 'string' ? [opts.baseUrl] : opts.baseUrl).map((u) => u.replace(/\/+$/, ''));
    if (this.baseUrls.length === 0) throw new RangeError('HttpClient needs at least one base URL');
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retryForMs = opts.retryForMs ?? 0;
  }

  /** `affinity`: who is calling (a terminal id), so each caller keeps to one replica; `repeatable`: safe to send again. */
  async call(
    method: 'GET' | 'POST',
    path: string,
    opts: { token?: string; body?: unknown; query?: Record<string, string | undefined>; affinity?: string; repeatable?: boolean } = {},
  ): Promise<Json> {
    const affinity = opts.affinity ?? path;
    const repeatable = opts.repeatable ?? method === 'GET';
    const deadline = Date.now() + (repeatable ? this.retryForMs : 0);
    for (;;) {
      const replica = this.replicaOf.get(affinity) ?? [...affinity].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % this.baseUrls.length;
      try {
        return await this.once(this.baseUrls[replica], method, path, opts);
      } catch (err) {
        const again = err instanceof ApiError && (err.status === 0 || err.responseCode === '96') && Date.now() < deadline;
        if (!again) throw err;
        this.retransmissions++;
        this.replicaOf.set(affinity, (replica + 1) % this.baseUrls.length);
        await pause(200);
      }
    }
  }

  private async once(baseUrl: string, method: 'GET' | 'POST', path: string, opts: { token?: string; body?: unknown; query?: Record<string, string | undefined> }): Promise<Json> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, v);
    const url = `${baseUrl}${path}${qs.size ? `?${qs.toString()}` : ''}`;
    const label = `${method} ${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    this.requests++;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : toWireJson(opts.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ApiError(0, 'NETWORK', err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err), undefined, undefined, label);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      // The connection dropped while the answer was on its way: the request may or may not have been done.
      throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : String(err), undefined, undefined, label);
    }
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const e = isObject(parsed) && isObject(parsed.error) ? parsed.error : undefined;
      throw new ApiError(
        res.status,
        typeof e?.code === 'string' ? e.code : `HTTP_${res.status}`,
        typeof e?.message === 'string' ? e.message : text.slice(0, 300),
        typeof e?.responseCode === 'string' ? e.responseCode : undefined,
        e?.details,
        label,
      );
    }
    if (!isObject(parsed)) throw new ApiError(res.status, 'BAD_RESPONSE', `not a JSON object: ${text.slice(0, 300)}`, undefined, undefined, label);
    return parsed;
  }
}

// ---------- back office ----------

export interface RegisterTerminalRequest {
  readonly terminalId: string;
  readonly merchantId: string;
  readonly merchantName: string;
  readonly currencies: readonly { currency: string; maxAmount: bigint }[];
  readonly operators: readonly { operatorId: string; password: string }[];
}

export interface Registered {
  readonly terminalId: string;
  readonly apiKey: string;
  /** The ISO 8583 terminal master key, 32 hex digits (docs/iso8583.md). */
  readonly masterKey: string;
  readonly batchNo: string;
  readonly businessDay: string;
}

export const registerTerminal = async (http: HttpClient, adminToken: string, req: RegisterTerminalRequest): Promise<Registered> => {
  const r = await http.call('POST', '/v1/admin/terminals', { token: adminToken, body: req });
  return { terminalId: str(r, 'terminalId'), apiKey: str(r, 'apiKey'), masterKey: str(r, 'masterKey'), batchNo: str(r, 'batchNo'), businessDay: str(r, 'businessDay') };
};

// ---------- read side ----------

export const parseTotalsRow = (raw: unknown): TotalsRow => {
  if (!isObject(raw)) throw new ApiError(0, 'BAD_RESPONSE', `daily-totals row is not an object: ${JSON.stringify(raw)}`);
  return {
    merchantId: str(raw, 'merchantId'),
    terminalId: str(raw, 'terminalId'),
    businessDay: str(raw, 'businessDay'),
    method: str(raw, 'method'),
    currency: str(raw, 'currency'),
    salesCount: countFrom(raw.salesCount, 'salesCount'),
    salesAmount: amountFrom(raw.salesAmount, 'salesAmount'),
    voidsCount: countFrom(raw.voidsCount, 'voidsCount'),
    voidsAmount: amountFrom(raw.voidsAmount, 'voidsAmount'),
    refundsCount: countFrom(raw.refundsCount, 'refundsCount'),
    refundsAmount: amountFrom(raw.refundsAmount, 'refundsAmount'),
    reversalsCount: countFrom(raw.reversalsCount ?? 0, 'reversalsCount'),
    gross: amountFrom(raw.gross, 'gross'),
    fees: amountFrom(raw.fees, 'fees'),
    net: amountFrom(raw.net, 'net'),
    settledBatches: countFrom(raw.settledBatches ?? 0, 'settledBatches'),
  };
};

export const dailyTotals = async (http: HttpClient, token: string, query: { businessDay: string; merchantId?: string; terminalId?: string }): Promise<TotalsRow[]> => {
  const r = await http.call('GET', '/v1/reconciliation/daily-totals', { token, query });
  if (!Array.isArray(r.rows)) throw new ApiError(200, 'BAD_RESPONSE', 'daily-totals answer has no rows array');
  return r.rows.map(parseTotalsRow);
};

export interface Posting {
  readonly account: string;
  readonly side: string;
  readonly amount: bigint;
  readonly currency: string;
}

export interface SettlementLine {
  readonly currency: string;
  readonly method: string;
  readonly salesCount: number;
  readonly salesAmount: bigint;
  readonly voidsCount: number;
  readonly voidsAmount: bigint;
  readonly refundsCount: number;
  readonly refundsAmount: bigint;
  readonly gross: bigint;
  readonly fees: bigint;
  readonly net: bigint;
}

export interface Settlement {
  readonly settlementId: string;
  readonly terminalId: string;
  readonly merchantId: string;
  readonly batchNo: string;
  readonly businessDay: string;
  readonly closeResult: string;
  readonly lines: readonly SettlementLine[];
  readonly postings: readonly Posting[];
}

const parseSettlement = (raw: unknown): Settlement => {
  if (!isObject(raw)) throw new ApiError(0, 'BAD_RESPONSE', 'settlement is not an object');
  const lines = Array.isArray(raw.lines) ? raw.lines : [];
  const postings = Array.isArray(raw.postings) ? raw.postings : [];
  return {
    settlementId: typeof raw.settlementId === 'string' ? raw.settlementId : '?',
    terminalId: str(raw, 'terminalId'),
    merchantId: typeof raw.merchantId === 'string' ? raw.merchantId : '?',
    batchNo: str(raw, 'batchNo'),
    businessDay: str(raw, 'businessDay'),
    closeResult: typeof raw.closeResult === 'string' ? raw.closeResult : '?',
    lines: lines.filter(isObject).map((l) => ({
      currency: str(l, 'currency'),
      method: str(l, 'method'),
      salesCount: countFrom(l.salesCount, 'salesCount'),
      salesAmount: amountFrom(l.salesAmount, 'salesAmount'),
      voidsCount: countFrom(l.voidsCount, 'voidsCount'),
      voidsAmount: amountFrom(l.voidsAmount, 'voidsAmount'),
      refundsCount: countFrom(l.refundsCount, 'refundsCount'),
      refundsAmount: amountFrom(l.refundsAmount, 'refundsAmount'),
      gross: amountFrom(l.gross, 'gross'),
      fees: amountFrom(l.fees, 'fees'),
      net: amountFrom(l.net, 'net'),
    })),
    postings: postings.filter(isObject).map((p) => ({
      account: str(p, 'account'),
      side: str(p, 'side'),
      amount: amountFrom(p.amount, 'posting amount'),
      currency: str(p, 'currency'),
    })),
  };
};

export const settlements = async (http: HttpClient, token: string, query: { terminalId: string; businessDay: string }): Promise<Settlement[]> => {
  const r = await http.call('GET', '/v1/settlement/settlements', { token, query });
  if (!Array.isArray(r.settlements)) throw new ApiError(200, 'BAD_RESPONSE', 'settlements answer has no settlements array');
  return r.settlements.map(parseSettlement);
};

// ---------- terminal ----------

export interface TxAnswer {
  readonly responseCode: string;
  readonly rrn: string;
  readonly authCode?: string;
  readonly transactionId?: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly batchNo: string;
  readonly businessDay: string;
}

const txAnswer = (r: Json): TxAnswer => ({
  responseCode: str(r, 'responseCode'),
  rrn: str(r, 'rrn'),
  authCode: typeof r.authCode === 'string' ? r.authCode : undefined,
  transactionId: typeof r.transactionId === 'string' ? r.transactionId : undefined,
  amount: amountFrom(r.amount),
  currency: str(r, 'currency'),
  batchNo: str(r, 'batchNo'),
  businessDay: str(r, 'businessDay'),
});

export interface SettleAnswer {
  readonly responseCode: string;
  readonly result: 'BALANCED' | 'UNBALANCED';
  readonly batchNo: string;
  readonly businessDay?: string;
  readonly nextBatchNo?: string;
  readonly nextBusinessDay?: string;
  readonly hostTotals?: unknown;
  readonly terminalTotals?: unknown;
}

export interface UploadAnswer {
  readonly responseCode: string;
  readonly items: readonly { stan: string; outcome: string; rrn?: string }[];
}

export interface UploadEndAnswer {
  readonly responseCode: string;
  readonly result: string;
  readonly batchNo: string;
  readonly nextBatchNo?: string;
  readonly nextBusinessDay?: string;
  readonly differences?: unknown;
}

export type SaleBody = {
  stan: string;
  batchNo: string;
  amount: bigint;
  currency: string;
  method: Method;
  card?: { pan: string };
  qr?: { payerToken: string };
};

/** What a terminal says to the host, whichever protocol carries it (HTTP here, ISO 8583 in iso-terminal-api.ts). */
export interface TerminalChannel {
  /** Records per batch-upload request: a JSON request carries up to 500, a 0320 one. */
  readonly uploadChunk: number;
  signOn(body: { stan: string; operatorId: string; password: string }): Promise<{ responseCode: string; batchNo: string; businessDay: string }>;
  sale(body: SaleBody): Promise<TxAnswer>;
  voidSale(body: { stan: string; batchNo: string; originalRrn: string }): Promise<TxAnswer>;
  refund(body: { stan: string; batchNo: string; originalRrn: string; amount: bigint }): Promise<TxAnswer>;
  reversal(body: { stan: string; batchNo: string; originalStan: string; reason: '98' | '96' | 'A0' }): Promise<{ responseCode: string; reversed: boolean; rrn?: string }>;
  settle(body: { stan: string; batchNo: string; operatorId: string; password: string; totals: readonly SettlementTotals[] }): Promise<SettleAnswer>;
  batchUpload(body: { stan: string; batchNo: string; transactions: readonly UploadItem[] }): Promise<UploadAnswer>;
  batchUploadEnd(body: { stan: string; batchNo: string }): Promise<UploadEndAnswer>;
  signOff(body: { stan: string }): Promise<{ responseCode: string; batchNo?: string }>;
  close(): Promise<void>;
}

/** One terminal's calls over HTTP, authenticated with its apiKey. */
export class TerminalApi implements TerminalChannel {
  readonly uploadChunk = 500;

  constructor(
    private readonly http: HttpClient,
    readonly terminalId: string,
    private readonly apiKey: string,
  ) {}

  /** A terminal request: the host answers each trace number once, so it may be sent again. */
  private post(path: string, body: unknown): Promise<Json> {
    return this.http.call('POST', `/v1/terminals/${encodeURIComponent(this.terminalId)}/${path}`, { token: this.apiKey, body, affinity: this.terminalId, repeatable: true });
  }

  async signOn(body: { stan: string; operatorId: string; password: string }): Promise<{ responseCode: string; batchNo: string; businessDay: string }> {
    const r = await this.post('sign-on', body);
    return { responseCode: str(r, 'responseCode'), batchNo: str(r, 'batchNo'), businessDay: str(r, 'businessDay') };
  }

  async sale(body: SaleBody): Promise<TxAnswer> {
    return txAnswer(await this.post('sales', body));
  }

  async voidSale(body: { stan: string; batchNo: string; originalRrn: string }): Promise<TxAnswer> {
    return txAnswer(await this.post('voids', body));
  }

  async refund(body: { stan: string; batchNo: string; originalRrn: string; amount: bigint }): Promise<TxAnswer> {
    return txAnswer(await this.post('refunds', body));
  }

  async reversal(body: { stan: string; batchNo: string; originalStan: string; reason: '98' | '96' | 'A0' }): Promise<{ responseCode: string; reversed: boolean; rrn?: string }> {
    const r = await this.post('reversals', body);
    if (typeof r.reversed !== 'boolean') throw new ApiError(200, 'BAD_RESPONSE', `reversal answer without 'reversed': ${toWireJson(r)}`);
    return { responseCode: str(r, 'responseCode'), reversed: r.reversed, rrn: typeof r.rrn === 'string' ? r.rrn : undefined };
  }

  async settle(body: { stan: string; batchNo: string; operatorId: string; password: string; totals: readonly SettlementTotals[] }): Promise<SettleAnswer> {
    const r = await this.post('settlement', body);
    const result = str(r, 'result');
    if (result !== 'BALANCED' && result !== 'UNBALANCED') throw new ApiError(200, 'BAD_RESPONSE', `settlement result ${result}`);
    return {
      responseCode: str(r, 'responseCode'),
      result,
      batchNo: str(r, 'batchNo'),
      businessDay: typeof r.businessDay === 'string' ? r.businessDay : undefined,
      nextBatchNo: typeof r.nextBatchNo === 'string' ? r.nextBatchNo : undefined,
      nextBusinessDay: typeof r.nextBusinessDay === 'string' ? r.nextBusinessDay : undefined,
      hostTotals: r.hostTotals,
      terminalTotals: r.terminalTotals,
    };
  }

  async batchUpload(body: { stan: string; batchNo: string; transactions: readonly UploadItem[] }): Promise<UploadAnswer> {
    const r = await this.post('batch-upload', body);
    if (!Array.isArray(r.items)) throw new ApiError(200, 'BAD_RESPONSE', 'batch-upload answer has no items array');
    return {
      responseCode: str(r, 'responseCode'),
      items: r.items.filter(isObject).map((i) => ({ stan: str(i, 'stan'), outcome: str(i, 'outcome'), rrn: typeof i.rrn === 'string' ? i.rrn : undefined })),
    };
  }

  async batchUploadEnd(body: { stan: string; batchNo: string }): Promise<UploadEndAnswer> {
    const r = await this.post('batch-upload/end', body);
    return {
      responseCode: str(r, 'responseCode'),
      result: str(r, 'result'),
      batchNo: str(r, 'batchNo'),
      nextBatchNo: typeof r.nextBatchNo === 'string' ? r.nextBatchNo : undefined,
      nextBusinessDay: typeof r.nextBusinessDay === 'string' ? r.nextBusinessDay : undefined,
      differences: r.differences,
    };
  }

  async signOff(body: { stan: string }): Promise<{ responseCode: string; batchNo?: string }> {
    const r = await this.post('sign-off', body);
    return { responseCode: str(r, 'responseCode'), batchNo: typeof r.batchNo === 'string' ? r.batchNo : undefined };
  }

  /** HTTP keeps no connection of the terminal's own. */
  async close(): Promise<void> {}
}
