import { BatchNo, isBusinessDay, MaskedPan, MerchantId, Rrn, Stan, TerminalId } from '@pos/kernel';
import { type CurrencyCode, formatMoney, isCurrencyCode, minorUnitExponent, money, MoneyError } from '@pos/money';
import type { ClearingBatchSummary, ClearingFileHeader, ClearingRecord, ClearingTrailer, ClearingTxnType } from './clearing.types';

/**
 * The acquirer's clearing file, as CSV lines split into fields by the caller's CSV parser
 * with the options of `clearingCsv` (RFC 4180 quoting is the parser's business, not ours):
 *
 *   HEADER,<acquirer_id>,<file_reference>,<business_day>,<created_at>
 *   merchant_id,terminal_id,...,settlement_date          (the column names, exactly)
 *   <detail lines and BATCH lines, in any order>
 *   TRAILER,<detail_line_count>,<control_total>
 *
 * Amounts are decimals with exactly the currency's exponent digits; the trailer's control
 * total is the sum of the detail lines' amounts in minor units, across currencies.
 */

export const CLEARING_COLUMNS = [
  'merchant_id',
  'terminal_id',
  'batch_no',
  'trace_no',
  'rrn',
  'txn_type',
  'masked_pan',
  'amount',
  'currency',
  'fee',
  'settlement_amount',
  'txn_time',
  'settlement_date',
] as const;

export const CLEARING_TXN_TYPES: readonly ClearingTxnType[] = ['SALE', 'REFUND', 'VOID', 'REVERSAL'];

/** Stable codes: the importer reports them, people and scripts rely on them. */
export type ClearingErrorCode =
  /** A blank line, or one that is not valid CSV (broken quoting). */
  | 'LINE_MALFORMED'
  /** A HEADER or column-names line inside the body. */
  | 'LINE_UNEXPECTED'
  /** Wrong number of fields for the line's kind (HEADER 5, detail 13, BATCH 9, TRAILER 3). */
  | 'COLUMN_COUNT'
  /** A field (named in the message) that does not match its format. */
  | 'FIELD_INVALID'
  /** An amount, fee or settlement amount that is not a decimal with the currency's exponent digits, or out of range. */
  | 'AMOUNT_INVALID'
  | 'CURRENCY_UNKNOWN'
  /** settlement_amount is not amount - fee (SALE) or -(amount - fee) (REFUND, VOID, REVERSAL). */
  | 'SETTLEMENT_AMOUNT_INCONSISTENT'
  /** The first line is not a HEADER line. */
  | 'HEADER_MISSING'
  /** A HEADER field (named in the message) is malformed. */
  | 'HEADER_INVALID'
  /** The line after the header is not the column names (and is read as a body line). */
  | 'COLUMNS_MISSING'
  /** The line after the header names the columns wrongly. */
  | 'COLUMNS_INVALID'
  | 'TRAILER_MISSING'
  /** A TRAILER field is not a non-negative integer. */
  | 'TRAILER_INVALID'
  /** The trailer's count or control total disagrees with the detail lines. */
  | 'TRAILER_MISMATCH'
  | 'CONTENT_AFTER_TRAILER'
  | 'FILE_EMPTY';

export interface LineError {
  /** 1-based line; 0 when no line applies (an empty file). */
  readonly line: number;
  readonly code: ClearingErrorCode;
  readonly message: string;
}

export type ClearingLineResult =
  | { readonly kind: 'header'; readonly header: ClearingFileHeader }
  | { readonly kind: 'columns' }
  | { readonly kind: 'detail'; readonly record: ClearingRecord }
  | { readonly kind: 'batch'; readonly summary: ClearingBatchSummary }
  | { readonly kind: 'trailer'; readonly trailer: ClearingTrailer }
  | { readonly kind: 'error'; readonly errors: readonly LineError[] };

// ---------------------------------------------------------------------------------------
// amounts

