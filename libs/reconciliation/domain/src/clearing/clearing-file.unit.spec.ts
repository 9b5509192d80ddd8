import { MoneyError, type CurrencyCode } from '@pos/money';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  CLEARING_COLUMNS,
  clearingCsv,
  ClearingFileReader,
  formatClearingFile,
  formatDecimalAmount,
  isCalendarDate,
  isIsoInstant,
  parseDecimalAmount,
  readClearingFile,
  settlementAmountOf,
  summariseBatches,
  type LineError,
} from './clearing-file';
import type { ClearingFileHeader, ClearingRecord } from './clearing.types';

// The importer splits lines with a CSV parser (quotes, commas inside fields); the tests do the same, with the same options.
const split = (text: string) => {
  const csv = clearingCsv();
  return { rows: parse(text, csv.options).map(csv.row), fault: csv.fault() };
};
const rowsOf = (text: string) => split(text).rows;
const read = (text: string) => {
  const { rows, fault } = split(text);
  return readClearingFile(rows, fault);
};
const codes = (errors: readonly LineError[]) => errors.map((e) => `${e.line}:${e.code}`);

const M = 'M00000000000001';
const T1 = 'T0000001';
const T2 = 'T0000002';
const header: ClearingFileHeader = { acquirerId: 'ACQ01', fileReference: 'ACQ01-20260302', businessDay: '2026-03-02', createdAt: '2026-03-03T02:00:00.000Z' };

const rec = (r: Partial<ClearingRecord> & Pick<ClearingRecord, 'rrn' | 'type' | 'amount' | 'currency' | 'fee'>): ClearingRecord => ({
  line: 0, merchantId: M, terminalId: T1, batchNo: '000001', stan: r.rrn.slice(-6), maskedPan: '', transactionTime: '2026-03-02T09:00:00.000Z',
  settlementDate: '2026-03-02', settlementAmount: settlementAmountOf(r.type, r.amount, r.fee), ...r,
});

const records: ClearingRecord[] = [
  rec({ rrn: '000000000001', type: 'SALE', amount: 12345n, currency: 'CNY', fee: 74n, maskedPan: '622848******1234' }),
  rec({ rrn: '000000000002', type: 'SALE', amount: 5000n, currency: 'CNY', fee: 30n }),
  rec({ rrn: '000000000003', type: 'VOID', amount: 5000n, currency: 'CNY', fee: 30n }),
  rec({ rrn: '000000000004', type: 'REFUND', amount: 1500n, currency: 'JPY', fee: 0n, terminalId: T2, batchNo: '000007' }),
  rec({ rrn: '000000000005', type: 'SALE', amount: 1500n, currency: 'KWD', fee: 9n, terminalId: T2, batchNo: '000007', transactionTime: '2026-03-02T17:30:00+08:00' }),
  rec({ rrn: '000000000006', type: 'SALE', amount: 777n, currency: 'CNY', fee: 5n, terminalId: T2, batchNo: '000007' }),
  rec({ rrn: '000000000006', type: 'REVERSAL', amount: 777n, currency: 'CNY', fee: 5n, terminalId: T2, batchNo: '000007' }),
];
const summaries = summariseBatches(records);
const valid = formatClearingFile({ header, records, summaries });
/** Lines of the valid file: 1 header, 2 columns, 3-9 details, 10-13 BATCH lines, 14 trailer. */
const lines = valid.trimEnd().split('\n');
const DETAIL = 3;
const BATCH = 3 + records.length;
const TRAILER = lines.length;

/** The valid file with line `n` (1-based) replaced by `text`, or removed when text is undefined. */
const withLine = (n: number, text: string | undefined): string =>
  `${lines.flatMap((l, i) => (i + 1 === n ? (text === undefined ? [] : [text]) : [l])).join('\n')}\n`;
/** Line `n` of the valid file with field `i` replaced. */
const withField = (n: number, i: number, value: string): string => {
  const fields = (lines[n - 1] as string).split(',');
  fields[i] = value;
  return withLine(n, fields.join(','));
};
const col = (name: (typeof CLEARING_COLUMNS)[number]) => CLEARING_COLUMNS.indexOf(name);

