import { feeAtBps, type CurrencyCode } from '@pos/money';
import {
  BREAK_TYPES,
  type BreakType,
  clearingCsv,
  DEFAULT_TOLERANCES,
  type HostDay,
  type HostTransaction,
  matchDay,
  type MatchingTolerances,
  readClearingFile,
  summariseBatches,
} from '@pos/reconciliation-domain';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { generateClearingFiles, type GeneratedClearing, type InjectedBreak, InjectionError } from './generate';

const DAY = '2026-03-02';
const NEXT_DAY = '2026-03-03';
const CREATED_AT = '2026-03-03T02:00:00.000Z';
const M1 = 'M00000000000001';
const M2 = 'M00000000000002';

/**
 * A hand-built host day: six terminals with two batches each (CNY, USD, JPY, and one batch
 * holding CNY and USD), a reversed sale, a void, a refund and one lookalike pair.
 */
const buildDay = (opts: { lookalikes?: boolean; reversed?: boolean; rrnPerTerminal?: boolean } = {}): HostDay => {
  const { lookalikes = true, reversed = true, rrnPerTerminal = false } = opts;
  const txns: HostTransaction[] = [];
  let rrn = 100_000_000_000;
  let clock = Date.parse(`${DAY}T01:00:00.000Z`);
  const stans = new Map<string, number>();
  const add = (
    merchantId: string, terminalId: string, batchNo: string, kind: HostTransaction['kind'], amount: bigint, currency: CurrencyCode,
    more: Partial<HostTransaction> = {},
  ): HostTransaction => {
    const stan = (stans.get(terminalId) ?? 0) + 1;
    stans.set(terminalId, stan);
    clock += 37_000;
    const card = txns.length % 3 !== 1; // every third a QR payment, without a PAN
    ++rrn;
    const t: HostTransaction = {
      // Per terminal, as many hosts number them: every terminal's first transaction is ...001.
      rrn: String(rrnPerTerminal ? 100_000_000_000 + stan : rrn), terminalId, merchantId, businessDay: DAY, batchNo, stan: String(stan).padStart(6, '0'), kind,
      method: card ? 'BANK_CARD' : 'QR', amount, currency, occurredAt: new Date(clock).toISOString(),
      ...(card ? { maskedPan: `622848******${String(1000 + txns.length)}` } : {}),
      status: 'COMPLETED', expectedFee: kind === 'REFUND' ? 0n : feeAtBps(amount, 55, 'HALF_UP'), ...more,
    };
    txns.push(t);
    return t;
  };
  let amount = 10_000n;
  // Distinct amounts: no lookalikes but the pair built on purpose.
  const sales = (m: string, t: string, b: string, currency: CurrencyCode, n = 3) => Array.from({ length: n }, () => add(m, t, b, 'SALE', (amount += 1_111n), currency));

  const [, voided] = sales(M1, 'T1000001', '000001', 'CNY');
  add(M1, 'T1000001', '000001', 'VOID', (voided as HostTransaction).amount, 'CNY', { originalRrn: (voided as HostTransaction).rrn });
  sales(M1, 'T1000001', '000002', 'CNY');
  if (reversed) add(M1, 'T1000001', '000002', 'SALE', 77_700n, 'CNY', { status: 'REVERSED' });
  const [refunded] = sales(M1, 'T2000002', '000011', 'CNY');
  if (lookalikes) {
    add(M1, 'T2000002', '000011', 'SALE', 55_500n, 'CNY', { maskedPan: '622848******9999', method: 'BANK_CARD' });
    add(M1, 'T2000002', '000011', 'SALE', 55_500n, 'CNY', { maskedPan: '622848******9999', method: 'BANK_CARD' });
  }
  sales(M1, 'T2000002', '000012', 'CNY');
  add(M1, 'T2000002', '000012', 'REFUND', 2_000n, 'CNY', { originalRrn: (refunded as HostTransaction).rrn });
  sales(M2, 'T3000003', '000021', 'USD');
  sales(M2, 'T3000003', '000022', 'USD');
  sales(M2, 'T4000004', '000031', 'JPY');
  sales(M2, 'T4000004', '000032', 'JPY');
  sales(M2, 'T5000005', '000041', 'CNY', 2);
  sales(M2, 'T5000005', '000041', 'USD', 2);
  sales(M2, 'T5000005', '000042', 'CNY');
  sales(M1, 'T6000006', '000051', 'CNY');
  sales(M1, 'T6000006', '000052', 'CNY');
  return { businessDay: DAY, transactions: txns, batches: [] };
};

