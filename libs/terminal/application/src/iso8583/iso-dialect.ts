import { Iso8583Error, type IsoMessage, type IsoValue } from '@pos/iso8583';
import { CURRENCIES, type CurrencyCode } from '@pos/money';
import { TERMINAL_REQUESTS } from '../terminal-requests';

/**
 * The gateway's ISO 8583 dialect (docs/iso8583.md): which HTTP request body each message is,
 * and which fields carry each answer. Pure: the server adds the MAC and the working keys.
 * Every request is built as the HTTP body it stands for and parsed by the same schema, so the
 * two fronts validate and answer alike.
 */
export type RequestName = keyof typeof TERMINAL_REQUESTS;

export interface IsoRequest {
  readonly name: RequestName;
  readonly body: Record<string, unknown>;
}

/** Network management codes (60.3), UnionPay's. */
export const NETWORK = { signOn: ['001', '003', '004'], signOff: '002', settlement: '201', endUploadUnbalanced: '202', endUploadBalanced: '207' } as const;
export const PROCESSING = { sale: '000000', voidOrRefund: '200000' } as const;
/** 22's first two digits that mean a QR code was scanned (UnionPay: 03 bar code / QR). */
const QR_ENTRY = '03';
const TOTALS_BLOCK = 33;

const invalid = (field: number, why: string): never => {
  throw new Iso8583Error('ISO_FIELD_INVALID', `field ${field}: ${why}`, field);
};

const text = (m: IsoMessage, field: number): string | undefined => {
  const v = m.fields.get(field);
  return typeof v === 'string' ? v : undefined;
};

/** 60 as LLLCHAR text: 60.1 type code n2, 60.2 batch number n6, 60.3 network management code n3 (optional). */
export const field60 = (m: IsoMessage): { type?: string; batchNo?: string; network?: string } => {
  const v = text(m, 60);
  if (v === undefined) return {};
  if (!/^\d{8}(\d{3})?$/.test(v)) invalid(60, 'expected type code n2, batch number n6 and optionally network code n3');
  return { type: v.slice(0, 2), batchNo: v.slice(2, 8), ...(v.length > 8 ? { network: v.slice(8, 11) } : {}) };
};

/** 63 as `operatorId password` (one space between). */
const operator = (m: IsoMessage): { operatorId?: string; password?: string } => {
  const v = text(m, 63);
  if (v === undefined) return {};
  const at = v.indexOf(' ');
  return at < 0 ? { operatorId: v } : { operatorId: v.slice(0, at), password: v.slice(at + 1) };
};

const byNumeric = new Map<string, CurrencyCode>(Object.entries(CURRENCIES).map(([alpha, c]): [string, CurrencyCode] => [c.numeric, alpha as CurrencyCode]));
/** 49 carries the ISO 4217 numeric code; an unknown one is passed on for the request schema to refuse. */
const currencyOf = (numeric: string | undefined): string | undefined => (numeric === undefined ? undefined : (byNumeric.get(numeric) ?? numeric));
export const numericCurrency = (alpha: string): string => CURRENCIES[alpha as CurrencyCode]?.numeric ?? '000';

/** n12 minor units without their leading zeros (the request schema refuses them). */
const amount = (m: IsoMessage): string | undefined => {
  const v = text(m, 4);
  return v === undefined ? undefined : BigInt(v).toString();
};

const cardOrQr = (m: IsoMessage): Record<string, unknown> => {
  const entry = text(m, 22) ?? '';
  if (entry.startsWith(QR_ENTRY)) return { method: 'QR', ...(text(m, 48) === undefined ? {} : { qr: { payerToken: text(m, 48) } }) };
  const pan = text(m, 2) ?? text(m, 35)?.split('=')[0];
  return { method: 'BANK_CARD', ...(pan === undefined ? {} : { card: { pan } }) };
};

/** 48 of a 0500: per currency, 33 digits: currency n3, debit count n3, debit amount n12, credit count n3, credit amount n12. */
const totals = (m: IsoMessage): unknown[] => {
  const v = text(m, 48) ?? '';
  if (v.length % TOTALS_BLOCK !== 0 || !/^\d*$/.test(v)) invalid(48, `expected blocks of ${TOTALS_BLOCK} digits (currency n3, debit count n3, amount n12, credit count n3, amount n12)`);
  const out: unknown[] = [];
  for (let at = 0; at < v.length; at += TOTALS_BLOCK) {
    const b = v.slice(at, at + TOTALS_BLOCK);
    out.push({ currency: currencyOf(b.slice(0, 3)), debitCount: Number(b.slice(3, 6)), debitAmount: BigInt(b.slice(6, 18)).toString(), creditCount: Number(b.slice(18, 21)), creditAmount: BigInt(b.slice(21, 33)).toString() });
  }
  return out;
};

/** Kinds of a 0320 record by its 60.1 type code. */
const UPLOAD_KIND: Record<string, string> = { '22': 'SALE', '23': 'VOID', '25': 'REFUND' };

const unsupported = (m: IsoMessage, why: string): never => {
  throw new Iso8583Error('ISO_MTI_UNKNOWN', `message ${m.mti}${why}: not a message of this dialect`, 0);
};

