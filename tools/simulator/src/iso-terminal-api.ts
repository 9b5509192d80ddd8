/**
 * The terminal's calls over the gateway's ISO 8583 front (docs/iso8583.md) instead of HTTP:
 * the same requests, as the messages a POS terminal sends, each MACed under the session's key
 * and each answer's MAC checked (`@pos/iso-terminal`). Registration stays on the back-office
 * HTTP API, as it is in the field.
 */
import { dayOfMmdd, type IsoAnswer, IsoTerminal } from '@pos/iso-terminal';
import { CURRENCIES, type CurrencyCode } from '@pos/money';
import { SecretKey } from '@pos/terminal-keys';
import { ApiError, type Registered, type SaleBody, type SettleAnswer, type TerminalChannel, type TxAnswer, type UploadAnswer, type UploadEndAnswer } from './api-client';
import type { SettlementTotals, UploadItem } from './batch';

/** Where the ISO 8583 front listens. */
export interface IsoAddress {
  readonly host: string;
  readonly port: number;
}

/** `host:port`, or a bare port on loopback. */
export const parseIsoAddress = (raw: string): IsoAddress => {
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(raw);
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65_535) throw new RangeError(`--iso8583 must be host:port or a port, got '${raw}'`);
  return { host: m[1] ?? '127.0.0.1', port };
};

const numeric = (alpha: string): string => {
  const c = CURRENCIES[alpha as CurrencyCode];
  if (!c) throw new RangeError(`no ISO 4217 numeric code for ${alpha}`);
  return c.numeric;
};
const alphaOf = new Map<string, string>(Object.entries(CURRENCIES).map(([alpha, c]) => [c.numeric, alpha]));
const n12 = (amount: bigint) => amount.toString().padStart(12, '0');
const n3 = (count: number) => String(count).padStart(3, '0');
/** 60: type code n2, batch number n6, optionally the network management code n3. */
const f60 = (type: string, batchNo: string, network = '') => `${type}${batchNo}${network}`;
const ENTRY = { card: '021', qr: '031' } as const;
const PROCESSING = { sale: '000000', voidOrRefund: '200000' } as const;
const TYPE = { management: '00', sale: '22', void: '23', refund: '25' } as const;
const RECORD_TYPE: Record<UploadItem['kind'], string> = { SALE: TYPE.sale, VOID: TYPE.void, REFUND: TYPE.refund };

/** 48 of a 0500 / 0510: per currency 33 digits (currency, debit count and amount, credit count and amount). */
const totalsField = (totals: readonly SettlementTotals[]) =>
  totals.map((t) => numeric(t.currency) + n3(t.debitCount) + n12(t.debitAmount) + n3(t.creditCount) + n12(t.creditAmount)).join('');

const parseTotals = (blocks: string): SettlementTotals[] =>
  Array.from({ length: Math.floor(blocks.length / 33) }, (_, i) => blocks.slice(i * 33, i * 33 + 33)).map((b) => ({
    currency: alphaOf.get(b.slice(0, 3)) ?? b.slice(0, 3),
    debitCount: Number(b.slice(3, 6)),
    debitAmount: BigInt(b.slice(6, 18)),
    creditCount: Number(b.slice(18, 21)),
    creditAmount: BigInt(b.slice(21, 33)),
  }));

/** One terminal's connection to the ISO 8583 front for its day. */
export class IsoTerminalApi implements TerminalChannel {
  /** A 0320 carries one record. */
  readonly uploadChunk = 1;
  requests = 0;

  private constructor(
    private readonly terminal: IsoTerminal,
    /** The batch the host last told the terminal to use (60.2 of sign-on and of a batch close). */
    private batchNo: string,
    private readonly now: () => Date,
  ) {}

  static async connect(at: IsoAddress, registered: Registered, merchantId: string, now: () => Date = () => new Date()): Promise<IsoTerminalApi> {
    const terminal = await IsoTerminal.connect(at, registered.terminalId, SecretKey.fromHex('TMK', registered.masterKey), merchantId);
    return new IsoTerminalApi(terminal, registered.batchNo, now);
  }

  private send(mti: string, fields: Record<number, string>): Promise<IsoAnswer> {
    this.requests++;
    return this.terminal.request(mti, fields);
  }

  /** A refusal, as the HTTP client reports one (no HTTP status: the code is field 39's). */
  private refused(label: string, a: IsoAnswer): never {
    const code = a.field(39) ?? '??';
    throw new ApiError(0, 'ISO_DECLINED', `${a.message.mti} answered 39=${code}`, code, undefined, label);
  }

  private field(label: string, a: IsoAnswer, n: number): string {
    const v = a.field(n);
    if (v === undefined) throw new ApiError(0, 'BAD_RESPONSE', `${a.message.mti} has no field ${n}`, a.field(39), undefined, label);
    return v;
  }

  private batchOf(label: string, a: IsoAnswer): string {
    return this.field(label, a, 60).slice(2, 8);
  }

  private tx(label: string, a: IsoAnswer): TxAnswer {
    if (a.field(39) !== '00') this.refused(label, a);
    return {
      responseCode: '00',
      rrn: this.field(label, a, 37).trim(),
      authCode: a.field(38),
      amount: BigInt(this.field(label, a, 4)),
      currency: alphaOf.get(this.field(label, a, 49)) ?? this.field(label, a, 49),
      batchNo: this.batchOf(label, a),
      businessDay: dayOfMmdd(this.field(label, a, 15), this.now()),
    };
  }