describe('decimal amounts', () => {
  it('reads exactly the currency exponent digits', () => {
    expect(parseDecimalAmount('123.45', 'CNY')).toBe(12345n);
    expect(parseDecimalAmount('0.05', 'CNY')).toBe(5n);
    expect(parseDecimalAmount('0.00', 'CNY')).toBe(0n);
    expect(parseDecimalAmount('1500', 'JPY')).toBe(1500n);
    expect(parseDecimalAmount('1.500', 'KWD')).toBe(1500n);
    expect(parseDecimalAmount('-12.34', 'CNY', { signed: true })).toBe(-1234n);
    expect(parseDecimalAmount('999999999999999.99', 'USD')).toBe(99999999999999999n);
  });

  it.each<[string, CurrencyCode, boolean]>([
    ['123.4', 'CNY', false],
    ['123.456', 'CNY', false],
    ['123', 'CNY', false],
    ['1500.00', 'JPY', false],
    ['1.50', 'KWD', false],
    ['-1.00', 'CNY', false],
    ['+1.00', 'CNY', true],
    ['-0.00', 'CNY', true],
    ['1e3', 'JPY', false],
    ['1.2e1', 'CNY', false],
    ['', 'CNY', false],
    [' 1.00', 'CNY', false],
    ['01.00', 'CNY', false],
    ['1,000.00', 'CNY', false],
    ['.50', 'CNY', false],
    ['1.', 'CNY', false],
    ['NaN', 'JPY', false],
    ['1234567890123456789', 'JPY', false],
  ])('refuses %j in %s (signed %s)', (text, currency, signed) => {
    expect(() => parseDecimalAmount(text, currency, { signed })).toThrow(MoneyError);
    try {
      parseDecimalAmount(text, currency, { signed });
    } catch (e) {
      expect((e as MoneyError).code).toBe('AMOUNT_INVALID');
    }
  });

  it('formats minor units with the exponent and reads its own output back', () => {
    expect(formatDecimalAmount(12345n, 'CNY')).toBe('123.45');
    expect(formatDecimalAmount(5n, 'CNY')).toBe('0.05');
    expect(formatDecimalAmount(0n, 'CNY')).toBe('0.00');
    expect(formatDecimalAmount(-5n, 'CNY')).toBe('-0.05');
    expect(formatDecimalAmount(1500n, 'JPY')).toBe('1500');
    expect(formatDecimalAmount(1500n, 'KWD')).toBe('1.500');
    for (const currency of ['CNY', 'JPY', 'KWD'] as const)
      for (const minor of [0n, 1n, 9n, 10n, 99n, 100n, 1001n, 123456789n, -1n, -100n, -123456789n])
        expect(parseDecimalAmount(formatDecimalAmount(minor, currency), currency, { signed: true })).toBe(minor);
  });

  it('nets settlement amounts by type', () => {
    expect(settlementAmountOf('SALE', 1000n, 6n)).toBe(994n);
    expect(settlementAmountOf('REFUND', 1000n, 6n)).toBe(-994n);
    expect(settlementAmountOf('VOID', 1000n, 6n)).toBe(-994n);
    expect(settlementAmountOf('REVERSAL', 1000n, 6n)).toBe(-994n);
  });
});

describe('dates and instants', () => {
  it('knows real calendar dates', () => {
    expect(isCalendarDate('2026-03-02')).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    // Years below 100 too (Date.UTC would read 0050 as 1950).
    expect(isCalendarDate('0050-01-01')).toBe(true);
    for (const bad of ['2026-02-30', '2026-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-3-02', '2026-03-02T00:00:00Z']) expect(isCalendarDate(bad)).toBe(false);
  });

  it('wants an instant with seconds and a zone', () => {
    for (const good of ['2026-03-02T09:00:00Z', '2026-03-02T09:00:00.123Z', '2026-03-02T17:00:00+08:00', '2026-03-02T09:00:00.123456-05:30']) expect(isIsoInstant(good)).toBe(true);
    for (const bad of ['2026-03-02T09:00:00', '2026-03-02 09:00:00Z', '2026-02-30T09:00:00Z', '2026-03-02T24:00:00Z', '2026-03-02T09:00Z', '2026-03-02']) expect(isIsoInstant(bad)).toBe(false);
  });
});