const host = buildDay();
const completed = host.transactions.filter((t) => t.status === 'COMPLETED');
const hostByRrn = new Map(host.transactions.map((t) => [t.rrn, t]));

// The importer splits lines with a CSV parser; so do the tests, with the same options.
const readText = (text: string) => {
  const csv = clearingCsv();
  const rows = parse(text, csv.options).map(csv.row);
  return readClearingFile(rows, csv.fault());
};

const generate = (inject: readonly BreakType[], seed = 42, day: HostDay = host, tolerances?: Partial<MatchingTolerances>) =>
  generateClearingFiles(day, { seed, inject, createdAt: CREATED_AT, ...(tolerances ? { tolerances } : {}) });

/** Every file read back (no errors allowed), with what the matcher of the day is given. */
const readBack = (g: GeneratedClearing) => {
  const files = g.files.map((f) => {
    const content = readText(f.text);
    expect(content.errors).toEqual([]);
    return { ...content, businessDay: f.businessDay };
  });
  const presented = files.flatMap((f) => f.records.map((r) => ({ ...r, fileId: `clearing-${f.businessDay}`, fileBusinessDay: f.businessDay })));
  const summaries = files
    .filter((f) => f.businessDay === DAY)
    .flatMap((f) => f.summaries.map((s) => ({ ...s, fileId: `clearing-${f.businessDay}`, fileBusinessDay: f.businessDay })));
  return { files, day: files[0] as (typeof files)[number], presented, summaries };
};

/** The matcher's verdict on the day, with the generated files as the acquirer side. */
const breaksOf = (g: GeneratedClearing, day: HostDay = host, tolerances: MatchingTolerances = DEFAULT_TOLERANCES) => {
  const { presented, summaries } = readBack(g);
  return matchDay({ businessDay: DAY, host: day, hostByRrn: () => undefined, presented, summaries, tolerances }).breaks;
};

const only = (g: GeneratedClearing): InjectedBreak => {
  expect(g.injected).toHaveLength(1);
  return g.injected[0] as InjectedBreak;
};

describe('the clean clearing file', () => {
  const clean = generate([]);
  const { files, day } = readBack(clean);

  it('presents every completed transaction once, as the host recorded it, and reads back without errors', () => {
    expect(files).toHaveLength(1);
    expect(clean.injected).toEqual([]);
    expect(day.header).toEqual({ acquirerId: 'SIMACQ01', fileReference: 'SIMACQ01-20260302', businessDay: DAY, createdAt: CREATED_AT });
    expect(day.records.map((r) => r.rrn).sort()).toEqual(completed.map((t) => t.rrn).sort());
    for (const r of day.records) {
      const t = hostByRrn.get(r.rrn) as HostTransaction;
      expect(r).toMatchObject({
        merchantId: t.merchantId, terminalId: t.terminalId, batchNo: t.batchNo, stan: t.stan, type: t.kind, maskedPan: t.maskedPan ?? '',
        amount: t.amount, currency: t.currency, fee: t.expectedFee, transactionTime: t.occurredAt, settlementDate: DAY,
      });
      expect(r.settlementAmount).toBe(t.kind === 'SALE' ? t.amount - t.expectedFee : t.expectedFee - t.amount);
    }
    expect(day.records.some((r) => hostByRrn.get(r.rrn)?.status === 'REVERSED')).toBe(false);
  });

  it('has one BATCH line per terminal, batch and currency, as summariseBatches computes them', () => {
    expect(day.summaries.map(({ line: _line, ...s }) => s)).toEqual(summariseBatches(day.records).map(({ line: _line, ...s }) => s));
    expect(day.summaries).toHaveLength(13); // 12 batches, one of them in two currencies
    expect(day.trailer).toMatchObject({ recordCount: completed.length, controlTotal: completed.reduce((s, t) => s + t.amount, 0n) });
    expect(clean.files[0]).toMatchObject({ businessDay: DAY, detailLines: completed.length, batchLines: 13 });
  });

  it('gives no break in matching', () => {
    expect(breaksOf(clean)).toEqual([]);
  });
});

