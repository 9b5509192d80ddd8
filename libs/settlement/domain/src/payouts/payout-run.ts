import type { PayoutBatch, PayoutCarriedForward, PayoutScheduled } from '@pos/contracts';
import type { CurrencyCode } from '@pos/money';
import { workingDayOnOrAfter, type WorkingDays } from './working-calendar';

/** What a merchant's payouts in one currency hold between runs: the parts carried because the net was not positive. */
export interface PayoutAccount {
  readonly carried: readonly PayoutBatch[];
  /** Runs recorded so far (the stream's length): numbers the next payout. */
  readonly runs: number;
}

export const EMPTY_PAYOUT_ACCOUNT: PayoutAccount = { carried: [], runs: 0 };

export const evolvePayoutAccount = (state: PayoutAccount, event: PayoutScheduled | PayoutCarriedForward): PayoutAccount => {
  switch (event.type) {
    case 'PayoutScheduled':
      return { carried: [], runs: state.runs + 1 };
    case 'PayoutCarriedForward':
      return { carried: event.data.batches, runs: state.runs + 1 };
  }
};

/**
 * Whether a part is paid by the run of `runDate`: a D0 part from its own day on (D0 is paid on
 * any day, holidays too); a T1 part from the first working day on or after its date, so one due
 * on a day that became a holiday (a calendar loaded after it was settled) rolls to the next
 * working day. A part due earlier and not yet paid (settled after its day's run) is paid now.
 */
export const isDueBy = (part: Pick<PayoutBatch, 'schedule' | 'payoutDate'>, runDate: string, calendar: WorkingDays | undefined): boolean =>
  (part.schedule === 'D0' ? part.payoutDate : workingDayOnOrAfter(part.payoutDate, calendar)) <= runDate;

export interface RunPayout {
  readonly merchantId: string;
  readonly currency: CurrencyCode;
  readonly payoutDate: string;
  /** The merchant's parts in the currency due by the run's date and not yet paid. */
  readonly due: readonly PayoutBatch[];
}

const byDueDate = (a: PayoutBatch, b: PayoutBatch): number =>
  a.payoutDate.localeCompare(b.payoutDate) || a.settlementId.localeCompare(b.settlementId) || a.schedule.localeCompare(b.schedule);

/**
 * One run for a merchant and currency: the net of the parts due and those carried. Positive: one
 * PayoutScheduled of that net, listing every part it includes. Zero or negative: never a negative
 * transfer, a PayoutCarriedForward that the next run nets. Nothing due: nothing (running a day
 * twice pays nothing twice).
 */
export const runPayout = (command: RunPayout, account: PayoutAccount): PayoutScheduled | PayoutCarriedForward | undefined => {
  const { merchantId, currency, payoutDate } = command;
  if (command.due.length === 0) return undefined;
  const batches = [...account.carried, ...[...command.due].sort(byDueDate)];
  const amount = batches.reduce((acc, b) => acc + b.amount, 0n);
  if (amount > 0n) {
    return { type: 'PayoutScheduled', data: { payoutId: `PO-${merchantId}-${currency}-${payoutDate}-${account.runs + 1}`, merchantId, currency, amount, payoutDate, batches } };
  }
  return { type: 'PayoutCarriedForward', data: { merchantId, currency, payoutDate, amount, batches } };
};