/** Same bound as `parseMinorUnits`: at most 18 digits of minor units. */
const MAX_MINOR_DIGITS = 18;
const decimalPatterns = new Map<string, RegExp>();
const decimalPattern = (exponent: number, signed: boolean): RegExp => {
  const key = `${exponent}:${signed}`;
  let re = decimalPatterns.get(key);
  if (!re) {
    re = new RegExp(`^${signed ? '-?' : ''}(?:0|[1-9]\\d*)${exponent > 0 ? `\\.\\d{${exponent}}` : ''}$`);
    decimalPatterns.set(key, re);
  }
  return re;
};

/**
 * A decimal amount with exactly the currency's exponent digits ("123.45" CNY, "1500" JPY,
 * "1.500" KWD) to minor units. No exponent notation, no "+", no thousands separators, no
 * leading zeros, no "-" unless `signed` (and never "-0"). Throws MoneyError AMOUNT_INVALID.
 */
export const parseDecimalAmount = (text: string, currency: CurrencyCode, options: { readonly signed?: boolean } = {}): bigint => {
  const exponent = minorUnitExponent(currency);
  const signed = options.signed ?? false;
  const digits = text.replace(/^-/, '').replace('.', '');
  const wanted = exponent === 0 ? 'no decimals' : `${exponent} decimals`;
  if (!decimalPattern(exponent, signed).test(text))
    throw new MoneyError('AMOUNT_INVALID', `${JSON.stringify(clip(text))} is not a ${signed ? 'signed' : 'non-negative'} ${currency} amount with ${wanted}`);
  const minor = BigInt(digits);
  if (minor.toString().length > MAX_MINOR_DIGITS) throw new MoneyError('AMOUNT_INVALID', `${JSON.stringify(clip(text))} has more than ${MAX_MINOR_DIGITS} digits`);
  if (text.startsWith('-') && minor === 0n) throw new MoneyError('AMOUNT_INVALID', `${JSON.stringify(text)} is a negative zero`);
  return text.startsWith('-') ? -minor : minor;
};

/** Minor units to the file's decimal form: 12345n CNY -> "123.45", 1500n JPY -> "1500", -5n CNY -> "-0.05". */
export const formatDecimalAmount = (minor: bigint, currency: CurrencyCode): string =>
  // formatMoney writes "<decimal> <code>"; the file wants the decimal alone.
  formatMoney(money(minor, currency)).slice(0, -(currency.length + 1));

/** What the acquirer pays the merchant for one line: amount - fee for a SALE, the opposite for a REFUND, VOID or REVERSAL. */
export const settlementAmountOf = (type: ClearingTxnType, amount: bigint, fee: bigint): bigint => (type === 'SALE' ? amount - fee : -(amount - fee));

// ---------------------------------------------------------------------------------------
// field formats

/** First six and last four of a 12 to 19 digit PAN, as the host masks it. */
const FILE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const COUNT = /^(?:0|[1-9]\d{0,8})$/;
const CONTROL_TOTAL = /^(?:0|[1-9]\d{0,29})$/;
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** A real calendar date YYYY-MM-DD (2026-02-30 is not): the kernel's one parser of days. */
export const isCalendarDate = isBusinessDay;

/** An ISO-8601 instant with seconds and a zone (Z or ±hh:mm), on a real calendar date. */
export const isIsoInstant = (text: string): boolean => {
  const m = ISO_INSTANT.exec(text);
  return m !== null && isCalendarDate(m[1]);
};

const clip = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** Collects the errors of one line. */
class LineCheck {
  readonly errors: LineError[] = [];
  constructor(private readonly line: number) {}

  add(code: ClearingErrorCode, message: string): void {
    this.errors.push({ line: this.line, code, message });
  }

  /** FIELD_INVALID (or `code`) naming the field when `ok` is false. */
  field(name: string, value: string, ok: boolean, expected: string, code: ClearingErrorCode = 'FIELD_INVALID'): void {
    if (!ok) this.add(code, `${name} ${JSON.stringify(clip(value))} is not ${expected}`);
  }

