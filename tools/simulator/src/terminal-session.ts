/**
 * One terminal's business day over the HTTP API: register, sign on, a seeded mix of
 * sales / voids / refunds / reversals (with the odd retransmission), settle (uploading the
 * batch when the host answers unbalanced), sign off. It keeps its own journal and notes
 * everything the host said that contradicts it.
 */
import { ApiError, HttpClient, type Registered, registerTerminal, TerminalApi, type TerminalChannel, type SaleBody, type TxAnswer } from './api-client';
import { chunk, terminalTotals, uploadItems, type JournalEntry, type Method, type SaleEntry } from './batch';
import { formatStan, nextStan } from './ids';
import { randomPan } from './luhn';
import { forkPrng, type Prng } from '@pos/kernel';
import type { TerminalJournal } from './record';

export const OPERATOR_ID = '01';
export const CURRENCY = 'CNY';
export const MAX_AMOUNT = 500_000n;

/** Probabilities of each step of the day (the rest are sales). */
export const MIX = { reversal: 0.02, void: 0.08, refund: 0.07, retry: 0.03, bankCard: 0.7 } as const;

export interface TerminalPlan {
  readonly seed: number;
  readonly index: number;
  readonly terminalId: string;
  readonly merchantId: string;
  readonly merchantName: string;
  readonly transactions: number;
  /** Holds one offline sale the host never sees, so its settlement is unbalanced. */
  readonly unbalanced: boolean;
  /** Charges one card twice under two trace numbers (a terminal fault the host cannot tell from two purchases). */
  readonly duplicateCharge?: boolean;
}

export interface TerminalStats {
  /** Financial messages sent online (sales, voids, refunds, reversals), retries excluded. */
  transactions: number;
  sales: number;
  voids: number;
  refunds: number;
  reversals: number;
  offlineSales: number;
  retries: number;
  uploaded: number;
}

export interface TerminalOutcome {
  readonly plan: TerminalPlan;
  readonly journal: TerminalJournal;
  businessDay?: string;
  batchNo?: string;
  closeResult?: 'BALANCED' | 'UNBALANCED';
  readonly stats: TerminalStats;
  /** Contradictions between the host's answers and the terminal's record (count as mismatches). */
  readonly notes: string[];
  /** Set when the day could not be completed (counts as an error). */
  error?: string;
}

/** How a registered terminal reaches the host for its day: HTTP by default, or ISO 8583 (iso-terminal-api.ts). */
export type Connect = (registered: Registered, plan: TerminalPlan) => Promise<TerminalChannel>;

/** The HTTP API, with the terminal's API key. */
export const overHttp = (http: HttpClient): Connect => async (r) => new TerminalApi(http, r.terminalId, r.apiKey);

const nextBatchNo = (batchNo: string): string => String(Number(batchNo) >= 999_999 ? 1 : Number(batchNo) + 1).padStart(6, '0');

export class TerminalSession {
  private readonly prng: Prng;
  private readonly entries: JournalEntry[] = [];
  private sales: SaleEntry[] = [];
  private readonly settledBatchNos: string[] = [];
  private stan = 0;
  private api?: TerminalChannel;
  private password = '';
  private batchNo = '';
  private businessDay = '';
  /** The last financial message sent online, for a reversal of "my last sale". */
  private lastSent?: JournalEntry;
  /** The card of the last sale (bank card), for a duplicate charge. */
  private lastPan?: string;
  private duplicated = false;
  readonly outcome: TerminalOutcome;

  constructor(
    private readonly http: HttpClient,
    private readonly adminToken: string,
    readonly plan: TerminalPlan,
    private readonly connect: Connect = overHttp(http),
  ) {
    this.prng = forkPrng(plan.seed, `terminal-${plan.index}`);
    this.outcome = {
      plan,
      journal: { merchantId: plan.merchantId, terminalId: plan.terminalId, entries: this.entries, settledBatchNos: this.settledBatchNos },
      stats: { transactions: 0, sales: 0, voids: 0, refunds: 0, reversals: 0, offlineSales: 0, retries: 0, uploaded: 0 },
      notes: [],
    };
  }

