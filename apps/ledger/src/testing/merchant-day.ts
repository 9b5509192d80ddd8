import type { CardType, PaymentMethod, PricingPlan, TerminalEvent } from '@pos/contracts';
import {
  decide, evolve, hostTotals, initialTerminalState, parseCommand, type SettledSale, settledSaleUpdates, settledSalesNeeded, type TerminalCommand, type TerminalState, type Written,
} from '@pos/terminal-domain';

/**
 * One terminal's days decided by the real terminal domain, for settlement tests: register, sign
 * on, sales, refunds of earlier days' sales, close. `events` are those the settlement service
 * would consume, each with the instant it was decided at.
 */
export class TerminalDays {
  state: TerminalState = initialTerminalState;
  readonly events: Array<{ event: TerminalEvent; at: Date }> = [];
  private readonly settled = new Map<string, SettledSale>();
  private stan = 0;

  constructor(
    readonly terminalId: string,
    readonly merchantId: string,
    pricing: Omit<PricingPlan, 'effectiveFrom'>,
    now: Date,
  ) {
    this.run({ type: 'RegisterTerminal', terminalId, merchantId, merchantName: 'Pricing test', currencies: [{ currency: 'CNY', maxAmount: 100_000_000n }], operatorIds: ['01'], pricing }, now);
    this.run({ type: 'SignOn', stan: this.next(), fingerprint: `fingerprint-${this.stan}-pricing`, operatorId: '01', passwordValid: true }, now);
  }

  private next(): string {
    this.stan += 1;
    return String(this.stan).padStart(6, '0');
  }

  /** Runs a command that must succeed; returns its events. */
  private run(written: Written<TerminalCommand>, now: Date): TerminalEvent[] {
    const command = parseCommand(written);
    const needed = settledSalesNeeded(command, this.state).flatMap((rrn) => (this.settled.has(rrn) ? [[rrn, this.settled.get(rrn)!] as const] : []));
    const loaded = needed.length > 0 ? ({ ...command, settledSales: new Map(needed) } as TerminalCommand) : command;
    const decision = decide(loaded, this.state, now);
    if (decision.error) throw new Error(`${command.type} refused: ${decision.error.code} ${decision.error.message}`);
    for (const e of decision.events) {
      for (const sale of settledSaleUpdates(this.state, [e], this.settled)) this.settled.set(sale.rrn, sale);
      this.state = evolve(this.state, e);
      this.events.push({ event: e, at: now });
    }
    return decision.events;
  }

  /** A sale; returns its RRN. */
  sale(amount: bigint, at: Date, o: { method?: PaymentMethod; cardType?: CardType } = {}): string {
    const method = o.method ?? 'BANK_CARD';
    const [e] = this.run(
      { type: 'Sale', stan: this.next(), fingerprint: `fingerprint-${this.stan}-pricing`, batchNo: this.state.batchNo, amount, currency: 'CNY', method, ...(method === 'QR' ? { hasQrToken: true } : { maskedPan: '622848******1234' }), ...(o.cardType ? { cardType: o.cardType } : {}) },
      at,
    );
    return e.type === 'TransactionCompleted' ? e.data.rrn : '';
  }

  refund(originalRrn: string, amount: bigint, at: Date): void {
    this.run({ type: 'Refund', stan: this.next(), fingerprint: `fingerprint-${this.stan}-pricing`, batchNo: this.state.batchNo, originalRrn, amount }, at);
  }

  /** Settles the open batch with the host's own totals (balanced); the terminal moves to its next business day. */
  close(at: Date): void {
    const totals = hostTotals(this.state);
    this.run({ type: 'Settle', stan: this.next(), fingerprint: `fingerprint-${this.stan}-pricing`, batchNo: this.state.batchNo, operatorId: '01', passwordValid: true, totals }, at);
    this.run({ type: 'SignOn', stan: this.next(), fingerprint: `fingerprint-${this.stan}-pricing`, operatorId: '01', passwordValid: true }, at);
  }

  /** The events decided since the last call. */
  take(): Array<{ event: TerminalEvent; at: Date }> {
    return this.events.splice(0);
  }
}