  /** An identifier, by its one parser (the kernel's). */
  id(name: string, value: string, format: { safeParse(raw: unknown): { success: boolean }; readonly description?: string }): void {
    this.field(name, value, format.safeParse(value).success, format.description ?? 'well-formed');
  }

  currency(value: string): CurrencyCode | undefined {
    if (isCurrencyCode(value)) return value;
    this.add('CURRENCY_UNKNOWN', `currency ${JSON.stringify(clip(value))} is not an accepted ISO 4217 code`);
    return undefined;
  }

  /** undefined when the currency is unknown (already reported) or the amount is malformed (reported here). */
  amount(name: string, value: string, currency: CurrencyCode | undefined, signed = false): bigint | undefined {
    if (!currency) return undefined;
    try {
      return parseDecimalAmount(value, currency, { signed });
    } catch (e) {
      this.add('AMOUNT_INVALID', `${name}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  count(name: string, value: string, code: ClearingErrorCode = 'FIELD_INVALID'): number | undefined {
    this.field(name, value, COUNT.test(value), 'a non-negative integer', code);
    return COUNT.test(value) ? Number(value) : undefined;
  }

  failed(): ClearingLineResult {
    return { kind: 'error', errors: this.errors };
  }

  result(ok: () => ClearingLineResult): ClearingLineResult {
    return this.errors.length > 0 ? this.failed() : ok();
  }
}

const fail = (line: number, code: ClearingErrorCode, message: string): ClearingLineResult => ({ kind: 'error', errors: [{ line, code, message }] });

const prepend = (error: LineError, result: ClearingLineResult): ClearingLineResult => ({
  kind: 'error',
  errors: [error, ...(result.kind === 'error' ? result.errors : [])],
});

const isColumnsLine = (fields: readonly string[]): boolean =>
  fields.length === CLEARING_COLUMNS.length && CLEARING_COLUMNS.every((name, i) => fields[i] === name);

const countIs = (check: LineCheck, what: string, fields: readonly string[], expected: number): boolean => {
  if (fields.length === expected) return true;
  check.add('COLUMN_COUNT', `a ${what} line has ${expected} fields, found ${fields.length}`);
  return false;
};

// ---------------------------------------------------------------------------------------
// splitting lines

/** One line split into fields, at the line it starts on (1-based). */
export interface ClearingRow {
  readonly fields: readonly string[];
  readonly line: number;
}

/** What a CSV parser says of a syntax error (csv-parse's CsvError): its code and the field it was in (0-based). */
interface CsvSyntaxError {
  readonly code?: string;
  readonly message?: string;
  readonly column?: unknown;
}

const CSV_FAULTS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by something other than a comma or the end of the line',
  INVALID_OPENING_QUOTE: 'a quote inside a field that does not start with one',
};

const csvFault = (line: number, e: CsvSyntaxError | undefined): LineError => {
  const field = typeof e?.column === 'number' ? ` (field ${e.column + 1})` : '';
  const what = CSV_FAULTS[e?.code ?? ''] ?? e?.message ?? 'unreadable';
  return { line, code: 'LINE_MALFORMED', message: `line ${line} is not valid CSV${field}: ${what}; nothing after it is read` };
};

/**
 * How a clearing file is split into rows with csv-parse: its options, each row's line, and
 * the file's first CSV syntax error once the parser is done. A row is at the line it starts
 * on. A syntax error is reported at the line of the row it broke, not where the parser gave
 * up (a quote left open runs it on to the end of the file), and ends the rows without ending
 * the stream: every row before it is still checked, whatever the chunking of the input.
 * Nothing after it is read: once a quote is wrong, where the following lines begin is a guess.
 */
export const clearingCsv = () => {
  let next = 1;
  // First lines of the rows parsed and not yet handed out: as many as the stream buffers.
  const starts: number[] = [];
  let head = 0;
  let fault: LineError | undefined;
  return {
    options: {
      relax_column_count: true,
      bom: true,
      skip_empty_lines: false,
      skip_records_with_error: true,
      on_record: (fields: string[], info: { readonly lines: number }): string[] | null => {
        if (fault) return null;
        starts.push(next);
        next = info.lines + 1;
        return fields;
      },
      on_skip: (e: CsvSyntaxError | undefined): undefined => {
        fault ??= csvFault(next, e);
        return undefined;
      },
    },
    /** The next row the parser gave, with its line. */
    row: (fields: readonly string[]): ClearingRow => {
      const line = starts[head++] ?? next;
      if (head === starts.length) starts.length = head = 0;
      return { fields, line };
    },
    fault: (): LineError | undefined => fault,
  };
};

// ---------------------------------------------------------------------------------------
// the streaming reader

type Phase = 'header' | 'columns' | 'body' | 'after-trailer';

/**
 * Validates a clearing file line by line for a streaming importer. It keeps O(1) state
 * (where it is in the file, the detail count and the sum of amounts), never the records:
 * the caller stores each record as it comes. Merchants, terminals and the business day are
 * not checked against the ledger here.
 */
export class ClearingFileReader {
  private phase: Phase = 'header';
  private lines = 0;
  private lastLine = 0;
  private detailLines = 0;
  private amountTotal = 0n;
  /** False once a detail line's amount could not be read: the control total cannot be checked then. */
  private amountTotalKnown = true;
  private trailerLine?: number;
  private trailer?: ClearingTrailer;

  line(fields: readonly string[], lineNo: number): ClearingLineResult {
    this.lines++;
    this.lastLine = lineNo;
    if (this.phase === 'after-trailer') return fail(lineNo, 'CONTENT_AFTER_TRAILER', `line ${lineNo} follows the TRAILER line ${this.trailerLine}`);
    if (fields.length === 0 || (fields.length === 1 && fields[0]?.trim() === '')) return fail(lineNo, 'LINE_MALFORMED', 'blank line');
    if (this.phase === 'header') {
      this.phase = 'columns';
      if (fields[0] === 'HEADER') return this.header(fields, lineNo);
      return prepend({ line: lineNo, code: 'HEADER_MISSING', message: 'the file does not start with a HEADER line' }, this.columns(fields, lineNo));
    }
    if (this.phase === 'columns') return this.columns(fields, lineNo);
    return this.body(fields, lineNo);
  }

  /**
   * Errors only the end of the file reveals. Call once, after the last line, with the CSV
   * syntax error that ended the rows if one did: then it alone, the end was never reached.
   */
  finish(fault?: LineError): LineError[] {
    if (fault) return [fault];
    if (this.lines === 0) return [{ line: 0, code: 'FILE_EMPTY', message: 'the file has no lines' }];
    const errors: LineError[] = [];
    if (this.phase === 'header') errors.push({ line: this.lastLine, code: 'HEADER_MISSING', message: 'the file has only blank lines' });
    if (this.phase === 'columns') errors.push({ line: this.lastLine, code: 'COLUMNS_MISSING', message: 'the file ends before the column names' });
    if (this.trailerLine === undefined) {
      errors.push({ line: this.lastLine, code: 'TRAILER_MISSING', message: `the file ends at line ${this.lastLine} without a TRAILER line` });
      return errors;
    }
    const t = this.trailer;
    if (!t) return errors; // malformed trailer, already reported
    if (t.recordCount !== this.detailLines)
      errors.push({ line: t.line, code: 'TRAILER_MISMATCH', message: `the trailer counts ${t.recordCount} detail lines, the file has ${this.detailLines}` });
    if (this.amountTotalKnown && t.controlTotal !== this.amountTotal)
      errors.push({ line: t.line, code: 'TRAILER_MISMATCH', message: `the trailer's control total is ${t.controlTotal}, the detail amounts add up to ${this.amountTotal}` });
    return errors;
  }

  private header(f: readonly string[], line: number): ClearingLineResult {
    const c = new LineCheck(line);
    if (!countIs(c, 'HEADER', f, 5)) return c.failed();
    const [, acquirerId, fileReference, businessDay, createdAt] = f;
    c.field('acquirer_id', acquirerId, FILE_ID.test(acquirerId), 'an identifier of 1 to 64 letters, digits, ".", "_" or "-"', 'HEADER_INVALID');
    c.field('file_reference', fileReference, FILE_ID.test(fileReference), 'an identifier of 1 to 64 letters, digits, ".", "_" or "-"', 'HEADER_INVALID');
    c.field('business_day', businessDay, isCalendarDate(businessDay), 'a calendar date YYYY-MM-DD', 'HEADER_INVALID');
    c.field('created_at', createdAt, isIsoInstant(createdAt), 'an ISO-8601 instant with a zone', 'HEADER_INVALID');
    return c.result(() => ({ kind: 'header', header: { acquirerId, fileReference, businessDay, createdAt } }));
  }

  private columns(f: readonly string[], line: number): ClearingLineResult {
    this.phase = 'body';
    if (isColumnsLine(f)) return { kind: 'columns' };
    // Names (lower-case words), but not the right ones or not in order.
    if (f.every((name) => /^[a-z][a-z_]*$/.test(name))) return fail(line, 'COLUMNS_INVALID', `the column names must be exactly: ${CLEARING_COLUMNS.join(',')}`);
    // Not a column-names line at all: say so and read it for what it is, so one omission does not cascade.
    return prepend({ line, code: 'COLUMNS_MISSING', message: `line ${line} is not the column names line` }, this.body(f, line));
  }

  private body(f: readonly string[], line: number): ClearingLineResult {
    switch (f[0]) {
      case 'HEADER':
        return fail(line, 'LINE_UNEXPECTED', 'a second HEADER line');
      case 'BATCH':
        return this.batch(f, line);
      case 'TRAILER':
        this.phase = 'after-trailer';
        this.trailerLine = line;
        return this.trailerOf(f, line);
      default:
        if (isColumnsLine(f)) return fail(line, 'LINE_UNEXPECTED', 'the column names again, inside the body');
        return this.detail(f, line);
    }
  }

  private detail(f: readonly string[], line: number): ClearingLineResult {
    this.detailLines++;
    const c = new LineCheck(line);
    if (!countIs(c, 'detail', f, CLEARING_COLUMNS.length)) {
      this.amountTotalKnown = false;
      return c.failed();
    }
    const [merchantId, terminalId, batchNo, stan, rrn, type, maskedPan, amountText, currencyText, feeText, settlementText, transactionTime, settlementDate] = f;
    c.id('merchant_id', merchantId, MerchantId);
    c.id('terminal_id', terminalId, TerminalId);
    c.id('batch_no', batchNo, BatchNo);
    c.id('trace_no', stan, Stan);
    c.id('rrn', rrn, Rrn);
    const typeOk = (CLEARING_TXN_TYPES as readonly string[]).includes(type);
    c.field('txn_type', type, typeOk, CLEARING_TXN_TYPES.join(', '));
    c.field('masked_pan', maskedPan, maskedPan === '' || MaskedPan.safeParse(maskedPan).success, `empty or ${MaskedPan.description}`);
    const currency = c.currency(currencyText);
    const amount = c.amount('amount', amountText, currency);
    if (amount === 0n) c.add('AMOUNT_INVALID', 'amount must be greater than zero');
    const fee = c.amount('fee', feeText, currency);
    const settlementAmount = c.amount('settlement_amount', settlementText, currency, true);
    c.field('txn_time', transactionTime, isIsoInstant(transactionTime), 'an ISO-8601 instant with a zone');
    c.field('settlement_date', settlementDate, isCalendarDate(settlementDate), 'a calendar date YYYY-MM-DD');
    if (amount === undefined) this.amountTotalKnown = false;
    else this.amountTotal += amount;
    if (typeOk && currency && amount !== undefined && fee !== undefined && settlementAmount !== undefined) {
      const expected = settlementAmountOf(type as ClearingTxnType, amount, fee);
      if (expected !== settlementAmount)
        c.add(
          'SETTLEMENT_AMOUNT_INCONSISTENT',
          `settlement_amount ${settlementText} is not ${type === 'SALE' ? 'amount - fee' : '-(amount - fee)'} = ${formatDecimalAmount(expected, currency)} for a ${type}`,
        );
    }
    return c.result(() => ({
      kind: 'detail',
      record: {
        line, merchantId, terminalId, batchNo, stan, rrn, type: type as ClearingTxnType, maskedPan,
        amount: amount as bigint, currency: currency as CurrencyCode, fee: fee as bigint, settlementAmount: settlementAmount as bigint,
        transactionTime, settlementDate,
      },
    }));
  }

  private batch(f: readonly string[], line: number): ClearingLineResult {
    const c = new LineCheck(line);
    if (!countIs(c, 'BATCH', f, 9)) return c.failed();
    const [, merchantId, terminalId, batchNo, currencyText, debitCountText, debitText, creditCountText, creditText] = f;
    c.id('merchant_id', merchantId, MerchantId);
    c.id('terminal_id', terminalId, TerminalId);
    c.id('batch_no', batchNo, BatchNo);
    const currency = c.currency(currencyText);
    const debitCount = c.count('debit_count', debitCountText);
    const debitAmount = c.amount('debit_amount', debitText, currency);
    const creditCount = c.count('credit_count', creditCountText);
    const creditAmount = c.amount('credit_amount', creditText, currency);
    return c.result(() => ({
      kind: 'batch',
      summary: {
        line, merchantId, terminalId, batchNo, currency: currency as CurrencyCode,
        debitCount: debitCount as number, debitAmount: debitAmount as bigint, creditCount: creditCount as number, creditAmount: creditAmount as bigint,
      },
    }));
  }

  private trailerOf(f: readonly string[], line: number): ClearingLineResult {
    const c = new LineCheck(line);
    if (!countIs(c, 'TRAILER', f, 3)) return c.failed();
    const [, countText, totalText] = f;
    const recordCount = c.count('detail_line_count', countText, 'TRAILER_INVALID');
    c.field('control_total', totalText, CONTROL_TOTAL.test(totalText), 'a non-negative integer of minor units', 'TRAILER_INVALID');
    return c.result(() => {
      this.trailer = { line, recordCount: recordCount as number, controlTotal: BigInt(totalText) };
      return { kind: 'trailer', trailer: this.trailer };
    });
  }
}

// ---------------------------------------------------------------------------------------
// whole files (tests, the generator, small files)

export interface ClearingFileContent {
  readonly header?: ClearingFileHeader;
  readonly records: readonly ClearingRecord[];
  readonly summaries: readonly ClearingBatchSummary[];
  readonly trailer?: ClearingTrailer;
  readonly errors: readonly LineError[];
}

/** Reads a whole file held in memory (rows as the CSV parser split them with `clearingCsv`, and its syntax error if any). */
export const readClearingFile = (rows: Iterable<ClearingRow>, fault?: LineError): ClearingFileContent => {
  const reader = new ClearingFileReader();
  let header: ClearingFileHeader | undefined;
  let trailer: ClearingTrailer | undefined;
  const records: ClearingRecord[] = [];
  const summaries: ClearingBatchSummary[] = [];
  const errors: LineError[] = [];
  for (const row of rows) {
    const r = reader.line(row.fields, row.line);
    if (r.kind === 'header') header = r.header;
    else if (r.kind === 'detail') records.push(r.record);
    else if (r.kind === 'batch') summaries.push(r.summary);
    else if (r.kind === 'trailer') trailer = r.trailer;
    else if (r.kind === 'error') errors.push(...r.errors);
  }
  errors.push(...reader.finish(fault));
  return { ...(header ? { header } : {}), records, summaries, ...(trailer ? { trailer } : {}), errors };
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The acquirer's BATCH lines from detail lines: one per (merchant, terminal, batch,
 * currency) in order of first appearance. Debits are SALEs, credits REFUNDs and VOIDs; each
 * REVERSAL takes one line of its terminal and RRN back out of the side it was on (as the matcher totals
 * a file). A batch whose lines were all reversed keeps a BATCH line of zeros. Line numbers are 0.
 */
export const summariseBatches = (records: readonly ClearingRecord[]): ClearingBatchSummary[] => {
  const keyOf = (r: ClearingRecord) => `${r.merchantId}|${r.terminalId}|${r.batchNo}|${r.currency}`;
  const groups = new Map<string, Mutable<ClearingBatchSummary>>();
  const standing = records.filter((r) => r.type !== 'REVERSAL');
  for (const r of standing)
    if (!groups.has(keyOf(r)))
      groups.set(keyOf(r), {
        line: 0, merchantId: r.merchantId, terminalId: r.terminalId, batchNo: r.batchNo, currency: r.currency,
        debitCount: 0, debitAmount: 0n, creditCount: 0, creditAmount: 0n,
      });
  for (const reversal of records.filter((r) => r.type === 'REVERSAL')) {
    // RRNs repeat across terminals: a reversal names a transaction by terminal and RRN.
    const i = standing.findIndex((r) => r.terminalId === reversal.terminalId && r.rrn === reversal.rrn);
    if (i >= 0) standing.splice(i, 1);
  }
  for (const r of standing) {
    const g = groups.get(keyOf(r)) as Mutable<ClearingBatchSummary>;
    if (r.type === 'SALE') {
      g.debitCount++;
      g.debitAmount += r.amount;
    } else {
      g.creditCount++;
      g.creditAmount += r.amount;
    }
  }
  return [...groups.values()];
};

/** One CSV line (RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled). */
const csvLine = (fields: readonly string[]): string => fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');

const detailFields = (r: ClearingRecord): string[] => [
  r.merchantId, r.terminalId, r.batchNo, r.stan, r.rrn, r.type, r.maskedPan,
  formatDecimalAmount(r.amount, r.currency), r.currency, formatDecimalAmount(r.fee, r.currency), formatDecimalAmount(r.settlementAmount, r.currency),
  r.transactionTime, r.settlementDate,
];

const batchFields = (s: ClearingBatchSummary): string[] => [
  'BATCH', s.merchantId, s.terminalId, s.batchNo, s.currency,
  String(s.debitCount), formatDecimalAmount(s.debitAmount, s.currency), String(s.creditCount), formatDecimalAmount(s.creditAmount, s.currency),
];

export interface ClearingFileParts {
  readonly header: ClearingFileHeader;
  readonly records: readonly ClearingRecord[];
  readonly summaries: readonly ClearingBatchSummary[];
}

/** The file's lines as fields: header, column names, details, BATCH lines, then the trailer computed from the details. */
export const clearingFileRows = ({ header, records, summaries }: ClearingFileParts): string[][] => [
  ['HEADER', header.acquirerId, header.fileReference, header.businessDay, header.createdAt],
  [...CLEARING_COLUMNS],
  ...records.map(detailFields),
  ...summaries.map(batchFields),
  ['TRAILER', String(records.length), String(records.reduce((sum, r) => sum + r.amount, 0n))],
];

/** The file's text: the rows of `clearingFileRows`, one per line, each line ending in "\n". The records' and summaries' `line` are ignored. */
export const formatClearingFile = (parts: ClearingFileParts): string => clearingFileRows(parts).map((row) => `${csvLine(row)}\n`).join('');
