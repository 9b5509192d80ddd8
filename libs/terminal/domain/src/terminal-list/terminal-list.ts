import { TERMINAL_EVENTS, type TerminalEvent } from '@pos/contracts';
import type { RecordedEvent } from '@pos/kernel';
import type { CurrencyCode } from '@pos/money';

/** What the back office sees of a terminal's session: registered and never signed on, signed on, signed off. */
export type TerminalListState = 'REGISTERED' | 'SIGNED_ON' | 'SIGNED_OFF';

/** The open batch in one currency: transactions the host holds (reversed ones excluded), and their net (sales − voids − refunds). */
export interface OpenBatchLine {
  readonly currency: CurrencyCode;
  readonly count: number;
  readonly amount: bigint;
}

/** One terminal as the back office's terminal list shows it. */
export interface TerminalListRow {
  readonly terminalId: string;
  readonly merchantId: string;
  readonly merchantName: string;
  readonly timeZone: string;
  readonly state: TerminalListState;
  /** The operator signed on, while the terminal is. */
  readonly operatorId?: string;
  readonly batchNo: string;
  readonly businessDay: string;
  /** Per currency, in currency order; empty once the batch closed. */
  readonly openBatch: readonly OpenBatchLine[];
  /** When the terminal's latest event occurred (a refused password counts: someone is at the terminal). */
  readonly lastActivityAt?: string;
  /** Operators locked out by wrong passwords, until the back office unlocks them; in id order. */
  readonly lockedOperators: readonly string[];
}

/** Every terminal event: each one is activity, and each may change what the list shows. */
export const TERMINAL_LIST_EVENTS = TERMINAL_EVENTS;

/** A sale adds to the batch's net, a void or refund takes from it. */
const signed = (kind: 'SALE' | 'VOID' | 'REFUND', amount: bigint) => (kind === 'SALE' ? amount : -amount);

const addToBatch = (lines: readonly OpenBatchLine[], currency: CurrencyCode, count: number, amount: bigint): OpenBatchLine[] => {
  const old = lines.find((l) => l.currency === currency) ?? { currency, count: 0, amount: 0n };
  const next = { currency, count: old.count + count, amount: old.amount + amount };
  const others = lines.filter((l) => l.currency !== currency);
  return [...others, ...(next.count === 0 && next.amount === 0n ? [] : [next])].sort((a, b) => a.currency.localeCompare(b.currency));
};

const withLocked = (locked: readonly string[], operatorId: string, on: boolean): string[] =>
  [...locked.filter((id) => id !== operatorId), ...(on ? [operatorId] : [])].sort();

/**
 * Folds one terminal event into its row of the terminal list (a pure read model: the same
 * events give the same rows, live or rebuilt). An event of a terminal with no row yet (its
 * registration not seen) leaves it without one.
 */
export const evolveTerminalListRow = (row: TerminalListRow | undefined, event: RecordedEvent<TerminalEvent>): TerminalListRow | undefined => {
  if (event.type === 'TerminalRegistered') {
    const d = event.data;
    return {
      terminalId: d.terminalId, merchantId: d.merchantId, merchantName: d.merchantName, timeZone: d.timeZone, state: 'REGISTERED',
      batchNo: d.batchNo, businessDay: d.businessDay, openBatch: [], lastActivityAt: event.metadata.occurredAt, lockedOperators: [],
    };
  }
  if (!row) return undefined;
  const r: TerminalListRow = { ...row, lastActivityAt: event.metadata.occurredAt };
  switch (event.type) {
    case 'TerminalSignedOn':
      return { ...r, state: 'SIGNED_ON', operatorId: event.data.operatorId, lockedOperators: withLocked(r.lockedOperators, event.data.operatorId, false) };
    case 'TerminalSignedOff': {
      const { operatorId: _gone, ...off } = r;
      return { ...off, state: 'SIGNED_OFF' };
    }
    case 'OperatorAuthenticationFailed':
      return { ...r, lockedOperators: withLocked(r.lockedOperators, event.data.operatorId, event.data.lockedOut) };
    case 'OperatorUnlocked':
      return { ...r, lockedOperators: withLocked(r.lockedOperators, event.data.operatorId, false) };
    case 'TransactionCompleted': {
      const d = event.data;
      return d.batchNo === r.batchNo ? { ...r, openBatch: addToBatch(r.openBatch, d.currency, 1, signed(d.kind, d.amount)) } : r;
    }
    case 'TransactionReversed': {
      const d = event.data;
      return d.batchNo === r.batchNo ? { ...r, openBatch: addToBatch(r.openBatch, d.currency, -1, -signed(d.kind, d.amount)) } : r;
    }
    case 'BatchClosed':
      return { ...r, batchNo: event.data.nextBatchNo, businessDay: event.data.nextBusinessDay, openBatch: [] };
    case 'UnmatchedReversalRecorded':
    case 'SettlementRequested':
    case 'BatchTransactionsUploaded':
      return r;
  }
};