describe('each injected break', () => {
  const clean = readBack(generate([])).day;
  const lineOf = (g: GeneratedClearing, b: InjectedBreak) => {
    const file = readBack(g).files.find((f) => f.businessDay === b.file);
    return file?.records.find((r) => r.line === b.line);
  };

  /** What each injection must have done to the files, beyond the manifest. */
  const checks: Record<BreakType, (g: GeneratedClearing, b: InjectedBreak) => void> = {
    MISSING_AT_ACQUIRER: (g, b) => {
      expect(b.line).toBeUndefined();
      expect(readBack(g).presented.some((r) => r.rrn === b.rrn)).toBe(false);
      expect(hostByRrn.get(b.rrn as string)).toMatchObject({ kind: 'SALE', status: 'COMPLETED' });
    },
    MISSING_AT_HOST: (g, b) => {
      const r = lineOf(g, b);
      expect(r).toMatchObject({ rrn: b.rrn, type: 'SALE', terminalId: b.terminalId, batchNo: b.batchNo });
      expect(hostByRrn.has(b.rrn as string)).toBe(false);
      expect(host.transactions.some((t) => t.terminalId === r?.terminalId && t.stan === r?.stan)).toBe(false);
      expect(completed.some((t) => t.terminalId === r?.terminalId && t.batchNo === r?.batchNo && t.currency === r?.currency)).toBe(true);
    },
    AMOUNT_MISMATCH: (g, b) => {
      const r = lineOf(g, b);
      const t = hostByRrn.get(b.rrn as string) as HostTransaction;
      expect(r?.amount).toBeGreaterThan(t.amount);
      expect(r?.fee).toBe(t.expectedFee);
      expect(r?.settlementAmount).toBe((r?.amount ?? 0n) - t.expectedFee);
    },
    FEE_MISMATCH: (g, b) => {
      const r = lineOf(g, b);
      const t = hostByRrn.get(b.rrn as string) as HostTransaction;
      expect(r?.amount).toBe(t.amount);
      expect(r?.fee).toBeGreaterThan(t.expectedFee);
      expect(r?.settlementAmount).toBe(t.amount - (r?.fee ?? 0n));
    },
    DUPLICATE_AT_ACQUIRER: (g, b) => {
      const same = readBack(g).presented.filter((r) => r.rrn === b.rrn);
      expect(same).toHaveLength(2);
      expect(same[1]?.line).toBe(b.line);
      expect({ ...same[0], line: 0 }).toEqual({ ...same[1], line: 0 });
    },
    DUPLICATE_AT_HOST: (g, b) => {
      const rrns = readBack(g).presented.map((r) => r.rrn);
      const pair = host.transactions.filter((t) => t.amount === 55_500n);
      expect(pair.map((t) => t.rrn)).toContain(b.rrn);
      expect(pair.filter((t) => rrns.includes(t.rrn))).toHaveLength(1);
      expect(rrns).not.toContain(b.rrn);
    },
    CURRENCY_MISMATCH: (g, b) => {
      const r = lineOf(g, b);
      const t = hostByRrn.get(b.rrn as string) as HostTransaction;
      expect(r?.currency).not.toBe(t.currency);
      expect(r?.amount).toBe(t.amount);
    },
    STATUS_MISMATCH: (g, b) => {
      expect(lineOf(g, b)).toMatchObject({ rrn: b.rrn, type: 'SALE' });
      expect(hostByRrn.get(b.rrn as string)?.status).toBe('REVERSED');
    },
    LATE_PRESENTMENT: (g, b) => {
      const { files } = readBack(g);
      expect(files.map((f) => f.businessDay)).toEqual([DAY, NEXT_DAY]);
      expect(b.file).toBe(NEXT_DAY);
      expect(files[0]?.records.some((r) => r.rrn === b.rrn)).toBe(false);
      expect(files[1]?.header).toMatchObject({ businessDay: NEXT_DAY, createdAt: '2026-03-04T02:00:00.000Z' });
      expect(files[1]?.records).toEqual([expect.objectContaining({ rrn: b.rrn, settlementDate: NEXT_DAY, line: 3 })]);
      expect(files[1]?.summaries).toEqual([expect.objectContaining({ terminalId: b.terminalId, batchNo: b.batchNo, debitCount: 1, line: 4 })]);
      expect(files[1]?.trailer).toMatchObject({ recordCount: 1, line: 5 });
    },
    BATCH_TOTALS_MISMATCH: (g, b) => {
      const { day } = readBack(g);
      expect(day.records).toEqual(clean.records);
      const altered = day.summaries.find((s) => s.line === b.line);
      const computed = summariseBatches(day.records).find((s) => s.terminalId === altered?.terminalId && s.batchNo === altered?.batchNo && s.currency === altered?.currency);
      expect(altered?.debitAmount).toBeGreaterThan(computed?.debitAmount ?? 0n);
      expect({ ...altered, debitAmount: 0n, line: 0 }).toEqual({ ...computed, debitAmount: 0n, line: 0 });
    },
  };

  it.each(BREAK_TYPES)('%s: does what its manifest says, and the matcher finds exactly that one break', (type) => {
    const g = generate([type]);
    const b = only(g);
    expect(b.type).toBe(type);
    checks[type](g, b);
    const breaks = breaksOf(g);
    expect(breaks.map((x) => x.type)).toEqual([type]);
    expect(breaks[0]).toMatchObject({ terminalId: b.terminalId, ...(b.rrn ? { rrn: b.rrn } : { batchNo: b.batchNo, currency: b.currency }) });
  });

  it('for any seed, each type alone and all together give exactly their breaks', () => {
    // Many seeds reach the transactions a careless choice would get wrong (the lookalike pair, the voided and refunded sales).
    for (let seed = 1; seed <= 40; seed++) {
      for (const type of BREAK_TYPES) expect(breaksOf(generate([type], seed)).map((x) => x.type), `${type} seed ${seed}`).toEqual([type]);
      expect(breaksOf(generate(BREAK_TYPES, seed)).map((x) => x.type).sort(), `all, seed ${seed}`).toEqual([...BREAK_TYPES].sort());
    }
    // 440 generated days: about 3 s alone, more on a busy machine; the limit is not the test.
  }, 60_000);

  it('STATUS_MISMATCH on a day without a reversed transaction: a REVERSAL line after a completed SALE', () => {
    const day = buildDay({ reversed: false });
    const g = generate(['STATUS_MISMATCH'], 42, day);
    const b = only(g);
    const lines = readBack(g).presented.filter((r) => r.rrn === b.rrn);
    expect(lines.map((r) => r.type)).toEqual(['SALE', 'REVERSAL']);
    expect(lines[1]?.line).toBe(b.line);
    const [sale] = lines as [(typeof lines)[number]];
    expect(lines[1]).toMatchObject({ stan: sale.stan, amount: sale.amount, fee: sale.fee, settlementAmount: -sale.settlementAmount });
    expect(breaksOf(g, day).map((x) => [x.type, x.rrn])).toEqual([['STATUS_MISMATCH', b.rrn]]);
  });

  it('STATUS_MISMATCH on a day whose RRNs repeat across terminals: each BATCH line takes the REVERSAL from its own terminal only', () => {
    const day = buildDay({ reversed: false, rrnPerTerminal: true });
    for (let seed = 1; seed <= 40; seed++) {
      const g = generate(['STATUS_MISMATCH'], seed, day);
      const b = only(g);
      expect(day.transactions.filter((t) => t.rrn === b.rrn).length, `seed ${seed}`).toBeGreaterThan(1);
      // Totalled here without summariseBatches: every line but the reversed sale of that terminal (and the REVERSAL line itself).
      const { records, summaries } = readBack(g).day;
      const standing = records.filter((r) => r.rrn !== b.rrn || r.terminalId !== b.terminalId);
      const expected = summaries.map((s) => {
        const mine = standing.filter((r) => r.terminalId === s.terminalId && r.batchNo === s.batchNo && r.currency === s.currency);
        const sum = (rs: typeof mine) => rs.reduce((n, r) => n + r.amount, 0n);
        const debits = mine.filter((r) => r.type === 'SALE');
        const credits = mine.filter((r) => r.type !== 'SALE');
        return { ...s, debitCount: debits.length, debitAmount: sum(debits), creditCount: credits.length, creditAmount: sum(credits) };
      });
      expect(summaries, `seed ${seed}`).toEqual(expected);
      expect(breaksOf(g, day).map((x) => [x.type, x.terminalId, x.rrn]), `seed ${seed}`).toEqual([['STATUS_MISMATCH', b.terminalId, b.rrn]]);
    }
  });

  it('amount and fee differences exceed the tolerances given', () => {
    const tolerances = { amountMinor: 1_000n, feeMinor: 500n };
    const g = generate(['AMOUNT_MISMATCH', 'FEE_MISMATCH'], 7, host, tolerances);
    const amount = g.injected.find((b) => b.type === 'AMOUNT_MISMATCH') as InjectedBreak;
    const fee = g.injected.find((b) => b.type === 'FEE_MISMATCH') as InjectedBreak;
    expect((lineOf(g, amount)?.amount ?? 0n) - (hostByRrn.get(amount.rrn as string) as HostTransaction).amount).toBeGreaterThan(1_000n);
    expect((lineOf(g, fee)?.fee ?? 0n) - (hostByRrn.get(fee.rrn as string) as HostTransaction).expectedFee).toBeGreaterThan(500n);
    expect(breaksOf(g, host, { ...DEFAULT_TOLERANCES, ...tolerances }).map((x) => x.type)).toEqual(['AMOUNT_MISMATCH', 'FEE_MISMATCH']);
  });
});

