import { describe, expect, it } from 'vitest';
import { type IsoMessage, isIso8583Error } from '@pos/iso8583';
import { answerFields, requestOf, responseMti } from './iso-dialect';

const msg = (mti: string, fields: Record<number, string>): IsoMessage => ({ mti, fields: new Map(Object.entries(fields).map(([k, v]) => [Number(k), v])) });
const refusedWith = (f: () => unknown, code: string) => {
  try {
    f();
  } catch (e) {
    expect(isIso8583Error(e) && e.code).toBe(code);
    return;
  }
  throw new Error('not refused');
};

describe('the ISO 8583 dialect', () => {
  it('answers requests and advices only, with a valid response MTI', () => {
    expect(['0200', '0220', '0401', '0800', '0320'].map(responseMti)).toEqual(['0210', '0230', '0410', '0810', '0330']);
    // Found by the fuzz test: 0840 (notification) made 0850, which no codec packs.
    expect(['0210', '0840', '0230', '0a00', '0900'].map(responseMti)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('builds the HTTP bodies: card sale from track 2, QR from 22 = 03x, void by 37, reversal by 61, settlement totals from 48', () => {
    expect(requestOf(msg('0200', { 3: '000000', 4: '000000010000', 11: '000007', 22: '021', 35: '4111111111111111=2512', 49: '156', 60: '22000001' }))).toEqual({
      name: 'sale', body: { stan: '000007', batchNo: '000001', amount: '10000', currency: 'CNY', method: 'BANK_CARD', card: { pan: '4111111111111111' } },
    });
    expect(requestOf(msg('0200', { 3: '000000', 4: '000000000100', 11: '000008', 22: '031', 48: 'payer-token', 49: '840', 60: '22000001' })).body).toMatchObject({ method: 'QR', qr: { payerToken: 'payer-token' }, currency: 'USD' });
    expect(requestOf(msg('0200', { 3: '200000', 11: '000009', 37: '123456789012', 60: '23000001' }))).toEqual({ name: 'void', body: { stan: '000009', batchNo: '000001', originalRrn: '123456789012' } });
    expect(requestOf(msg('0401', { 11: '000010', 39: '98', 60: '22000001', 61: '0000010000070101' })).body).toEqual({ stan: '000010', batchNo: '000001', originalStan: '000007', reason: '98' });
    expect(requestOf(msg('0500', { 11: '000011', 48: '156002000000020000001000000002000', 60: '00000001201', 63: '01 1234' })).body).toEqual({
      stan: '000011', batchNo: '000001', operatorId: '01', password: '1234',
      totals: [{ currency: 'CNY', debitCount: 2, debitAmount: '20000', creditCount: 1, creditAmount: '2000' }],
    });
    expect(requestOf(msg('0320', { 11: '000012', 60: '00000001202' })).name).toBe('endUpload');
  });

  it('refuses what it does not speak as a format error', () => {
    refusedWith(() => requestOf(msg('0100', { 11: '000001' })), 'ISO_MTI_UNKNOWN');
    refusedWith(() => requestOf(msg('0200', { 3: '310000', 11: '000001' })), 'ISO_MTI_UNKNOWN');
    refusedWith(() => requestOf(msg('0800', { 11: '000001', 60: '00000001002' })), 'ISO_MTI_UNKNOWN');
    refusedWith(() => requestOf(msg('0500', { 11: '000001', 48: '1560', 60: '00000001201' })), 'ISO_FIELD_INVALID');
    refusedWith(() => requestOf(msg('0200', { 3: '000000', 11: '000001', 60: '22x' })), 'ISO_FIELD_INVALID');
  });

  it('answers the host totals and the result in 48, the batch to adopt in 60.2', () => {
    const settle = msg('0500', { 11: '000011', 41: 'T0000001', 60: '00000001201' });
    const f = answerFields(settle, {
      responseCode: '00', result: 'BALANCED', batchNo: '000001', nextBatchNo: '000002', businessDay: '2026-12-01', nextBusinessDay: '2026-12-02',
      hostTotals: [{ currency: 'CNY', debitCount: 1, debitAmount: '100', creditCount: 0, creditAmount: '0' }],
    }, new Date('2026-12-01T10:11:12Z'));
    expect(Object.fromEntries(f)).toEqual({ 11: '000011', 41: 'T0000001', 12: '101112', 13: '1201', 15: '1202', 39: '00', 60: '00000002201', 48: '156' + '001' + '000000000100' + '000' + '000000000000' + '1' });
  });

  it("answers a void's amount and currency in 4 and 49, an upload's booked RRN in 37", () => {
    const voided = answerFields(msg('0200', { 3: '200000', 11: '000009', 37: '123456789012', 60: '23000001' }), { responseCode: '00', rrn: '000000000042', amount: '2500', currency: 'CNY', batchNo: '000001' }, new Date('2026-12-01T10:11:12Z'));
    expect([voided.get(4), voided.get(49), voided.get(37)]).toEqual(['000000002500', '156', '000000000042']);
    // A sale's 4 is the request's own, echoed.
    const sale = answerFields(msg('0200', { 3: '000000', 4: '000000000100', 11: '000010', 60: '22000001' }), { responseCode: '00', amount: '100' }, new Date());
    expect(sale.get(4)).toBe('000000000100');
    const upload = answerFields(msg('0320', { 11: '000012', 60: '22000001', 61: '000007' }), { responseCode: '00', items: [{ stan: '000007', outcome: 'BOOKED', rrn: '000000000043' }] }, new Date());
    expect([upload.get(48), upload.get(37)]).toEqual(['BOOKED', '000000000043']);
  });
});
