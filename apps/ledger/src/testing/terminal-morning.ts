import type { TerminalEvent } from '@pos/contracts';
import { decide, evolve, initialTerminalState, parseCommand, type TerminalCommand, type Written } from '@pos/terminal-domain';

/** A terminal's morning decided by the real domain, for pipeline tests: register, sign on, then QR sales of the given amounts. */
export const terminalMorning = (terminalId: string, amounts: readonly bigint[], now: Date): TerminalEvent[] => {
  let state = initialTerminalState;
  const events: TerminalEvent[] = [];
  const run = (written: Written<TerminalCommand>) => {
    for (const e of decide(parseCommand(written), state, now).events) {
      events.push(e);
      state = evolve(state, e);
    }
  };
  run({ type: 'RegisterTerminal', terminalId, merchantId: 'M00000000000001', merchantName: 'P', currencies: [{ currency: 'CNY', maxAmount: 10_000_000n }], operatorIds: ['01'],
    pricing: { planId: 'p', mdrBps: { BANK_CARD: 60, QR: 38 }, refundReturnsFee: false, payoutSchedule: 'T1', rounding: { scope: 'PER_TRANSACTION', mode: 'HALF_UP' } } });
  run({ type: 'SignOn', stan: '000001', fingerprint: 'fingerprint-000001', operatorId: '01', passwordValid: true });
  for (const [i, amount] of amounts.entries()) {
    const stan = String(i + 2).padStart(6, '0');
    run({ type: 'Sale', stan, fingerprint: `fingerprint-${stan}`, batchNo: '000001', amount, currency: 'CNY', method: 'QR', hasQrToken: true });
  }
  return events;
};