describe('all injections together', () => {
  const g = generate(BREAK_TYPES);

  it('each on a different batch, each found once by the matcher, nothing else', () => {
    expect(g.injected.map((b) => b.type).sort()).toEqual([...BREAK_TYPES].sort());
    const batches = g.injected.map((b) => `${b.terminalId}/${b.batchNo}`);
    expect(new Set(batches).size).toBe(BREAK_TYPES.length);
    const breaks = breaksOf(g);
    expect(breaks.map((x) => x.type).sort()).toEqual([...BREAK_TYPES].sort());
    for (const b of g.injected) expect(breaks.find((x) => x.type === b.type)).toMatchObject({ terminalId: b.terminalId, batchNo: b.batchNo, ...(b.rrn ? { rrn: b.rrn } : {}) });
  });

  it('the same seed gives byte-identical files, whatever the order of the host transactions', () => {
    const again = generate(BREAK_TYPES);
    const shuffled = generate(BREAK_TYPES, 42, { ...host, transactions: [...host.transactions].reverse() });
    expect(again).toEqual(g);
    expect(shuffled.files.map((f) => f.text)).toEqual(g.files.map((f) => f.text));
  });

  it('another seed makes other choices', () => {
    const choices = (x: GeneratedClearing) => x.injected.map((b) => `${b.type}:${b.rrn ?? b.line}`).join(' ');
    const others = [1, 2, 3].map((seed) => choices(generate(BREAK_TYPES, seed)));
    expect(others.some((c) => c !== choices(g))).toBe(true);
    expect(generate(BREAK_TYPES, 1).files[0]?.text).not.toBe(g.files[0]?.text);
  });
});

