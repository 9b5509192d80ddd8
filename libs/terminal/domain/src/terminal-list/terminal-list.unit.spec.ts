import type { TerminalEvent } from '@pos/contracts';
import type { RecordedEvent } from '@pos/kernel';
import { describe, expect, it } from 'vitest';
import {
  History, OP, OP2, refund, register, reverse, sale, settle, signOff, signOn, totals, unlock, upload, endUpload, uploaded, voidOf,
} from '../terminal/terminal.test-kit';
import { evolveTerminalListRow, type TerminalListRow } from './terminal-list';

/** A terminal's events as the store records them, each at the instant its command ran. */
class Recorded {
  readonly h = new History();
  readonly events: RecordedEvent<TerminalEvent>[] = [];
  private minute = 0;
  private record(events: readonly TerminalEvent[], at: Date) {
    for (const e of events)
      this.events.push({
        ...e,
        metadata: {
          eventId: `e${this.events.length + 1}`, streamId: 'terminal-T0000001', version: this.events.length + 1, occurredAt: at.toISOString(), schemaVersion: 1,
          correlationId: 'c', causationId: 'c', actor: { type: 'terminal', id: 'T0000001' }, position: String(this.events.length + 1), prevHash: '0', hash: '0',
        },
      });
  }
  private next = () => new Date(Date.UTC(2026, 10, 24, 10, this.minute++));
  run(...commands: Parameters<History['run']>[0][]) {
    for (const c of commands) {
      const at = this.next();
      this.record(this.h.run(c, at), at);
    }
    return this;
  }
  refused(command: Parameters<History['runRefused']>[0]) {
    const at = this.next();
    const before = this.h.events.length;
    this.h.runRefused(command, at);
    this.record(this.h.events.slice(before), at);
    return this;
  }
  rrn(n: number): string {
    const sales = this.h.events.filter((e) => e.type === 'TransactionCompleted');
    return (sales[n].data as { rrn: string }).rrn;
  }
  get row(): TerminalListRow | undefined {
    return this.events.reduce<TerminalListRow | undefined>(evolveTerminalListRow, undefined);
  }
  get last(): string {
    return this.events[this.events.length - 1].metadata.occurredAt;
  }
}

describe('the terminal list, folded from terminal events', () => {
  it('shows a registered terminal with its merchant, zone and first batch, before any sign-on', () => {
    const t = new Recorded().run(register({ timeZone: 'Europe/Berlin' }));
    expect(t.row).toEqual({
      terminalId: 'T0000001', merchantId: 'M00000000000001', merchantName: 'Shop', timeZone: 'Europe/Berlin', state: 'REGISTERED',
      batchNo: '000001', businessDay: '2026-11-24', openBatch: [], lastActivityAt: '2026-11-24T10:00:00.000Z', lockedOperators: [],
    });
  });

  it('counts the open batch per currency as sales less voids and refunds, without reversed transactions', () => {
    const t = new Recorded().run(register(), signOn('000001'), sale('000002', 10_000n), sale('000003', 2_500n), sale('000004', 700n, { currency: 'USD' }));
    t.run(voidOf('000005', t.rrn(1)), refund('000006', t.rrn(0), 1_000n), sale('000007', 99n), reverse('000008', '000007'));
    expect(t.row).toMatchObject({
      state: 'SIGNED_ON', operatorId: OP, batchNo: '000001',
      // CNY: 10,000 + 2,500 sold, 2,500 voided, 1,000 refunded; the reversed 99 is gone. USD: one sale.
      openBatch: [{ currency: 'CNY', count: 4, amount: 9_000n }, { currency: 'USD', count: 1, amount: 700n }],
      lastActivityAt: t.last,
    });
  });

  it('empties the open batch when it closes and moves to the next batch and business day; signing off forgets the operator', () => {
    const t = new Recorded().run(register(), signOn('000001'), sale('000002', 10_000n));
    t.run(settle('000003', [totals('CNY', 1, 10_000n)]), signOff('000004'));
    expect(t.row).toMatchObject({ state: 'SIGNED_OFF', batchNo: '000002', businessDay: '2026-11-25', openBatch: [] });
    expect(t.row).not.toHaveProperty('operatorId');
    t.run(signOn('000001', { operatorId: OP2 }));
    expect(t.row).toMatchObject({ state: 'SIGNED_ON', operatorId: OP2, batchNo: '000002' });
  });

  it('keeps an unbalanced batch open through its upload, with what the upload booked, until it closes', () => {
    const t = new Recorded().run(register(), signOn('000001'), sale('000002', 1_000n));
    t.run(settle('000003', [totals('CNY', 2, 1_500n)]), upload('000004', [uploaded('000009', 500n)]));
    expect(t.row?.openBatch).toEqual([{ currency: 'CNY', count: 2, amount: 1_500n }]);
    t.run(endUpload('000005'));
    expect(t.row).toMatchObject({ batchNo: '000002', openBatch: [] });
  });

  it('lists an operator locked by wrong passwords until the back office unlocks it; a failure short of the lock counts as activity only', () => {
    const t = new Recorded().run(register(), signOn('000001'));
    t.refused(signOn('000002', { operatorId: OP2, passwordValid: false }));
    expect(t.row).toMatchObject({ lockedOperators: [], lastActivityAt: t.last });
    t.refused(signOn('000003', { operatorId: OP2, passwordValid: false }));
    t.refused(signOn('000004', { operatorId: OP2, passwordValid: false }));
    expect(t.row?.lockedOperators).toEqual([OP2]);
    t.run(unlock(OP2));
    expect(t.row?.lockedOperators).toEqual([]);
  });

  it('gives no row to a terminal whose registration it has not seen', () => {
    const t = new Recorded().run(register(), signOn('000001'));
    expect(t.events.slice(1).reduce<TerminalListRow | undefined>(evolveTerminalListRow, undefined)).toBeUndefined();
  });
});
