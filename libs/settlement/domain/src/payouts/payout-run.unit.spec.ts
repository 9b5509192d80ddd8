import type { PayoutBatch } from '@pos/contracts';
import { describe, expect, it } from 'vitest';
import { EMPTY_PAYOUT_ACCOUNT, evolvePayoutAccount, isDueBy, runPayout } from './payout-run';
import { SHIPPED_CALENDARS, workingDaysOf } from './working-calendar';

const M = 'M000000000000001';
const part = (settlementId: string, amount: bigint, payoutDate = '2026-03-04', schedule: 'D0' | 'T1' = 'T1'): PayoutBatch => ({
  settlementId, terminalId: 'T0000001', batchNo: '000001', businessDay: '2026-03-03', schedule, payoutDate, amount,
});
const run = (due: PayoutBatch[], account = EMPTY_PAYOUT_ACCOUNT, payoutDate = '2026-03-04') => runPayout({ merchantId: M, currency: 'CNY', payoutDate, due }, account);

describe('a payout run for a merchant, a day and a currency', () => {
  it('given the batches of two terminals due that day, then one payout of their net, listing both', () => {
    const result = run([part('S-B', 2_000n), part('S-A', 1_000n)]);
    expect(result).toEqual({
      type: 'PayoutScheduled',
      data: { payoutId: `PO-${M}-CNY-2026-03-04-1`, merchantId: M, currency: 'CNY', amount: 3_000n, payoutDate: '2026-03-04', batches: [part('S-A', 1_000n), part('S-B', 2_000n)] },
    });
  });

  it('given refunds above sales (a negative net), then nothing is paid: the parts are carried; the next positive run nets them and lists them', () => {
    const carried = run([part('S-1', 5_000n), part('S-2', -8_000n)]);
    expect(carried).toEqual({ type: 'PayoutCarriedForward', data: { merchantId: M, currency: 'CNY', payoutDate: '2026-03-04', amount: -3_000n, batches: [part('S-1', 5_000n), part('S-2', -8_000n)] } });

    const account = evolvePayoutAccount(EMPTY_PAYOUT_ACCOUNT, carried!);
    const still = run([part('S-3', 2_999n, '2026-03-05')], account, '2026-03-05');
    expect(still).toMatchObject({ type: 'PayoutCarriedForward', data: { amount: -1n } });

    const paid = run([part('S-4', 501n, '2026-03-06')], evolvePayoutAccount(account, still!), '2026-03-06');
    expect(paid).toMatchObject({ type: 'PayoutScheduled', data: { amount: 500n, payoutDate: '2026-03-06' } });
    expect(paid?.data.batches.map((b) => [b.settlementId, b.amount])).toEqual([['S-1', 5_000n], ['S-2', -8_000n], ['S-3', 2_999n], ['S-4', 501n]]);
    expect(evolvePayoutAccount(account, paid!).carried).toEqual([]);
  });

  it('given a net of exactly zero, then it is carried (never a zero or negative transfer); one minor unit more is paid', () => {
    expect(run([part('S-1', 1_000n), part('S-2', -1_000n)])?.type).toBe('PayoutCarriedForward');
    expect(run([part('S-1', 1_001n), part('S-2', -1_000n)])).toMatchObject({ type: 'PayoutScheduled', data: { amount: 1n } });
    expect(run([part('S-1', 999n), part('S-2', -1_000n)])).toMatchObject({ type: 'PayoutCarriedForward', data: { amount: -1n } });
  });

  it('given nothing due, then nothing is recorded (a rerun of the day pays nothing twice)', () => {
    expect(run([])).toBeUndefined();
  });

  it('given a payout after one was made, then it is numbered after it', () => {
    const first = run([part('S-1', 100n)]);
    expect(run([part('S-2', 100n)], evolvePayoutAccount(EMPTY_PAYOUT_ACCOUNT, first!))?.data).toMatchObject({ payoutId: `PO-${M}-CNY-2026-03-04-2` });
  });
});

describe('what a run of a date pays', () => {
  const CN = workingDaysOf(SHIPPED_CALENDARS.CN);

  it('given a T1 part due on a day that is a holiday (a calendar loaded after it was settled), then it rolls to the next working day', () => {
    const due = { schedule: 'T1' as const, payoutDate: '2026-10-01' };
    expect(isDueBy(due, '2026-10-07', CN)).toBe(false);
    expect(isDueBy(due, '2026-10-08', CN)).toBe(true);
  });

  it('given a D0 part, then it is paid on its own day, holiday or not; never before', () => {
    expect(isDueBy({ schedule: 'D0', payoutDate: '2026-10-01' }, '2026-10-01', CN)).toBe(true);
    expect(isDueBy({ schedule: 'D0', payoutDate: '2026-10-02' }, '2026-10-01', CN)).toBe(false);
  });

  it('given a part due earlier and not paid yet (settled after its day ran), then the next run pays it', () => {
    expect(isDueBy({ schedule: 'T1', payoutDate: '2026-03-04' }, '2026-03-05', CN)).toBe(true);
  });
});
