import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CALENDAR_EVENTS, type EventTypes, type LedgerEvent, PRICING_EVENTS, TERMINAL_EVENTS } from '@pos/contracts';
import { canonicalJson, type ServiceStore, type StoredEventContent, storePosition } from '@pos/eventing';
import { openStore } from '@pos/runtime';
import { applyToSettlement } from '@pos/settlement-application';
import { EXIT, usage } from '../cli/errors';
import * as parse from '../cli/options';
import { emit, grid, jsonText } from '../cli/output';
import { withContext } from '../cli/run';

interface Options {
  readonly terminal?: string;
  readonly businessDay?: string;
  readonly json?: boolean;
}

/** What a settlement event is, byte for byte, but for the ids and hashes each store draws afresh. */
const bytesOf = (e: StoredEventContent): string =>
  canonicalJson({ type: e.type, schemaVersion: e.schemaVersion, occurredAt: e.occurredAt, context: e.context, payload: e.payload });

/** Versions are 32-bit integers in both stores. */
const LAST_VERSION = 2_147_483_647;

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * What settlement was told besides the terminals' events, copied as recorded into the scratch
 * store: the merchants' published pricing plans and the payout calendars operations loaded
 * (a batch settles on the plan and calendar in force on its day).
 */
const copyReferenceStreams = async (live: ServiceStore, scratch: ServiceStore): Promise<void> => {
  await copyStreams(live, scratch, 'pricing-', PRICING_EVENTS);
  await copyStreams(live, scratch, 'calendar-', CALENDAR_EVENTS);
};

const copyStreams = async <E extends LedgerEvent>(live: ServiceStore, scratch: ServiceStore, prefix: string, types: EventTypes<E>): Promise<void> => {
  for (const streamId of await live.listStreams(prefix)) {
    const events = await live.readStream(streamId, types);
    await scratch.transaction((tx) =>
      tx.events.append(streamId, 0, events.map((e) => ({
        type: e.type, data: e.data, eventId: e.metadata.eventId, occurredAt: new Date(e.metadata.occurredAt),
        context: { correlationId: e.metadata.correlationId, causationId: e.metadata.causationId, actor: e.metadata.actor },
      }))),
    );
  }
};

export const registerSettlementCommands = (program: Command): void => {
  program
    .command('settlements')
    .description('settlement audits')
    .command('rebuild')
    .description("rebuild every BatchSettled from the terminals' events (and the merchants' published plans and loaded calendars), by the settlement service's own code into a scratch store, and compare it byte for byte with the recorded one")
    .option('--terminal <id>', "only this terminal's settlements", parse.terminalId)
    .option('--business-day <day>', "only this business day's settlements", parse.businessDay)
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit code 0 when every rebuilt settlement equals the recorded one byte for byte, 1 when any differs or is missing on either side.')
    .action(async (o: Options, cmd: Command) =>
      withContext(cmd, ['terminal-gateway', 'settlement'], async (ctx) => {
        const gateway = ctx.store('terminal-gateway');
        const live = ctx.store('settlement');
        const terminals = o.terminal ? [`terminal-${o.terminal}`] : await gateway.listStreams('terminal-');
        const dir = mkdtempSync(join(tmpdir(), 'settlement-rebuild-'));
        const scratch = await openStore({ kind: 'embedded', dataDir: dir, partitions: 1 }, 'settlement', quiet);
        try {
          await copyReferenceStreams(live, scratch);
          // One terminal at a time: all the settlement service keeps of a terminal (pricing, open batches) comes from its own stream.
          for (const streamId of terminals) {
            const events = await gateway.readStream(streamId, TERMINAL_EVENTS);
            await scratch.transaction((tx) => applyToSettlement(events.map((event) => ({ event, at: storePosition(event) })), tx));
          }
          const prefix = (t: string) => `settlement-${t}-${o.businessDay ? `${o.businessDay}-` : ''}`;
          const ids = o.terminal ? [prefix(o.terminal)] : terminals.map((t) => prefix(t.slice('terminal-'.length)));
          const streams = new Set<string>();
          for (const p of ids) for (const store of [live, scratch]) for (const s of await store.listStreams(p)) streams.add(s);
          if (streams.size === 0) throw usage('SETTLEMENT_NOT_FOUND', `no settlements${o.terminal ? ` of terminal ${o.terminal}` : ''}${o.businessDay ? ` on ${o.businessDay}` : ''}`);
          const differences: Array<{ streamId: string; version: number; code: 'REBUILT_DIFFERS' | 'MISSING_IN_REBUILD' | 'MISSING_IN_STORE'; recorded?: string; rebuilt?: string }> = [];
          let identical = 0;
          for (const streamId of [...streams].sort()) {
            const [recorded, rebuilt] = await Promise.all([live, scratch].map((s) => s.readStoredEvents(streamId, 1, LAST_VERSION)));
            for (let i = 0; i < Math.max(recorded.length, rebuilt.length); i++) {
              const [a, b] = [recorded[i] && bytesOf(recorded[i]), rebuilt[i] && bytesOf(rebuilt[i])];
              if (a === b) identical++;
              else differences.push({ streamId, version: i + 1, code: !b ? 'MISSING_IN_REBUILD' : !a ? 'MISSING_IN_STORE' : 'REBUILT_DIFFERS', recorded: a, rebuilt: b });
            }
          }
          if (o.json) emit(jsonText({ ok: differences.length === 0, settlements: streams.size, identical, differences }));
          else {
            emit(`rebuilt ${streams.size} settlements from the terminals' events: ${identical} events byte-identical${differences.length ? `, ${differences.length} DIFFER` : ''}\n`);
            if (differences.length) emit(grid(['stream', 'version', 'code'], differences.map((d) => [d.streamId, String(d.version), d.code])));
          }
          return differences.length === 0 ? EXIT.OK : EXIT.FINDINGS;
        } finally {
          await scratch.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    );
};