/** The HTTP request a message stands for. */
export const requestOf = (m: IsoMessage): IsoRequest => {
  const stan = text(m, 11);
  const f60 = field60(m);
  const batch = { stan, batchNo: f60.batchNo };
  const proc = text(m, 3);
  switch (m.mti) {
    case '0800':
      if (!(NETWORK.signOn as readonly string[]).includes(f60.network ?? '')) return unsupported(m, ` with network code ${f60.network ?? '(none)'}`);
      return { name: 'signOn', body: { stan, ...operator(m) } };
    case '0820':
      return { name: 'signOff', body: { stan } };
    case '0200':
      if (proc === PROCESSING.sale) return { name: 'sale', body: { ...batch, amount: amount(m), currency: currencyOf(text(m, 49)), ...cardOrQr(m) } };
      if (proc === PROCESSING.voidOrRefund) return { name: 'void', body: { ...batch, originalRrn: text(m, 37)?.trim() } };
      return unsupported(m, ` with processing code ${proc ?? '(none)'}`);
    case '0220':
      if (proc !== PROCESSING.voidOrRefund) return unsupported(m, ` with processing code ${proc ?? '(none)'}`);
      return { name: 'refund', body: { ...batch, originalRrn: text(m, 37)?.trim(), amount: amount(m) } };
    case '0400':
    case '0401': {
      // 61: the original's batch number n6 and STAN n6 (then optionally its date MMDD).
      const original = text(m, 61);
      return { name: 'reverse', body: { ...batch, originalStan: original?.slice(6, 12), reason: text(m, 39) } };
    }
    case '0500':
      return { name: 'settle', body: { ...batch, ...operator(m), totals: totals(m) } };
    case '0320': {
      if (f60.network === NETWORK.endUploadUnbalanced || f60.network === NETWORK.endUploadBalanced) return { name: 'endUpload', body: batch };
      const record = {
        stan: text(m, 61)?.slice(0, 6), kind: UPLOAD_KIND[f60.type ?? ''] ?? f60.type, amount: amount(m), currency: currencyOf(text(m, 49)),
        method: (text(m, 22) ?? '').startsWith(QR_ENTRY) ? 'QR' : 'BANK_CARD',
        ...(text(m, 37) ? { rrn: text(m, 37)?.trim() } : {}), ...(text(m, 62) ? { originalRrn: text(m, 62)?.trim() } : {}),
      };
      return { name: 'upload', body: { ...batch, transactions: [record] } };
    }
    default:
      return unsupported(m, '');
  }
};

/** The answer's MTI: the request's with its function digit made a response (0200 → 0210, 0401 → 0410). */
export const responseMti = (mti: string): string | undefined => {
  // Only requests (function 0) and advices (2) are answered; anything else gets no reply.
  if (!/^0[1-68][02][0-5]$/.test(mti)) return undefined;
  return `${mti.slice(0, 2)}${Number(mti[2]) + 1}0`;
};

/** Fields the answer echoes from the request. */
const ECHOED = [3, 4, 11, 22, 41, 42, 49, 60, 61] as const;

const totalsText = (list: unknown): string =>
  (Array.isArray(list) ? list : [])
    .map((t: { currency: string; debitCount: number; debitAmount: string; creditCount: number; creditAmount: string }) =>
      numericCurrency(t.currency) + String(t.debitCount).padStart(3, '0') + t.debitAmount.padStart(12, '0') + String(t.creditCount).padStart(3, '0') + t.creditAmount.padStart(12, '0'))
    .join('');

const mmdd = (day: unknown): string | undefined => (typeof day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(day) ? day.slice(5, 7) + day.slice(8, 10) : undefined);

/**
 * The answer's fields (without 64): the request's echoed ones, 39, and what the HTTP answer
 * carried, each in its field: 4 the amount and 49 the currency (a void's, a refund's: the original's), 37 RRN (a reversal's:
 * the reversed transaction's, absent when nothing was reversed; an upload's: the booked one), 38 auth code, 15 business day (MMDD), 60.2 the batch
 * the terminal must adopt (sign-on), 48 the host's totals and the result (settlement, end of
 * upload) or the upload outcome.
 */
export const answerFields = (request: IsoMessage | undefined, answer: Record<string, unknown>, now: Date): Map<number, IsoValue> => {
  const out = new Map<number, IsoValue>();
  for (const f of ECHOED) {
    const v = request?.fields.get(f);
    if (v !== undefined) out.set(f, v);
  }
  const hh = (n: number) => String(n).padStart(2, '0');
  out.set(12, hh(now.getUTCHours()) + hh(now.getUTCMinutes()) + hh(now.getUTCSeconds()));
  out.set(13, hh(now.getUTCMonth() + 1) + hh(now.getUTCDate()));
  out.set(39, String(answer.responseCode ?? '96'));
  if (typeof answer.rrn === 'string') out.set(37, answer.rrn);
  if (typeof answer.authCode === 'string') out.set(38, answer.authCode);
  const day = mmdd(answer.nextBusinessDay) ?? mmdd(answer.businessDay);
  if (day) out.set(15, day);
  const batchNo = typeof answer.nextBatchNo === 'string' ? answer.nextBatchNo : typeof answer.batchNo === 'string' ? answer.batchNo : undefined;
  if (batchNo && request) {
    const f60 = field60(request);
    out.set(60, (f60.type ?? '00') + batchNo + (f60.network ?? ''));
  }
  // A void names no amount, a void or refund no currency: the answer carries the original's, which the terminal prints.
  if (!out.has(4) && (typeof answer.amount === 'bigint' || typeof answer.amount === 'string')) out.set(4, String(answer.amount).padStart(12, '0'));
  if (!out.has(49) && typeof answer.currency === 'string') out.set(49, numericCurrency(answer.currency));
  if (answer.hostTotals !== undefined) out.set(48, totalsText(answer.hostTotals) + (answer.result === 'BALANCED' ? '1' : '2'));
  const items = answer.items as Array<{ outcome: string; rrn?: unknown }> | undefined;
  if (items?.[0]) out.set(48, items[0].outcome);
  // An offline sale the upload booked gets its host reference now.
  if (typeof items?.[0]?.rrn === 'string') out.set(37, items[0].rrn);
  return out;
};
