import { type LedgerEvent } from '@pos/contracts';
import { applyLiveBatch, type ProjectionDefinition, projection, storePosition, type StoreTx } from '@pos/eventing';
import type { RecordedEvent } from '@pos/kernel';
import { evolveTerminalListRow, TERMINAL_LIST_EVENTS, type TerminalListRow } from '@pos/terminal-domain';

export const TERMINAL_LIST = 'terminal-list';
export const TERMINAL_LIST_SUBSCRIPTION = 'terminal-list';

/** The back office's terminal list, one document per terminal (keyed by its id), folded from the gateway's own events. */
export const TERMINAL_LIST_PROJECTION = projection({
  name: TERMINAL_LIST,
  service: 'terminal-gateway',
  description: 'every terminal: its merchant and zone, signed on or off and by whom, its open batch per currency, last activity and locked operators',
  source: { kind: 'store', subscription: TERMINAL_LIST_SUBSCRIPTION },
  handles: TERMINAL_LIST_EVENTS,
  reads: (event) => [event.data.terminalId],
  apply: async (event, docs, collection) => {
    const row = evolveTerminalListRow(await docs.get<TerminalListRow>(collection, event.data.terminalId), event);
    if (row) await docs.put(collection, event.data.terminalId, row);
  },
});

/** The gateway's projections (rebuildable like every other: ledger-audit and /v1/ops/projections). */
export const GATEWAY_PROJECTIONS: readonly ProjectionDefinition[] = [TERMINAL_LIST_PROJECTION];

export const applyToTerminalList = (events: readonly RecordedEvent<LedgerEvent>[], tx: StoreTx): Promise<void> =>
  applyLiveBatch([TERMINAL_LIST_PROJECTION], events.map((event) => ({ event, at: storePosition(event) })), tx);