  /** Runs the whole day; never throws: a failure ends the day and is reported in `outcome.error`. */
  async run(): Promise<TerminalOutcome> {
    try {
      await this.register();
      await this.signOn();
      await this.transact();
      await this.settle();
      await this.signOff();
    } catch (err) {
      this.outcome.error = `${this.plan.terminalId}: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      await this.api?.close();
    }
    return this.outcome;
  }

  private note(msg: string): void {
    this.outcome.notes.push(`${this.plan.terminalId}: ${msg}`);
  }

  private takeStan(): string {
    this.stan = nextStan(this.stan);
    return formatStan(this.stan);
  }

  private terminal(): TerminalChannel {
    if (!this.api) throw new Error('not registered');
    return this.api;
  }

  private async register(): Promise<void> {
    this.password = `${this.prng.digits(6)}`;
    const req = {
      terminalId: this.plan.terminalId,
      merchantId: this.plan.merchantId,
      merchantName: this.plan.merchantName,
      currencies: [{ currency: CURRENCY, maxAmount: 5_000_000n }],
      operators: [{ operatorId: OPERATOR_ID, password: this.password }],
    };
    // Terminals of one merchant register concurrently: a write conflict on the merchant is retryable.
    for (let attempt = 1; ; attempt++) {
      let registered: Registered;
      try {
        registered = await registerTerminal(this.http, this.adminToken, req);
      } catch (err) {
        if (err instanceof ApiError && err.status === 409 && /ALREADY|EXISTS|DUPLICATE/i.test(err.code)) {
          throw new Error(`${err.message} (terminal ids derive from the seed: run again with another --seed)`);
        }
        const retryable = err instanceof ApiError && (err.status === 409 || err.status === 503) && /CONFLICT|CONCURREN|UNAVAILABLE/i.test(err.code);
        if (!retryable || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 20 * attempt));
        continue;
      }
      this.api = await this.connect(registered, this.plan);
      return;
    }
  }

  private async signOn(): Promise<void> {
    const r = await this.terminal().signOn({ stan: this.takeStan(), operatorId: OPERATOR_ID, password: this.password });
    if (r.responseCode !== '00') throw new Error(`sign-on answered ${r.responseCode}`);
    this.batchNo = r.batchNo;
    this.businessDay = r.businessDay;
    this.outcome.batchNo = r.batchNo;
    this.outcome.businessDay = r.businessDay;
  }

  private async transact(): Promise<void> {
    const n = this.plan.transactions;
    const offlineAt = this.plan.unbalanced ? this.prng.int(0, Math.max(0, n - 1)) : -1;
    if (this.plan.unbalanced && n === 0) this.holdOfflineSale();
    for (let step = 0; step < n; step++) {
      if (step === offlineAt) this.holdOfflineSale();
      const r = this.prng.next();
      const last = this.lastSent;
      if (r < MIX.reversal && last?.kind === 'SALE') {
        await this.reverse(last);
        continue;
      }
      if (r < MIX.reversal + MIX.void) {
        const sale = this.pickSale((s) => !s.voided && s.refunded === 0n);
        if (sale) {
          await this.voidSale(sale);
          continue;
        }
      } else if (r < MIX.reversal + MIX.void + MIX.refund) {
        const sale = this.pickSale((s) => !s.voided && s.refunded < s.amount);
        if (sale) {
          await this.refund(sale);
          continue;
        }
      }
      await this.sale();
      const first = this.lastSent;
      if (this.plan.duplicateCharge && !this.duplicated && first?.kind === 'SALE' && first.method === 'BANK_CARD' && this.lastPan) {
        this.duplicated = true;
        await this.sale({ amount: first.amount, pan: this.lastPan });
        // Neither charge is reversed, voided or refunded later: the pair stays a pair.
        this.sales = this.sales.filter((x) => x !== first && x !== this.lastSent);
        this.lastSent = undefined;
      }
    }
  }

  /** A random online, unreversed sale satisfying `ok`, or none after a few tries (deterministic). */
  private pickSale(ok: (s: SaleEntry) => boolean): SaleEntry | undefined {
    if (this.sales.length === 0) return undefined;
    for (let i = 0; i < 8; i++) {
      const s = this.prng.pick(this.sales);
      if (!s.offline && !s.reversed && ok(s)) return s;
    }
    return undefined;
  }

  /** An offline sale: in the terminal's journal and totals, never sent online. */
  private holdOfflineSale(): void {
    const sale: SaleEntry = {
      kind: 'SALE',
      stan: this.takeStan(),
      batchNo: this.batchNo,
      businessDay: this.businessDay,
      method: 'BANK_CARD',
      amount: this.prng.bigintBetween(1n, MAX_AMOUNT),
      currency: CURRENCY,
      offline: true,
      voided: false,
      refunded: 0n,
      reversed: false,
    };
    this.entries.push(sale);
    this.outcome.stats.offlineSales++;
  }

  /** Sends once, and now and then a second time with the same STAN and body: the answer must be the original one. */
  private async withRetry(kind: string, stan: string, send: () => Promise<TxAnswer>): Promise<TxAnswer> {
    const first = await send();
    if (this.prng.chance(MIX.retry)) {
      this.outcome.stats.retries++;
      let again: TxAnswer;
      try {
        again = await send();
      } catch (err) {
        // The first answer stands; a refused retransmission is the host's contradiction, not the terminal's failure.
        this.note(`retried ${kind} stan ${stan} with the same body was refused: ${err instanceof Error ? err.message : String(err)}`);
        this.outcome.stats.transactions++;
        return first;
      }
      const fields = ['responseCode', 'rrn', 'authCode', 'transactionId', 'amount', 'currency', 'batchNo', 'businessDay'] as const;
      for (const f of fields) {
        if (first[f] !== again[f]) this.note(`retried ${kind} stan ${stan}: ${f} ${String(again[f])}, first answer ${String(first[f])}`);
      }
    }
    this.outcome.stats.transactions++;
    return first;
  }

  private checkAnswer(kind: string, stan: string, a: TxAnswer, amount: bigint): void {
    if (a.responseCode !== '00') this.note(`${kind} stan ${stan} answered responseCode ${a.responseCode}`);
    if (a.amount !== amount) this.note(`${kind} stan ${stan} answered amount ${a.amount}, sent ${amount}`);
    if (a.currency !== CURRENCY) this.note(`${kind} stan ${stan} answered currency ${a.currency}`);
    if (a.batchNo !== this.batchNo) this.note(`${kind} stan ${stan} answered batch ${a.batchNo}, open batch ${this.batchNo}`);
  }

  /** A sale; `again` charges a card and amount a second time (a duplicate charge). */
  private async sale(again?: { amount: bigint; pan: string }): Promise<void> {
    const method: Method = again ? 'BANK_CARD' : this.prng.chance(MIX.bankCard) ? 'BANK_CARD' : 'QR';
    const amount = again?.amount ?? this.prng.bigintBetween(1n, MAX_AMOUNT);
    const stan = this.takeStan();
    const pan = method === 'BANK_CARD' ? (again?.pan ?? randomPan(this.prng)) : undefined;
    this.lastPan = pan;
    const body: SaleBody =
      pan !== undefined
        ? { stan, batchNo: this.batchNo, amount, currency: CURRENCY, method, card: { pan } }
        : { stan, batchNo: this.batchNo, amount, currency: CURRENCY, method, qr: { payerToken: `PT${this.prng.digits(18)}` } };
    const a = await this.withRetry('sale', stan, () => this.terminal().sale(body));
    this.checkAnswer('sale', stan, a, amount);
    const entry: SaleEntry = {
      kind: 'SALE',
      stan,
      batchNo: this.batchNo,
      businessDay: a.businessDay,
      method,
      amount,
      currency: CURRENCY,
      rrn: a.rrn,
      offline: false,
      voided: false,
      refunded: 0n,
      reversed: false,
    };
    this.entries.push(entry);
    this.sales.push(entry);
    this.lastSent = entry;
    this.outcome.stats.sales++;
  }

  private async voidSale(sale: SaleEntry): Promise<void> {
    const stan = this.takeStan();
    const originalRrn = sale.rrn ?? '';
    const a = await this.withRetry('void', stan, () => this.terminal().voidSale({ stan, batchNo: this.batchNo, originalRrn }));
    this.checkAnswer('void', stan, a, sale.amount);
    sale.voided = true;
    const entry: JournalEntry = { kind: 'VOID', stan, batchNo: this.batchNo, businessDay: a.businessDay, method: sale.method, amount: sale.amount, currency: CURRENCY, rrn: a.rrn, originalRrn };
    this.entries.push(entry);
    this.lastSent = entry;
    this.outcome.stats.voids++;
  }

  private async refund(sale: SaleEntry): Promise<void> {
    const remaining = sale.amount - sale.refunded;
    // part of the amount: a first refund leaves something unrefunded when it can
    const max = sale.refunded === 0n && remaining > 1n ? remaining - 1n : remaining;
    const amount = this.prng.bigintBetween(1n, max);
    const stan = this.takeStan();
    const originalRrn = sale.rrn ?? '';
    const a = await this.withRetry('refund', stan, () => this.terminal().refund({ stan, batchNo: this.batchNo, originalRrn, amount }));
    this.checkAnswer('refund', stan, a, amount);
    sale.refunded += amount;
    const entry: JournalEntry = { kind: 'REFUND', stan, batchNo: this.batchNo, businessDay: a.businessDay, method: sale.method, amount, currency: CURRENCY, rrn: a.rrn, originalRrn };
    this.entries.push(entry);
    this.lastSent = entry;
    this.outcome.stats.refunds++;
  }

  /** Reason 98: the terminal treats its last sale's answer as lost and reverses it. */
  private async reverse(sale: SaleEntry): Promise<void> {
    const stan = this.takeStan();
    const a = await this.terminal().reversal({ stan, batchNo: this.batchNo, originalStan: sale.stan, reason: '98' });
    this.outcome.stats.transactions++;
    this.outcome.stats.reversals++;
    this.lastSent = undefined;
    if (a.responseCode !== '00') this.note(`reversal stan ${stan} answered responseCode ${a.responseCode}`);
    if (!a.reversed) {
      // The host approved that sale moments ago, so it must have had something to reverse.
      this.note(`reversal stan ${stan} of sale stan ${sale.stan} (rrn ${sale.rrn}) answered reversed=false`);
      return;
    }
    if (a.rrn !== undefined && a.rrn !== sale.rrn) this.note(`reversal stan ${stan} names rrn ${a.rrn}, the sale's is ${sale.rrn}`);
    sale.reversed = true;
  }

  private async settle(): Promise<void> {
    const totals = terminalTotals(this.entries);
    const stan = this.takeStan();
    let unbalanced: boolean;
    try {
      const a = await this.terminal().settle({ stan, batchNo: this.batchNo, operatorId: OPERATOR_ID, password: this.password, totals });
      unbalanced = a.result === 'UNBALANCED';
      const expectedCode = unbalanced ? '95' : '00';
      if (a.responseCode !== expectedCode) this.note(`settlement result ${a.result} with responseCode ${a.responseCode}`);
      if (a.businessDay && a.businessDay !== this.businessDay) this.note(`settlement business day ${a.businessDay}, signed on for ${this.businessDay}`);
      if (unbalanced !== this.plan.unbalanced) {
        this.note(
          `settlement answered ${a.result}, expected ${this.plan.unbalanced ? 'UNBALANCED' : 'BALANCED'}; host totals ${JSON.stringify(a.hostTotals)} terminal totals ${JSON.stringify(a.terminalTotals)}`,
        );
      }
      if (!unbalanced) this.checkNextBatch('settlement', a.nextBatchNo);
    } catch (err) {
      // Tolerate a host that answers "unbalanced" as a refusal with response code 95.
      if (!(err instanceof ApiError && err.responseCode === '95')) throw err;
      unbalanced = true;
      if (!this.plan.unbalanced) this.note(`settlement refused as unbalanced: ${err.message}`);
    }
    if (unbalanced) await this.uploadBatch();
    this.outcome.closeResult = unbalanced ? 'UNBALANCED' : 'BALANCED';
    this.settledBatchNos.push(this.batchNo);
  }

  private checkNextBatch(where: string, next: string | undefined): void {
    if (next !== undefined && next !== nextBatchNo(this.batchNo)) this.note(`${where} answered next batch ${next} after ${this.batchNo}`);
  }

  /** 批上送: every surviving transaction, ≤ 500 per request, then the end-of-upload message. */
  private async uploadBatch(): Promise<void> {
    const items = uploadItems(this.entries);
    const byStan = new Map(this.entries.filter((e) => !(e.kind === 'SALE' && e.reversed)).map((e) => [e.stan, e]));
    const seen = new Set<string>();
    for (const part of chunk(items, this.terminal().uploadChunk)) {
      const a = await this.terminal().batchUpload({ stan: this.takeStan(), batchNo: this.batchNo, transactions: part });
      if (a.responseCode !== '00') this.note(`batch upload answered responseCode ${a.responseCode}`);
      for (const item of a.items) {
        seen.add(item.stan);
        const e = byStan.get(item.stan);
        if (!e) {
          this.note(`batch upload answered for unknown stan ${item.stan}`);
          continue;
        }
        const offline = e.kind === 'SALE' && e.offline;
        const expected = offline ? 'BOOKED' : 'MATCHED';
        if (item.outcome !== expected) this.note(`batch upload stan ${item.stan} (${e.kind}${offline ? ', offline' : ''}) ${item.outcome}, expected ${expected}`);
        if (e.kind === 'SALE' && offline && item.rrn) e.rrn = item.rrn;
      }
      this.outcome.stats.uploaded += part.length;
    }
    for (const item of items) if (!seen.has(item.stan)) this.note(`batch upload gave no outcome for stan ${item.stan}`);
    const end = await this.terminal().batchUploadEnd({ stan: this.takeStan(), batchNo: this.batchNo });
    if (end.responseCode !== '00') this.note(`batch upload end answered responseCode ${end.responseCode}`);
    if (end.result !== 'UNBALANCED') this.note(`batch upload end answered result ${end.result}, expected UNBALANCED`);
    this.checkNextBatch('batch upload end', end.nextBatchNo);
  }

  private async signOff(): Promise<void> {
    const r = await this.terminal().signOff({ stan: this.takeStan() });
    if (r.responseCode !== '00') this.note(`sign-off answered responseCode ${r.responseCode}`);
  }
}

export const runTerminalDay = (http: HttpClient, adminToken: string, plan: TerminalPlan, connect?: Connect): Promise<TerminalOutcome> =>
  new TerminalSession(http, adminToken, plan, connect).run();