describe('summariseBatches', () => {
  it('totals debits and credits per terminal, batch and currency; a REVERSAL takes its line back out', () => {
    expect(summaries).toEqual([
      { line: 0, merchantId: M, terminalId: T1, batchNo: '000001', currency: 'CNY', debitCount: 2, debitAmount: 17345n, creditCount: 1, creditAmount: 5000n },
      { line: 0, merchantId: M, terminalId: T2, batchNo: '000007', currency: 'JPY', debitCount: 0, debitAmount: 0n, creditCount: 1, creditAmount: 1500n },
      { line: 0, merchantId: M, terminalId: T2, batchNo: '000007', currency: 'KWD', debitCount: 1, debitAmount: 1500n, creditCount: 0, creditAmount: 0n },
      // the only CNY sale of the batch was reversed: its BATCH line stays, at zero
      { line: 0, merchantId: M, terminalId: T2, batchNo: '000007', currency: 'CNY', debitCount: 0, debitAmount: 0n, creditCount: 0, creditAmount: 0n },
    ]);
  });

  it('takes a reversed refund from the credits, once per REVERSAL line, and ignores a reversal of a line not in the file', () => {
    const refund = rec({ rrn: '000000000010', type: 'REFUND', amount: 300n, currency: 'CNY', fee: 0n });
    const sale = rec({ rrn: '000000000011', type: 'SALE', amount: 100n, currency: 'CNY', fee: 1n });
    const reversal = (r: ClearingRecord) => ({ ...r, type: 'REVERSAL' as const });
    const s = summariseBatches([refund, sale, sale, reversal(refund), reversal(sale), reversal({ ...sale, rrn: '000000000099' })]);
    expect(s).toEqual([expect.objectContaining({ debitCount: 1, debitAmount: 100n, creditCount: 0, creditAmount: 0n })]);
  });

  it('takes a REVERSAL from its own terminal only: RRNs repeat across terminals', () => {
    // T1 and T2 both number a sale 000000000021; the acquirer reverses T2's, which comes second in the file.
    const t1 = rec({ rrn: '000000000021', type: 'SALE', amount: 1_000n, currency: 'CNY', fee: 6n });
    const t2 = rec({ rrn: '000000000021', type: 'SALE', amount: 2_000n, currency: 'CNY', fee: 12n, terminalId: T2, batchNo: '000007' });
    const s = summariseBatches([t1, t2, { ...t2, type: 'REVERSAL' }]);
    expect(s).toEqual([
      expect.objectContaining({ terminalId: T1, debitCount: 1, debitAmount: 1_000n }),
      expect.objectContaining({ terminalId: T2, debitCount: 0, debitAmount: 0n }),
    ]);
  });
});

describe('clearing file round trip', () => {
  it('reads back what it wrote: header, every record and BATCH line with its line number, trailer, no errors', () => {
    const content = read(valid);
    expect(content.errors).toEqual([]);
    expect(content.header).toEqual(header);
    expect(content.records).toEqual(records.map((r, i) => ({ ...r, line: DETAIL + i })));
    expect(content.summaries).toEqual(summaries.map((s, i) => ({ ...s, line: BATCH + i })));
    expect(content.trailer).toEqual({ line: TRAILER, recordCount: records.length, controlTotal: 26899n });
    expect(lines[0]).toBe('HEADER,ACQ01,ACQ01-20260302,2026-03-02,2026-03-03T02:00:00.000Z');
    expect(lines[1]).toBe(CLEARING_COLUMNS.join(','));
    expect(lines[DETAIL - 1]).toBe(`${M},${T1},000001,000001,000000000001,SALE,622848******1234,123.45,CNY,0.74,122.71,2026-03-02T09:00:00.000Z,2026-03-02`);
    expect(lines[TRAILER - 1]).toBe('TRAILER,7,26899');
  });

  it('accepts BATCH lines between the details, and quoted fields', () => {
    const moved = [lines[0], lines[1], lines[BATCH - 1], ...lines.slice(DETAIL - 1, BATCH - 1), ...lines.slice(BATCH), ''].join('\n');
    expect(read(moved).errors).toEqual([]);
    const quoted = withField(DETAIL, col('masked_pan'), '"622848******1234"');
    expect(read(quoted).records[0]?.maskedPan).toBe('622848******1234');
    expect(read(quoted).errors).toEqual([]);
  });

  it('quotes a field that needs it, so the CSV split gives it back whole', () => {
    const odd = { ...header, fileReference: 'REF,"1"' };
    const text = formatClearingFile({ header: odd, records: [], summaries: [] });
    expect(text.split('\n')[0]).toBe('HEADER,ACQ01,"REF,""1""",2026-03-02,2026-03-03T02:00:00.000Z');
    expect(rowsOf(text)[0]?.fields).toEqual(['HEADER', 'ACQ01', 'REF,"1"', '2026-03-02', '2026-03-03T02:00:00.000Z']);
  });

  it('an empty body is a valid file', () => {
    expect(read(formatClearingFile({ header, records: [], summaries: [] }))).toEqual({ header, records: [], summaries: [], trailer: { line: 3, recordCount: 0, controlTotal: 0n }, errors: [] });
  });
});

