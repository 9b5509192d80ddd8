import type { Command } from 'commander';
import { type HashChainReport, type ServiceStore, STORE_START } from '@pos/eventing';
import type { ServiceName } from '@pos/runtime';
import { EXIT, usage } from '../cli/errors';
import * as parse from '../cli/options';
import { emit, grid, jsonText } from '../cli/output';
import { progress } from '../cli/progress';
import { withContext } from '../cli/run';

/** The services that keep event streams (reconciliation's will come with clearing files). */
const STREAM_SERVICES: readonly ServiceName[] = ['terminal-gateway', 'settlement', 'reconciliation'];

interface VerifyOptions {
  readonly terminal?: string;
  readonly businessDay?: string;
  readonly service?: ServiceName;
  readonly json?: boolean;
}

/** Streams holding events of a business day: found by reading the store once (a chain is verified from its start anyway). */
const streamsOfDay = async (store: ServiceStore, day: string): Promise<Set<string>> => {
  const streams = new Set<string>();
  for (let after = STORE_START; ; ) {
    const page = await store.readAll(after, 1000);
    for (const e of page) if ((e.data as { businessDay?: unknown }).businessDay === day) streams.add(e.metadata.streamId);
    if (page.length < 1000) return streams;
    after = page[page.length - 1].metadata.position;
  }
};

const selectStreams = async (store: ServiceStore, o: VerifyOptions): Promise<string[]> => {
  let streams = o.terminal
    ? [...(await store.listStreams(`terminal-${o.terminal}`)).filter((s) => s === `terminal-${o.terminal}`), ...(await store.listStreams(`settlement-${o.terminal}-`))]
    : await store.listStreams('');
  if (o.businessDay) {
    const ofDay = await streamsOfDay(store, o.businessDay);
    streams = streams.filter((s) => ofDay.has(s));
  }
  return streams;
};

const describe = (r: HashChainReport & { service: string }) => [
  r.service, r.streamId, String(r.brokenAtVersion ?? ''), (r as { code?: string }).code ?? '', r.reason ?? '', JSON.stringify((r as { detail?: unknown }).detail ?? {}),
];

export const registerVerifyCommand = (program: Command): void => {
  program
    .command('verify')
    .description("recompute every stream's hash chain (or one terminal's, or one business day's) and report the first broken link of each stream")
    .option('--terminal <id>', "only this terminal's streams (its terminal stream and its settlements)", parse.terminalId)
    .option('--business-day <day>', 'only streams holding events of this business day', parse.businessDay)
    .option('--service <name>', `only this service's store: ${STREAM_SERVICES.join(', ')}`, (v: string) => {
      if (!(STREAM_SERVICES as readonly string[]).includes(v)) throw usage('SERVICE_UNKNOWN', `unknown service '${v}'; known: ${STREAM_SERVICES.join(', ')}`);
      return v as ServiceName;
    })
    .option('--json', 'print the reports as JSON')
    .addHelpText('after', '\nExit code 0 when every chain holds, 1 when any link is broken (each broken stream is listed with its first bad version).')
    .action(async (o: VerifyOptions, cmd: Command) => {
      const services = o.service ? [o.service] : STREAM_SERVICES;
      await withContext(cmd, services, async (ctx, g) => {
        const selected: Array<{ service: ServiceName; streams: string[] }> = [];
        for (const service of services) selected.push({ service, streams: await selectStreams(ctx.store(service), o) });
        const total = selected.reduce((n, s) => n + s.streams.length, 0);
        if (total === 0) {
          if (o.terminal) throw usage('TERMINAL_UNKNOWN', `no streams of terminal ${o.terminal}${o.businessDay ? ` on ${o.businessDay}` : ''}`);
          if (o.businessDay) throw usage('DAY_UNKNOWN', `no events of business day ${o.businessDay}`);
        }
        const bar = progress('verify', g.progress && !o.json);
        const reports: Array<HashChainReport & { service: ServiceName }> = [];
        let done = 0;
        try {
          for (const { service, streams } of selected)
            for (const streamId of streams) {
              reports.push({ service, ...(await ctx.store(service).verifyStream(streamId)) });
              bar.update(++done, total);
            }
        } finally {
          bar.stop();
        }
        const broken = reports.filter((r) => !r.ok);
        const events = reports.reduce((n, r) => n + r.events, 0);
        if (o.json) emit(jsonText({ ok: broken.length === 0, streams: reports.length, events, broken }));
        else {
          emit(`verified ${reports.length} streams, ${events} events: ${broken.length === 0 ? 'every hash chain holds' : `${broken.length} BROKEN`}\n`);
          if (broken.length) emit(grid(['service', 'stream', 'version', 'code', 'reason', 'detail'], broken.map(describe)));
        }
        return broken.length === 0 ? EXIT.OK : EXIT.FINDINGS;
      });
    });
};