  async signOn(body: { stan: string; operatorId: string; password: string }) {
    this.requests++;
    const a = await this.terminal.signOn({ 11: body.stan, 60: f60(TYPE.management, this.batchNo, '001'), 63: `${body.operatorId} ${body.password}` });
    const responseCode = a.field(39) ?? '??';
    if (responseCode !== '00') return { responseCode, batchNo: '', businessDay: '' };
    this.batchNo = this.batchOf('0800', a);
    return { responseCode, batchNo: this.batchNo, businessDay: dayOfMmdd(this.field('0800', a, 15), this.now()) };
  }

  async sale(body: SaleBody): Promise<TxAnswer> {
    const means: Record<number, string> = body.card ? { 2: body.card.pan, 22: ENTRY.card } : { 22: ENTRY.qr, 48: body.qr?.payerToken ?? '' };
    const a = await this.send('0200', { 3: PROCESSING.sale, 4: n12(body.amount), 11: body.stan, ...means, 49: numeric(body.currency), 60: f60(TYPE.sale, body.batchNo) });
    return this.tx('0200 sale', a);
  }

  async voidSale(body: { stan: string; batchNo: string; originalRrn: string }): Promise<TxAnswer> {
    const a = await this.send('0200', { 3: PROCESSING.voidOrRefund, 11: body.stan, 37: body.originalRrn, 60: f60(TYPE.void, body.batchNo) });
    return this.tx('0200 void', a);
  }

  async refund(body: { stan: string; batchNo: string; originalRrn: string; amount: bigint }): Promise<TxAnswer> {
    const a = await this.send('0220', { 3: PROCESSING.voidOrRefund, 4: n12(body.amount), 11: body.stan, 37: body.originalRrn, 60: f60(TYPE.refund, body.batchNo) });
    return this.tx('0220 refund', a);
  }

  async reversal(body: { stan: string; batchNo: string; originalStan: string; reason: '98' | '96' | 'A0' }) {
    const a = await this.send('0400', { 11: body.stan, 39: body.reason, 60: f60(TYPE.sale, body.batchNo), 61: `${body.batchNo}${body.originalStan}` });
    if (a.field(39) !== '00') this.refused('0400', a);
    // 37 names the reversed transaction; it is absent when there was nothing to reverse.
    const rrn = a.field(37)?.trim();
    return { responseCode: '00', reversed: rrn !== undefined, rrn };
  }

  async settle(body: { stan: string; batchNo: string; operatorId: string; password: string; totals: readonly SettlementTotals[] }): Promise<SettleAnswer> {
    const a = await this.send('0500', { 11: body.stan, 48: totalsField(body.totals), 60: f60(TYPE.management, body.batchNo, '201'), 63: `${body.operatorId} ${body.password}` });
    const code = a.field(39);
    if (code !== '00' && code !== '95') this.refused('0500', a);
    const f48 = this.field('0500', a, 48);
    const result = f48.endsWith('1') ? 'BALANCED' : 'UNBALANCED';
    if (result === 'BALANCED') this.batchNo = this.batchOf('0500', a);
    return {
      responseCode: code,
      result,
      batchNo: body.batchNo,
      ...(result === 'BALANCED' ? { nextBatchNo: this.batchNo, nextBusinessDay: dayOfMmdd(this.field('0500', a, 15), this.now()) } : {}),
      hostTotals: parseTotals(f48.slice(0, -1)),
      terminalTotals: body.totals,
    };
  }

  async batchUpload(body: { stan: string; batchNo: string; transactions: readonly UploadItem[] }): Promise<UploadAnswer> {
    if (body.transactions.length !== 1) throw new RangeError(`a 0320 carries one record, got ${body.transactions.length}`);
    const [t] = body.transactions;
    const record: Record<number, string> = {
      3: t.kind === 'SALE' ? PROCESSING.sale : PROCESSING.voidOrRefund,
      4: n12(t.amount), 11: body.stan, 22: t.method === 'QR' ? ENTRY.qr : ENTRY.card, 49: numeric(t.currency),
      60: f60(RECORD_TYPE[t.kind], body.batchNo), 61: t.stan,
    };
    if (t.rrn) record[37] = t.rrn;
    if (t.originalRrn) record[62] = t.originalRrn;
    const a = await this.send('0320', record);
    if (a.field(39) !== '00') this.refused('0320', a);
    const rrn = a.field(37)?.trim();
    return { responseCode: '00', items: [{ stan: t.stan, outcome: this.field('0320', a, 48), ...(rrn ? { rrn } : {}) }] };
  }

  async batchUploadEnd(body: { stan: string; batchNo: string }): Promise<UploadEndAnswer> {
    const a = await this.send('0320', { 11: body.stan, 60: f60(TYPE.management, body.batchNo, '202') });
    if (a.field(39) !== '00') this.refused('0320 end', a);
    this.batchNo = this.batchOf('0320', a);
    return {
      responseCode: '00',
      result: this.field('0320', a, 48).endsWith('1') ? 'BALANCED' : 'UNBALANCED',
      batchNo: body.batchNo,
      nextBatchNo: this.batchNo,
      nextBusinessDay: dayOfMmdd(this.field('0320', a, 15), this.now()),
    };
  }

  async signOff(body: { stan: string }) {
    const a = await this.send('0820', { 11: body.stan, 60: f60(TYPE.management, this.batchNo, '002') });
    return { responseCode: a.field(39) ?? '??', batchNo: a.field(60)?.slice(2, 8) };
  }

  close(): Promise<void> {
    return this.terminal.close();
  }
}