describe('clearing file errors, each at its line', () => {
  const cases: Array<[string, string, string[], string?]> = [
    ['a detail line with 12 fields', withLine(DETAIL + 1, (lines[DETAIL] as string).split(',').slice(0, 12).join(',')), [`${DETAIL + 1}:COLUMN_COUNT`]],
    ['a BATCH line with 8 fields', withLine(BATCH, (lines[BATCH - 1] as string).split(',').slice(0, 8).join(',')), [`${BATCH}:COLUMN_COUNT`]],
    ['a CNY amount with one decimal', withField(DETAIL, col('amount'), '123.4'), [`${DETAIL}:AMOUNT_INVALID`], 'amount'],
    ['a JPY amount with decimals', withField(DETAIL + 3, col('amount'), '1500.00'), [`${DETAIL + 3}:AMOUNT_INVALID`], 'JPY'],
    ['a CNY amount without decimals', withField(DETAIL, col('amount'), '12345'), [`${DETAIL}:AMOUNT_INVALID`], '2 decimals'],
    ['a negative amount', withField(DETAIL, col('amount'), '-123.45'), [`${DETAIL}:AMOUNT_INVALID`], 'amount'],
    ['a zero amount', withField(DETAIL, col('amount'), '0.00'), [`${DETAIL}:AMOUNT_INVALID`, `${DETAIL}:SETTLEMENT_AMOUNT_INCONSISTENT`, `${TRAILER}:TRAILER_MISMATCH`], 'greater than zero'],
    ['a negative fee', withField(DETAIL, col('fee'), '-0.74'), [`${DETAIL}:AMOUNT_INVALID`], 'fee'],
    ['a settlement amount in exponent notation', withField(DETAIL, col('settlement_amount'), '1.2371e2'), [`${DETAIL}:AMOUNT_INVALID`], 'settlement_amount'],
    ['an unknown currency', withField(DETAIL, col('currency'), 'XXX'), [`${DETAIL}:CURRENCY_UNKNOWN`], 'XXX'],
    ['a settlement date 2026-02-30', withField(DETAIL, col('settlement_date'), '2026-02-30'), [`${DETAIL}:FIELD_INVALID`], 'settlement_date'],
    ['a transaction time without a zone', withField(DETAIL, col('txn_time'), '2026-03-02T09:00:00'), [`${DETAIL}:FIELD_INVALID`], 'txn_time'],
    ['an unknown txn_type', withField(DETAIL, col('txn_type'), 'CHARGEBACK'), [`${DETAIL}:FIELD_INVALID`], 'txn_type'],
    ['a lower-case merchant id', withField(DETAIL, col('merchant_id'), M.toLowerCase()), [`${DETAIL}:FIELD_INVALID`], 'merchant_id'],
    ['a 7-character terminal id', withField(DETAIL, col('terminal_id'), 'T000001'), [`${DETAIL}:FIELD_INVALID`], 'terminal_id'],
    ['a 5-digit batch number', withField(DETAIL, col('batch_no'), '00001'), [`${DETAIL}:FIELD_INVALID`], 'batch_no'],
    ['a trace number with a letter', withField(DETAIL, col('trace_no'), '00000A'), [`${DETAIL}:FIELD_INVALID`], 'trace_no'],
    // Trace and batch numbers run from 000001, as terminals send them: the same parser refuses 000000 here as on the API.
    ['trace number 000000', withField(DETAIL, col('trace_no'), '000000'), [`${DETAIL}:FIELD_INVALID`], 'trace_no "000000" is not 6 digits, 000001 to 999999'],
    ['batch number 000000 on a BATCH line', withField(BATCH, 3, '000000'), [`${BATCH}:FIELD_INVALID`], 'batch_no'],
    ['an 11-digit RRN', withField(DETAIL, col('rrn'), '00000000001'), [`${DETAIL}:FIELD_INVALID`], 'rrn'],
    ['a full card number', withField(DETAIL, col('masked_pan'), '6228481234561234'), [`${DETAIL}:FIELD_INVALID`], 'masked_pan'],
    // The CSV split keeps the quoted comma inside the field: still 13 fields, the PAN is what is wrong.
    ['a quoted masked PAN with a comma', withField(DETAIL, col('masked_pan'), '"622848,*****1234"'), [`${DETAIL}:FIELD_INVALID`], 'masked_pan'],
    ['a SALE settled as a credit', withField(DETAIL, col('settlement_amount'), '-122.71'), [`${DETAIL}:SETTLEMENT_AMOUNT_INCONSISTENT`], 'amount - fee'],
    ['a VOID settled as a debit', withField(DETAIL + 2, col('settlement_amount'), '49.70'), [`${DETAIL + 2}:SETTLEMENT_AMOUNT_INCONSISTENT`], '-(amount - fee)'],
    ['a BATCH amount with three decimals', withField(BATCH, 6, '173.450'), [`${BATCH}:AMOUNT_INVALID`], 'debit_amount'],
    ['a negative BATCH count', withField(BATCH, 5, '-2'), [`${BATCH}:FIELD_INVALID`], 'debit_count'],
    ['a BATCH line in an unknown currency', withField(BATCH, 4, 'ABC'), [`${BATCH}:CURRENCY_UNKNOWN`]],
    ['a trailer count off by one', withLine(TRAILER, 'TRAILER,8,26899'), [`${TRAILER}:TRAILER_MISMATCH`], 'counts 8'],
    ['a control total off by one', withLine(TRAILER, 'TRAILER,7,26900'), [`${TRAILER}:TRAILER_MISMATCH`], 'control total'],
    ['a decimal control total', withLine(TRAILER, 'TRAILER,7,268.99'), [`${TRAILER}:TRAILER_INVALID`], 'control_total'],
    ['a trailer with 4 fields', withLine(TRAILER, 'TRAILER,7,26899,X'), [`${TRAILER}:COLUMN_COUNT`]],
    ['no trailer', withLine(TRAILER, undefined), [`${TRAILER - 1}:TRAILER_MISSING`]],
    ['a detail line after the trailer', `${valid}${lines[DETAIL - 1]}\n`, [`${TRAILER + 1}:CONTENT_AFTER_TRAILER`]],
    ['a second trailer', `${valid}TRAILER,7,26899\n`, [`${TRAILER + 1}:CONTENT_AFTER_TRAILER`]],
    ['a blank line in the body', withLine(BATCH, ''), [`${BATCH}:LINE_MALFORMED`]],
    ['no header', withLine(1, undefined), ['1:HEADER_MISSING']],
    ['a header with a date that does not exist', withLine(1, 'HEADER,ACQ01,R1,2026-13-01,2026-03-03T02:00:00Z'), ['1:HEADER_INVALID'], 'business_day'],
    ['a header with a local time', withLine(1, 'HEADER,ACQ01,R1,2026-03-02,2026-03-03T02:00:00'), ['1:HEADER_INVALID'], 'created_at'],
    ['a header without an acquirer', withLine(1, 'HEADER,,R1,2026-03-02,2026-03-03T02:00:00Z'), ['1:HEADER_INVALID'], 'acquirer_id'],
    ['a header with 4 fields', withLine(1, 'HEADER,ACQ01,R1,2026-03-02'), ['1:COLUMN_COUNT']],
    ['misnamed columns', withLine(2, CLEARING_COLUMNS.join(',').replace('trace_no', 'stan')), ['2:COLUMNS_INVALID'], 'trace_no'],
    ['columns in another order', withLine(2, [...CLEARING_COLUMNS].reverse().join(',')), ['2:COLUMNS_INVALID']],
    // The detail line on line 2 is still read, so the trailer still agrees.
    ['no column names', withLine(2, undefined), ['2:COLUMNS_MISSING']],
    ['a second header in the body', withLine(BATCH, lines[0]), [`${BATCH}:LINE_UNEXPECTED`]],
    ['the column names again in the body', withLine(BATCH, lines[1]), [`${BATCH}:LINE_UNEXPECTED`]],
  ];

  it.each(cases)('%s', (_name, text, expected, inMessage) => {
    const { errors } = read(text);
    expect(codes(errors)).toEqual(expected);
    if (inMessage) expect(errors[0]?.message).toContain(inMessage);
  });

  it('broken CSV quoting, at the line of the quote: every line before it checked, nothing after it read', () => {
    const withQuote = (quoted: string) => withField(DETAIL + 2, col('currency'), quoted).replace(lines[DETAIL - 1] as string, (lines[DETAIL - 1] as string).replace(',CNY,', ',XYZ,'));
    // A quote never closed runs the CSV parser on to the end of the file; the trailer it swallowed is not reported missing.
    const unclosed = read(withQuote('"CNY'));
    expect(codes(unclosed.errors)).toEqual([`${DETAIL}:CURRENCY_UNKNOWN`, `${DETAIL + 2}:LINE_MALFORMED`]);
    expect(unclosed.errors[1]?.message).toBe(
      `line ${DETAIL + 2} is not valid CSV (field 9): a quoted field is never closed; nothing after it is read`,
    );
    expect(unclosed.records.map((r) => r.line)).toEqual([DETAIL + 1]);
    for (const quoted of ['C"NY', '"CN"Y']) expect(codes(read(withQuote(quoted)).errors), quoted).toEqual([`${DETAIL}:CURRENCY_UNKNOWN`, `${DETAIL + 2}:LINE_MALFORMED`]);
    expect(read(withQuote('C"NY')).errors[1]?.message).toMatch(/a quote inside a field/);
  });

  it('numbers a row by the line it starts on, when a quoted field spans lines', () => {
    const text = withField(DETAIL, col('masked_pan'), '"622848\n******1234"');
    expect(rowsOf(text).map((r) => r.line)).toEqual([1, 2, DETAIL, ...lines.slice(DETAIL).map((_, i) => DETAIL + 2 + i)]);
    expect(codes(read(text).errors)).toEqual([`${DETAIL}:FIELD_INVALID`]);
  });

  it('reports every wrong field of one line, naming each', () => {
    let text = withField(DETAIL, col('rrn'), 'X');
    text = text.replace('2026-03-02T09:00:00.000Z,2026-03-02\n', '2026-03-02T09:00:00.000Z,2026-02-30\n');
    const { errors } = read(text);
    expect(codes(errors)).toEqual([`${DETAIL}:FIELD_INVALID`, `${DETAIL}:FIELD_INVALID`]);
    expect(errors.map((e) => e.message.split(' ')[0])).toEqual(['rrn', 'settlement_date']);
  });

  it('an empty file', () => {
    expect(new ClearingFileReader().finish()).toEqual([{ line: 0, code: 'FILE_EMPTY', message: 'the file has no lines' }]);
  });

  it('blank lines alone miss the header and the trailer', () => {
    expect(codes(read('\n\n').errors)).toEqual(['1:LINE_MALFORMED', '2:LINE_MALFORMED', '2:HEADER_MISSING', '2:TRAILER_MISSING']);
  });

  it('a header alone misses its columns and trailer', () => {
    expect(codes(read(`${lines[0]}\n`).errors)).toEqual(['1:COLUMNS_MISSING', '1:TRAILER_MISSING']);
  });

  it('keeps O(1) state: nothing grows with the number of lines', () => {
    const reader = new ClearingFileReader();
    const rows = rowsOf(valid);
    const detail = rows[DETAIL - 1] as { fields: readonly string[] };
    reader.line(rows[0]?.fields ?? [], 1);
    reader.line(rows[1]?.fields ?? [], 2);
    for (let i = 0; i < 5_000; i++) expect(reader.line(detail.fields, 3 + i).kind).toBe('detail');
    const state = Object.values(reader as unknown as Record<string, unknown>);
    expect(state.some((v) => Array.isArray(v) || v instanceof Map || v instanceof Set)).toBe(false);
    reader.line(['TRAILER', '5000', String(12345n * 5000n)], 5_003);
    expect(reader.finish()).toEqual([]);
  });
});