describe('a break the day cannot carry', () => {
  it('DUPLICATE_AT_HOST without a lookalike pair fails, naming the type', () => {
    const day = buildDay({ lookalikes: false });
    expect(() => generate(['DUPLICATE_AT_HOST'], 42, day)).toThrow(InjectionError);
    expect(() => generate(['DUPLICATE_AT_HOST'], 42, day)).toThrow(/DUPLICATE_AT_HOST: the host day holds no two lookalike COMPLETED transactions/);
  });

  it('more injections than batches fails, naming the type left without one', () => {
    const small: HostDay = { ...host, transactions: host.transactions.filter((t) => t.terminalId === 'T1000001' || t.terminalId === 'T2000002') };
    expect(() => generate(['MISSING_AT_ACQUIRER', 'AMOUNT_MISMATCH', 'FEE_MISMATCH', 'CURRENCY_MISMATCH', 'LATE_PRESENTMENT'], 42, small)).toThrow(
      /cannot inject (AMOUNT_MISMATCH|FEE_MISMATCH|CURRENCY_MISMATCH|LATE_PRESENTMENT|MISSING_AT_ACQUIRER): no completed SALE left/,
    );
  });

  it('refuses an unknown break type and a created-at without a zone', () => {
    expect(() => generate(['CHARGEBACK' as BreakType])).toThrow(/unknown break type/);
    expect(() => generateClearingFiles(host, { seed: 1, inject: [], createdAt: '2026-03-03T02:00:00' })).toThrow(/createdAt/);
  });
});
