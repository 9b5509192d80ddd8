import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_EVENTS, TERMINAL_EVENTS } from '@pos/contracts';
import { toJsonSafe } from '@pos/kernel';
import { readEnv } from '@pos/platform';
import type { SqliteServiceStore } from '@pos/embedded';
import { type RunningProcess, startProcess } from '@pos/runtime';
import { rawSqliteStore, storedEvent } from '@pos/testing';
import { ledgerPlan } from './ledger';

/** The terminal API on the real embedded ledger: every refusal has a stable code and writes nothing. */
describe('terminal API refuses bad input with a stable code and changes nothing', () => {
  let ledger: RunningProcess;
  const gateway = () => ledger.runtime.store('terminal-gateway') as SqliteServiceStore;
  let dir: string;
  let stanSeq = 0;
  const stan = () => String(++stanSeq).padStart(6, '0');
  const PAN = '4111111111111111';

  const call = async (path: string, body: unknown, auth?: string, raw = false) => {
    const res = await fetch(`${ledger.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      body: raw ? (body as string) : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  const register = async (terminalId: string, maxAmount = '1000000') => {
    const res = await call(
      '/v1/admin/terminals',
      { terminalId, merchantId: 'M00000000000001', merchantName: 'Test shop', currencies: [{ currency: 'CNY', maxAmount }], operators: [{ operatorId: '01', password: '1234' }] },
      'dev-admin-token',
    );
    expect(res.status).toBe(201);
    return res.body.apiKey as string;
  };

  const eventCount = async () => (await gateway().readAll('0', 1_000_000)).length;

  /** Asserts a refusal and that the gateway store did not change. */
  const refused = async (request: Promise<{ status: number; body: Record<string, any> }>, status: number, code: string, responseCode: string) => {
    const before = await eventCount();
    const res = await request;
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ code, responseCode });
    expect(typeof res.body.error.message).toBe('string');
    expect(await eventCount()).toBe(before);
  };

  let key: string;
  const T = 'T0000001';
  const path = (p: string) => `/v1/terminals/${T}/${p}`;
  const sale = (amount: unknown, extra: Record<string, unknown> = {}) =>
    call(path('sales'), { stan: stan(), batchNo: '000001', amount, currency: 'CNY', method: 'BANK_CARD', card: { pan: PAN }, ...extra }, key);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-api-'));
    ledger = await startProcess(ledgerPlan, { ...readEnv({}), port: 0, iso8583Port: 0, dataDir: dir, scryptCost: 1024 }, {});
    key = await register(T);
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('before sign-on', () => {
    it('refuses an unknown terminal and a wrong key', async () => {
      await refused(call('/v1/terminals/T9999999/sales', { stan: stan() }, key), 401, 'TERMINAL_UNKNOWN', '97');
      await refused(call(path('sign-on'), { stan: stan(), operatorId: '01', password: '1234' }, 'wrong-key-wrong-key'), 401, 'TERMINAL_UNAUTHENTICATED', 'A0');
      await refused(call(path('sign-on'), { stan: stan(), operatorId: '01', password: '1234' }), 401, 'TERMINAL_UNAUTHENTICATED', 'A0');
    });
    it('refuses a sale before sign-on', async () => {
      await refused(sale(100), 409, 'TERMINAL_NOT_SIGNED_ON', '22');
    });
    it('refuses registration without the admin token and a duplicate registration', async () => {
      await refused(call('/v1/admin/terminals', { terminalId: 'T0000009' }, 'not-the-admin'), 401, 'ADMIN_UNAUTHENTICATED', 'A0');
      await refused(
        call('/v1/admin/terminals', { terminalId: T, merchantId: 'M00000000000001', merchantName: 'x', currencies: [{ currency: 'CNY', maxAmount: 5 }], operators: [{ operatorId: '01', password: '1234' }] }, 'dev-admin-token'),
        409, 'TERMINAL_ALREADY_REGISTERED', '94',
      );
    });
  });

  it('refuses a per-transaction limit of zero or above 12 digits, and settlement totals above 18 digits (AMOUNT_INVALID 13)', async () => {
    const registration = (maxAmount: unknown) => ({
      terminalId: 'T0000088', merchantId: 'M00000000000001', merchantName: 'Shop', currencies: [{ currency: 'CNY', maxAmount }], operators: [{ operatorId: '01', password: '1234' }],
    });
    for (const maxAmount of ['0', 0, '1000000000000'])
      await refused(call('/v1/admin/terminals', registration(maxAmount), 'dev-admin-token'), 400, 'AMOUNT_INVALID', '13');
    const settle = { stan: stan(), batchNo: '000001', operatorId: '01', password: '1234', totals: [{ currency: 'CNY', debitCount: 1, debitAmount: '1000000000000000000', creditCount: 0, creditAmount: 0 }] };
    await refused(call(path('settlement'), settle, key), 400, 'AMOUNT_INVALID', '13');
  });

  describe('signed on', () => {
    beforeAll(async () => {
      const res = await call(path('sign-on'), { stan: stan(), operatorId: '01', password: '1234' }, key);
      expect(res.body).toMatchObject({ responseCode: '00', batchNo: '000001' });
    });

    it.each([
      ['zero', 0, 'AMOUNT_INVALID', '13'],
      ['negative', -5, 'AMOUNT_INVALID', '13'],
      ['fractional', 12.5, 'AMOUNT_INVALID', '13'],
      ['decimal string', '12.50', 'AMOUNT_INVALID', '13'],
      ['exponent string', '1e3', 'AMOUNT_INVALID', '13'],
    ])('refuses a %s amount', async (_name, amount, code, rc) => {
      await refused(sale(amount), 400, code, rc);
    });

    /** A body with `literal` written as is where the placeholder string stands: JSON.stringify would write 1e3 as 1000. */
    const withLiteral = (body: unknown, literal: string) => JSON.stringify(body).replace('"@LITERAL@"', literal);

    it.each(['1e3', '1E3', '1.0', '1000.00', '10e-1', '1e0'])('refuses the JSON number %s as an amount (AMOUNT_INVALID), everywhere an amount is taken', async (literal) => {
      const L = '@LITERAL@';
      await refused(call(path('sales'), withLiteral({ stan: stan(), batchNo: '000001', amount: L, currency: 'CNY', method: 'BANK_CARD', card: { pan: PAN } }, literal), key, true), 400, 'AMOUNT_INVALID', '13');
      const original = await sale(5_000);
      await refused(call(path('refunds'), withLiteral({ stan: stan(), batchNo: '000001', originalRrn: original.body.rrn, amount: L }, literal), key, true), 400, 'AMOUNT_INVALID', '13');
      const settlement = { stan: stan(), batchNo: '000001', operatorId: '01', password: '1234' };
      for (const field of ['debitAmount', 'creditAmount'])
        await refused(call(path('settlement'), withLiteral({ ...settlement, totals: [{ currency: 'CNY', debitCount: 1, debitAmount: 1, creditCount: 1, creditAmount: 1, [field]: L }] }, literal), key, true), 400, 'AMOUNT_INVALID', '13');
      await refused(
        call('/v1/admin/terminals', withLiteral({ terminalId: 'T0000077', merchantId: 'M00000000000001', merchantName: 'Shop', currencies: [{ currency: 'CNY', maxAmount: L }], operators: [{ operatorId: '01', password: '1234' }] }, literal), 'dev-admin-token', true),
        400, 'AMOUNT_INVALID', '13',
      );
    });

    it('refuses a count written as 1.0 or 1e0, naming the literal', async () => {
      const body = { stan: stan(), batchNo: '000001', operatorId: '01', password: '1234', totals: [{ currency: 'CNY', debitCount: '@LITERAL@', debitAmount: 1, creditCount: 0, creditAmount: 0 }] };
      for (const literal of ['1.0', '1e0']) {
        const before = await eventCount();
        const res = await call(path('settlement'), withLiteral(body, literal), key, true);
        expect(res.body.error).toMatchObject({ code: 'REQUEST_INVALID', responseCode: '30' });
        expect(res.body.error.message).toContain(`totals.0.debitCount: ${literal} is not an integer`);
        expect(await eventCount()).toBe(before);
      }
    });

    it('reads an amount from its JSON text: a 17-digit integer literal is not rounded by a float', async () => {
      // 12345678901234567 is not a double: JSON.parse alone reads it as 12345678901234568.
      const res = await call(path('sales'), withLiteral({ stan: stan(), batchNo: '000001', amount: '@LITERAL@', currency: 'CNY', method: 'BANK_CARD', card: { pan: PAN } }, '12345678901234567'), key, true);
      expect(res.body.error).toMatchObject({ code: 'AMOUNT_OVER_LIMIT', details: { limit: '1000000' } });
      expect(res.body.error.message).toContain('12345678901234567 exceeds');
    });

    it('refuses trace and batch numbers outside 000001..999999', async () => {
      await refused(sale(100, { stan: '000000' }), 400, 'REQUEST_INVALID', '30');
      await refused(sale(100, { batchNo: '000000' }), 400, 'REQUEST_INVALID', '30');
      await refused(call(path('reversals'), { stan: stan(), batchNo: '000001', originalStan: '000000', reason: '98' }, key), 400, 'REQUEST_INVALID', '30');
      await refused(call(path('sign-on'), { stan: '000000', operatorId: '01', password: '1234' }, key), 400, 'REQUEST_INVALID', '30');
    });

    it('refuses an amount over the terminal limit', async () => {
      await refused(sale(1_000_001), 400, 'AMOUNT_OVER_LIMIT', '61');
    });

    it('refuses an unknown currency and one the terminal does not accept', async () => {
      await refused(sale(100, { currency: 'XXX' }), 400, 'CURRENCY_UNKNOWN', '30');
      await refused(sale(100, { currency: 'USD' }), 403, 'CURRENCY_NOT_ACCEPTED', '58');
    });

    it('refuses an invalid card number and a wrong batch number', async () => {
      await refused(sale(100, { card: { pan: '4111111111111112' } }), 400, 'CARD_NUMBER_INVALID', '14');
      await refused(sale(100, { batchNo: '000002' }), 409, 'BATCH_NUMBER_MISMATCH', '77');
    });

    it('refuses malformed JSON and missing fields', async () => {
      await refused(call(path('sales'), '{"stan": "000100", ', key, true), 400, 'MALFORMED_JSON', '30');
      await refused(call(path('sales'), { stan: stan(), batchNo: '000001' }, key), 400, 'REQUEST_INVALID', '30');
      await refused(call(path('sales'), [], key), 400, 'REQUEST_INVALID', '30');
    });

    it('refuses a body over 1 MB with REQUEST_TOO_LARGE (30)', async () => {
      await refused(call(path('sales'), JSON.stringify({ stan: stan(), padding: 'x'.repeat(1_100_000) }), key, true), 413, 'REQUEST_TOO_LARGE', '30');
    });

    it('answers a retry with the original answer and refuses the same trace number with another body', async () => {
      const s = stan();
      const body = { stan: s, batchNo: '000001', amount: 2500, currency: 'CNY', method: 'BANK_CARD', card: { pan: PAN } };
      const first = await call(path('sales'), body, key);
      expect(first.body.responseCode).toBe('00');
      const before = await eventCount();
      const retry = await call(path('sales'), body, key);
      expect(retry.body).toEqual(first.body);
      expect(await eventCount()).toBe(before);
      await refused(call(path('sales'), { ...body, amount: 2501 }, key), 409, 'DUPLICATE_TRANSMISSION', '94');
    });

    it('refuses voids of unknown and already voided sales, and refunds above the original', async () => {
      const s = await sale(10_000);
      await refused(call(path('voids'), { stan: stan(), batchNo: '000001', originalRrn: '999999999999' }, key), 404, 'ORIGINAL_NOT_FOUND', '25');
      const v = await call(path('voids'), { stan: stan(), batchNo: '000001', originalRrn: s.body.rrn }, key);
      expect(v.body).toMatchObject({ responseCode: '00', amount: '10000', kind: 'VOID' });
      await refused(call(path('voids'), { stan: stan(), batchNo: '000001', originalRrn: s.body.rrn }, key), 409, 'ORIGINAL_ALREADY_VOIDED', '12');
      const r = await sale(3_000);
      await call(path('refunds'), { stan: stan(), batchNo: '000001', originalRrn: r.body.rrn, amount: 2_000 }, key);
      await refused(call(path('refunds'), { stan: stan(), batchNo: '000001', originalRrn: r.body.rrn, amount: 1_001 }, key), 400, 'REFUND_EXCEEDS_ORIGINAL', '13');
    });

    it('refuses a reversal that names its own trace number as the original', async () => {
      const s = stan();
      const res = await call(path('reversals'), { stan: s, batchNo: '000001', originalStan: s, reason: '98' }, key);
      expect(res).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID', responseCode: '30', details: { problems: ['originalStan: a reversal cannot reverse itself'] } } } });
      // Nothing was recorded: the trace number is still free.
      expect((await sale(100, { stan: s })).body).toMatchObject({ responseCode: '00' });
    });

    it('refuses sign-off while the batch holds unsettled transactions', async () => {
      await refused(call(path('sign-off'), { stan: stan() }, key), 409, 'SIGN_OFF_UNSETTLED_BATCH', '12');
    });

    it('refuses malformed settlement totals', async () => {
      const settle = (totals: unknown) => call(path('settlement'), { stan: stan(), batchNo: '000001', operatorId: '01', password: '1234', totals }, key);
      await refused(settle([{ currency: 'CNY', debitCount: -1, debitAmount: 1, creditCount: 0, creditAmount: 0 }]), 400, 'REQUEST_INVALID', '30');
      await refused(settle([{ currency: 'CNY', debitCount: 1, debitAmount: '1.5', creditCount: 0, creditAmount: 0 }]), 400, 'AMOUNT_INVALID', '13');
      await refused(
        settle([
          { currency: 'CNY', debitCount: 1, debitAmount: 1, creditCount: 0, creditAmount: 0 },
          { currency: 'CNY', debitCount: 1, debitAmount: 1, creditCount: 0, creditAmount: 0 },
        ]),
        400, 'SETTLEMENT_TOTALS_MALFORMED', '30',
      );
      await refused(settle([{ currency: 'CNY', debitCount: 0, debitAmount: 5, creditCount: 0, creditAmount: 0 }]), 400, 'SETTLEMENT_TOTALS_MALFORMED', '30');
    });
  });

  describe('operations', () => {
    it('echoes the correlation id, writes it into the events it causes, and counts requests and refusals', async () => {
      const res = await fetch(`${ledger.url}/v1/terminals/${T}/sales`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-correlation-id': 'till-42.receipt-7' },
        body: JSON.stringify({ stan: stan(), batchNo: '000001', amount: 700, currency: 'CNY', method: 'QR', qr: { payerToken: 'payer-token-1' } }),
      });
      expect(res.headers.get('x-correlation-id')).toBe('till-42.receipt-7');
      const events = await gateway().readAll('0', 1_000_000);
      expect(events[events.length - 1].metadata).toMatchObject({ correlationId: 'till-42.receipt-7', actor: { type: 'terminal', id: T } });
      const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
      expect(metrics).toMatch(/ledger_http_requests_total\{service="ledger",route="POST \/v1\/terminals\/:terminalId\/sales",status="200"\} [1-9]/);
      expect(metrics).toMatch(/ledger_refusals_total\{service="ledger",code="AMOUNT_INVALID"\} [1-9]/);
      expect(metrics).toMatch(/ledger_consumer_lag\{service="reconciliation",consumer="reconciliation"\} \d+/);
      expect(metrics).toMatch(/ledger_outbox_backlog\{service="terminal-gateway"\} \d+/);
      const ready = await (await fetch(`${ledger.url}/health/ready`)).json();
      expect(ready).toMatchObject({ status: 'ok', info: { log: { status: 'up' }, 'terminal-gateway-store': { status: 'up' } } });
    });
  });

  it('serves OpenAPI for the terminal, back-office and read-side endpoints, with request schemas', async () => {
    const doc: any = await (await fetch(`${ledger.url}/docs-json`)).json();
    for (const path of ['sign-on', 'sales', 'voids', 'refunds', 'reversals', 'settlement', 'batch-upload', 'batch-upload/end', 'sign-off'])
      expect(doc.paths[`/v1/terminals/{terminalId}/${path}`]?.post, path).toBeDefined();
    expect(doc.paths['/v1/admin/terminals'].post).toBeDefined();
    expect(doc.paths['/v1/reconciliation/daily-totals'].get).toBeDefined();
    expect(doc.paths['/v1/reconciliation/audit-trail'].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['businessDay', 'merchantId', 'terminalId', 'batchNo']));
    expect(doc.paths['/v1/reconciliation/day-report'].get).toBeDefined();
    expect(doc.paths['/v1/settlement/settlements'].get).toBeDefined();
    const sale = doc.paths['/v1/terminals/{terminalId}/sales'].post.requestBody.content['application/json'].schema;
    expect(sale.required).toEqual(expect.arrayContaining(['stan', 'batchNo', 'amount', 'currency', 'method']));
  });

  describe('audit', () => {
    it("verifies a terminal's hash chain and reports the version an edit broke", async () => {
      const verify = async (): Promise<any> => (await fetch(`${ledger.url}/v1/admin/terminals/${T}/verify`, { headers: { authorization: 'Bearer dev-admin-token' } })).json();
      const ok = await verify();
      expect(ok).toMatchObject({ streamId: `terminal-${T}`, ok: true });
      expect(ok.events).toBeGreaterThan(3);
      const [, third] = await gateway().readStream(`terminal-${T}`, LEDGER_EVENTS, 2);
      const raw = rawSqliteStore(gateway().file);
      await raw.tamper(`terminal-${T}`, 3, { ...(toJsonSafe(third.data) as object), businessDay: '2000-01-01' });
      await raw.close();
      expect(await verify()).toMatchObject({ ok: false, brokenAtVersion: 3 });
    });
  });

  describe('a terminal that restarts its trace numbers at each batch', () => {
    it('is answered per (batch, trace number): the new batch books, retries of either batch get their own answer', async () => {
      const T3 = 'T0000003';
      const key3 = await register(T3);
      const p3 = (p: string) => `/v1/terminals/${T3}/${p}`;
      const saleOf = (batchNo: string, amount: number) => ({ stan: '000002', batchNo, amount, currency: 'CNY', method: 'QR', qr: { payerToken: 'payer-token-1' } });
      const settleOf = (batchNo: string, amount: number) => ({ stan: '000003', batchNo, operatorId: '01', password: '1234', totals: [{ currency: 'CNY', debitCount: 1, debitAmount: amount, creditCount: 0, creditAmount: 0 }] });
      expect((await call(p3('sign-on'), { stan: '000001', operatorId: '01', password: '1234' }, key3)).body).toMatchObject({ responseCode: '00', batchNo: '000001' });
      const first = await call(p3('sales'), saleOf('000001', 100), key3);
      const slip = await call(p3('settlement'), settleOf('000001', 100), key3);
      expect(slip.body).toMatchObject({ responseCode: '00', result: 'BALANCED', nextBatchNo: '000002' });

      expect((await call(p3('sign-on'), { stan: '000001', operatorId: '01', password: '1234' }, key3)).body).toMatchObject({ responseCode: '00', batchNo: '000002' });
      const second = await call(p3('sales'), saleOf('000002', 200), key3);
      expect(second.body).toMatchObject({ responseCode: '00', batchNo: '000002', amount: '200' });
      expect(second.body.rrn).not.toBe(first.body.rrn);

      const before = await eventCount();
      expect((await call(p3('sales'), saleOf('000001', 100), key3)).body).toEqual(first.body);
      expect((await call(p3('settlement'), settleOf('000001', 100), key3)).body).toEqual(slip.body);
      expect((await call(p3('sales'), saleOf('000002', 200), key3)).body).toEqual(second.body);
      expect(await eventCount()).toBe(before);
      await refused(call(p3('sales'), saleOf('000002', 300), key3), 409, 'DUPLICATE_TRANSMISSION', '94');
      await refused(call(p3('sales'), saleOf('000001', 300), key3), 409, 'DUPLICATE_TRANSMISSION', '94');
    });
  });

  describe('a batch upload', () => {
    it('refuses an amount written 1e3 and does not book an offline sale above the limit', async () => {
      const T4 = 'T0000004';
      const key4 = await register(T4, '5000');
      const p4 = (p: string) => `/v1/terminals/${T4}/${p}`;
      await call(p4('sign-on'), { stan: '000001', operatorId: '01', password: '1234' }, key4);
      const settled = await call(p4('settlement'), { stan: '000002', batchNo: '000001', operatorId: '01', password: '1234', totals: [{ currency: 'CNY', debitCount: 2, debitAmount: 10_001, creditCount: 0, creditAmount: 0 }] }, key4);
      expect(settled.body).toMatchObject({ responseCode: '95', result: 'UNBALANCED' });
      const item = (stan: string, amount: unknown) => ({ stan, kind: 'SALE', method: 'QR', amount, currency: 'CNY' });
      const literal = JSON.stringify({ stan: '000003', batchNo: '000001', transactions: [item('000010', '@LITERAL@')] }).replace('"@LITERAL@"', '1e3');
      await refused(call(p4('batch-upload'), literal, key4, true), 400, 'AMOUNT_INVALID', '13');
      const res = await call(p4('batch-upload'), { stan: '000003', batchNo: '000001', transactions: [item('000010', 5_000), item('000011', 5_001)] }, key4);
      expect(res.body.items).toEqual([
        { stan: '000010', outcome: 'BOOKED', rrn: expect.stringMatching(/^\d{12}$/) },
        { stan: '000011', outcome: 'MISMATCHED' },
      ]);
    });
  });

  describe('operator passwords', () => {
    const T2 = 'T0000002';
    let key2: string;
    beforeAll(async () => {
      key2 = await register(T2);
    });

    it('records each wrong password, locks after three, and stays locked until the back office unlocks', async () => {
      const signOn = (password: string) => call(`/v1/terminals/${T2}/sign-on`, { stan: stan(), operatorId: '01', password }, key2);
      for (const [n, code, rc] of [[1, 'OPERATOR_PASSWORD_INVALID', '55'], [2, 'OPERATOR_PASSWORD_INVALID', '55'], [3, 'OPERATOR_LOCKED', '75']] as const) {
        const before = await eventCount();
        const res = await signOn('9999');
        expect(res.body.error).toMatchObject({ code, responseCode: rc });
        const events = await gateway().readAll('0', 1_000_000);
        expect(events.length).toBe(before + 1);
        const [registered] = await gateway().readStream(`terminal-${T2}`, TERMINAL_EVENTS);
        expect(events[events.length - 1]).toEqual(
          storedEvent(
            'OperatorAuthenticationFailed',
            { terminalId: T2, merchantId: 'M00000000000001', businessDay: (registered.data as { businessDay: string }).businessDay, operatorId: '01', during: 'SIGN_ON', consecutiveFailures: n, maxFailures: 3, lockedOut: n === 3 },
            { streamId: `terminal-${T2}`, version: 1 + n, actor: { type: 'operator', id: `${T2}/01` } },
          ),
        );
      }
      await refused(signOn('1234'), 403, 'OPERATOR_LOCKED', '75');
      const unlock = () => call(`/v1/admin/terminals/${T2}/operators/01/unlock`, {}, 'dev-admin-token');
      expect(await unlock()).toEqual({ status: 200, body: { responseCode: '00', operatorId: '01', unlocked: true } });
      // Unlocking again is an idempotent no-op: the same 200, nothing appended.
      const before = await eventCount();
      expect(await unlock()).toEqual({ status: 200, body: { responseCode: '00', operatorId: '01', unlocked: false } });
      expect(await eventCount()).toBe(before);
      expect((await signOn('1234')).body).toMatchObject({ responseCode: '00' });
    });
  });
});
