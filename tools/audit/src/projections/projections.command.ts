import type { Command } from 'commander';
import {
  abortRebuild, committedDocuments, liveDigest, type LogPositions, type MemoryReplay, type ProjectionDefinition, readProjectionState, rebuildProjection,
  type RebuildReport, replayIntoMemory, type SourceRange, sourceEnd, STORE_POSITION_KEY,
} from '@pos/eventing';
import type { AuditContext } from '../cli/context';
import { EXIT, usage } from '../cli/errors';
import * as parse from '../cli/options';
import { documentsCsv, documentsTable, emit, fixed2, grid, jsonText, keyValueTable, note, whole } from '../cli/output';
import { progress } from '../cli/progress';
import { withContext } from '../cli/run';
import { PROJECTIONS, projectionNamed, serviceOf } from '../projections.catalog';

const short = (digest: string) => digest.slice(0, 16);
const sourceName = (def: ProjectionDefinition) => (def.source.kind === 'log' ? `log: ${def.source.topics.join(', ')}` : `${def.service} store`);

const replayProgress = (label: string, enabled: boolean) => {
  const bar = progress(label, enabled);
  return {
    bar,
    onProgress: (p: { phase: string; done: number; total: number }) => {
      if (p.phase === 'replay') bar.update(p.done, p.total);
      else if (p.done === 0) bar.note(`${p.phase}...`);
    },
  };
};

const printRebuild = (def: ProjectionDefinition, r: RebuildReport): string => {
  const lines = [
    `rebuilt ${r.projection} (${r.service}) from ${sourceName(def)}, up to ${Object.entries(r.handover).map(([k, v]) => `${k}@${v}`).join(' ')}`,
    `events: ${r.counts.read} read, ${r.counts.applied} applied, ${r.counts.duplicates} duplicates, ${r.counts.skipped} skipped (as the live projector dead-letters them)`,
    `replay: ${fixed2(r.replaySeconds)} s, ${whole(r.eventsPerSecond)} events/s`,
    `joined live: ${r.joined.applied} events past the handover, applied after the replay in the order live applied them${r.joined.skipped ? ` (${r.joined.skipped} skipped)` : ''}`,
    `live     generation ${r.previousGeneration}: ${r.live.documents} documents, digest ${r.live.digest}`,
    `rebuilt  generation ${r.generation}: ${r.rebuilt.documents} documents, digest ${r.rebuilt.digest}`,
    `digests ${r.equal ? 'EQUAL' : 'DIFFER'}`,
  ];
  for (const d of r.differences) lines.push(`  ${d.key}: live ${d.left === undefined ? '(missing)' : JSON.stringify(d.left)} | rebuilt ${d.right === undefined ? '(missing)' : JSON.stringify(d.right)}`);
  for (const s of r.counts.skippedEvents.slice(0, 10)) lines.push(`  skipped ${s.at.key}@${s.at.offset}${s.eventId ? ` ${s.eventId}` : ''}: ${s.code} ${s.message}`);
  const outcome: Record<RebuildReport['outcome'], string> = {
    SWAPPED: `result: SWAPPED, generation ${r.generation} is live`,
    SWAPPED_WITH_DIFFERENCES: `result: SWAPPED WITH DIFFERENCES (--force-swap), generation ${r.generation} is live`,
    COMPARED_EQUAL: 'result: COMPARED, equal; the rebuilt generation was discarded (--compare-only)',
    COMPARED_DIFFERENT: 'result: COMPARED, DIFFERENT; the rebuilt generation was discarded (--compare-only)',
    REFUSED_DIFFERENT: `result: NOT SWAPPED, the rebuilt generation differs from live and was discarded; use --force-swap to make it live after a projection fix`,
  };
  lines.push(outcome[r.outcome]);
  return `${lines.join('\n')}\n`;
};

/** Partition keys of a log-fed projection must be named exactly; a store-fed one takes a position. */
const offsetsOf = async (def: ProjectionDefinition, ctx: AuditContext, spec: parse.OffsetSpec): Promise<LogPositions> => {
  const end = await sourceEnd(def, { store: ctx.store(serviceOf(def)), log: ctx.log });
  if ('all' in spec) return Object.fromEntries(Object.keys(end).map((k) => [k, spec.all]));
  if (def.source.kind === 'store') throw usage('OFFSET_INVALID', `${def.name} is fed by the ${def.service} store: give a store position N, not partitions`);
  const unknown = Object.keys(spec.each).filter((k) => !(k in end));
  if (unknown.length) throw usage('OFFSET_INVALID', `unknown partition ${unknown.join(', ')}; ${def.name} reads ${Object.keys(end).join(', ')}`);
  return spec.each;
};

interface ReplayOptions {
  readonly at?: Date;
  readonly fromOffset?: parse.OffsetSpec;
  readonly fromTime?: Date;
  readonly untilTime?: Date;
  readonly businessDay?: string;
  readonly merchant?: string;
  readonly terminal?: string;
  readonly format: parse.Format;
  readonly output?: string;
  readonly json?: boolean;
}

/**
 * The range of a replay. Log time (when a message entered the log) bounds log-fed
 * projections: "as of 18:00" is every event the log held at 18:00. Store-fed ones have
 * no log: their events are selected by the time they occurred.
 */
const rangeOf = async (def: ProjectionDefinition, ctx: AuditContext, o: ReplayOptions): Promise<SourceRange> => {
  const deps = { store: ctx.store(serviceOf(def)), log: ctx.log };
  const until = o.at ?? o.untilTime;
  const from = o.fromOffset ? await offsetsOf(def, ctx, o.fromOffset) : undefined;
  if (def.source.kind === 'log') {
    const topics = def.source.topics;
    return {
      from: from ?? (o.fromTime ? await ctx.log.offsetsForTime(topics, o.fromTime) : undefined),
      until: until ? await ctx.log.offsetsForTime(topics, until) : await sourceEnd(def, deps),
    };
  }
  const at = (iso: string) => Date.parse(iso);
  return {
    from: from && { [STORE_POSITION_KEY]: from[STORE_POSITION_KEY] },
    until: await sourceEnd(def, deps),
    filter: (e) => (!until || at(e.metadata.occurredAt) <= until.getTime()) && (!o.fromTime || at(e.metadata.occurredAt) >= o.fromTime.getTime()),
  };
};

/** Documents of a replay narrowed to a business day, merchant or terminal (by their fields, or key prefix for balances). */
const selected = async (replay: MemoryReplay, o: ReplayOptions) => {
  const rows = await replay.docs.list<Record<string, unknown>>(replay.collection, '');
  return rows.filter(({ key, doc }) => {
    const field = (name: string, want?: string) => want === undefined || (typeof doc?.[name] === 'string' ? doc[name] === want : key.split('|').includes(want));
    return field('businessDay', o.businessDay) && field('merchantId', o.merchant) && field('terminalId', o.terminal);
  });
};

/** An as-of view narrowed to a day, merchant or terminal it holds nothing of is refused, as `trail` and `report` refuse one. */
const requireSelected = (def: ProjectionDefinition, rows: readonly unknown[], o: ReplayOptions) => {
  const scope = [o.businessDay && `business day ${o.businessDay}`, o.merchant && `merchant ${o.merchant}`, o.terminal && `terminal ${o.terminal}`].filter(Boolean);
  if (rows.length === 0 && scope.length > 0)
    throw usage('DOCUMENTS_NOT_FOUND', `${def.name} as of ${o.at!.toISOString()} holds no documents of ${scope.join(', ')}`);
};

const printReplay = async (def: ProjectionDefinition, what: string, replay: MemoryReplay, o: ReplayOptions): Promise<number> => {
  const rows = await selected(replay, o);
  if (o.at) requireSelected(def, rows, o);
  const summary: Array<[string, string]> = [
    ['projection', def.name],
    ['replayed', what],
    ['events', `${replay.counts.read} read, ${replay.counts.applied} applied, ${replay.counts.duplicates} duplicates, ${replay.counts.skipped} skipped`],
    ['rate', `${whole(replay.eventsPerSecond)} events/s (${fixed2(replay.seconds)} s)`],
    ['documents', `${replay.digest.documents} (${rows.length} selected)`],
    ['digest', replay.digest.digest],
  ];
  if (o.format === 'json' || o.json)
    emit(jsonText({ projection: def.name, replayed: what, counts: replay.counts, eventsPerSecond: replay.eventsPerSecond, digest: replay.digest, documents: rows }), o.output);
  else if (o.format === 'csv') {
    for (const [k, v] of summary) note(`${k}: ${v}`);
    emit(documentsCsv(rows), o.output);
  } else emit(keyValueTable(summary) + (rows.length ? documentsTable(rows) : 'no documents selected\n'), o.output);
  return EXIT.OK;
};

const withFilters = (c: Command) =>
  c
    .option('--business-day <day>', 'only documents of this business day (YYYY-MM-DD)', parse.businessDay)
    .option('--merchant <id>', 'only documents of this merchant', parse.merchantId)
    .option('--terminal <id>', 'only documents of this terminal', parse.terminalId)
    .option('--format <format>', 'table, csv or json', parse.format, 'table')
    .option('--output <file>', 'write the result to a file instead of stdout');

export const registerProjectionCommands = (program: Command): void => {
  program
    .command('projections')
    .description('list every projection: its service, source, live generation, documents and digest, and any rebuild in progress')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) =>
      withContext(cmd, [...new Set(PROJECTIONS.map(serviceOf))], async (ctx) => {
        const rows = [];
        for (const def of PROJECTIONS) {
          const store = ctx.store(serviceOf(def));
          const state = await readProjectionState(committedDocuments(store), def.name);
          const digest = await liveDigest(def, store);
          rows.push({ projection: def.name, service: def.service, source: sourceName(def), description: def.description, generation: state.active.generation, since: state.active.since, documents: digest.documents, digest: digest.digest, building: state.building });
        }
        if (o.json) emit(jsonText(rows));
        else
          emit(grid(['projection', 'service', 'source', 'generation', 'documents', 'digest', 'rebuild in progress'], rows.map((r) => [
            r.projection, r.service, r.source, String(r.generation), String(r.documents), short(r.digest), r.building ? `generation ${r.building.generation} by ${r.building.owner} since ${r.building.since}` : '-',
          ])));
        return EXIT.OK;
      }),
    );

  program
    .command('rebuild')
    .description('rebuild a projection from the start of its source into a new generation beside the live one, compare digests, and swap when equal (live traffic keeps flowing)')
    .argument('<projection>', `one of ${PROJECTIONS.map((p) => p.name).join(', ')}`)
    .option('--compare-only', 'compare, then discard the rebuilt generation (the live one stays)')
    .option('--force-swap', 'make the rebuilt generation live even when it differs (after fixing a projection)')
    .option('--keep-previous', 'keep the replaced generation\'s documents instead of dropping them')
    .option('--batch-size <n>', 'events per store transaction', parse.positiveInt, 500)
    .option('--from-offset <offsets>', 'start at N on every partition (a store position for store-fed projections), or topic/partition=N,...', parse.offsets)
    .option('--from-time <instant>', 'start at the first message the log received at or after this instant (ISO-8601 with zone)', parse.instant)
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
A rebuild from the start must equal live; one from an offset or a time holds only the events from there,
so it is made live only when it still equals live, or with --force-swap (e.g. after the log's retention
removed its beginning). Exit code 0 when the rebuilt digest equals the live one (or --force-swap swapped),
1 when it differs. To look without touching live, see \`as-of\` and \`replay\`.`,
    )
    .action(async (name: string, o: ReplayOptions & { compareOnly?: boolean; forceSwap?: boolean; keepPrevious?: boolean; batchSize: number; json?: boolean }, cmd: Command) => {
      const def = projectionNamed(name);
      if (o.compareOnly && o.forceSwap) throw usage('OPTIONS_CONFLICT', '--compare-only and --force-swap exclude each other');
      if (o.fromOffset && o.fromTime) throw usage('OPTIONS_CONFLICT', '--from-offset and --from-time exclude each other');
      return withContext(cmd, [serviceOf(def)], async (ctx, g) => {
        const partial = o.fromOffset || o.fromTime ? await rangeOf(def, ctx, { ...o, at: undefined, untilTime: undefined }) : undefined;
        const { bar, onProgress } = replayProgress(`rebuild ${def.name}`, g.progress && !o.json);
        let report: RebuildReport;
        try {
          report = await rebuildProjection({
            def, store: ctx.store(serviceOf(def)), log: ctx.log, owner: ctx.owner, now: () => new Date(), batchSize: o.batchSize, keepPrevious: o.keepPrevious,
            swap: o.compareOnly ? 'never' : o.forceSwap ? 'force' : 'if-equal', onProgress, from: partial && { from: partial.from, filter: partial.filter },
          });
        } finally {
          bar.stop();
        }
        emit(o.json ? jsonText(report) : printRebuild(def, report));
        return report.equal || report.outcome === 'SWAPPED_WITH_DIFFERENCES' ? EXIT.OK : EXIT.FINDINGS;
      });
    });

  withFilters(
    program
      .command('as-of')
      .description('a projection as it stood at a past instant, replayed into memory from the start of its source (the live one is untouched)')
      .argument('<projection>', `one of ${PROJECTIONS.map((p) => p.name).join(', ')}`)
      .requiredOption('--at <instant>', 'ISO-8601 instant with its zone, e.g. 2026-11-23T18:00:00+08:00', parse.instant),
  )
    .addHelpText('after', '\nLog-fed projections take every event the log held at that instant; store-fed ones (ledger-balances) every event that had occurred.')
    .action(async (name: string, o: ReplayOptions, cmd: Command) => {
      const def = projectionNamed(name);
      return withContext(cmd, [serviceOf(def)], async (ctx, g) => {
        const { bar, onProgress } = replayProgress(`as-of ${def.name}`, g.progress && o.format !== 'json');
        const replay = await replayIntoMemory(def, { store: ctx.store(serviceOf(def)), log: ctx.log }, await rangeOf(def, ctx, o), onProgress).finally(() => bar.stop());
        return printReplay(def, `as of ${o.at!.toISOString()}`, replay, o);
      });
    });

  withFilters(
    program
      .command('replay')
      .description('what a stretch of the source contributes: replays from an offset or a time (to the end, or --until-time) into memory')
      .argument('<projection>', `one of ${PROJECTIONS.map((p) => p.name).join(', ')}`)
      .option('--from-offset <offsets>', 'N for every partition (a store position for store-fed projections), or topic/partition=N,...', parse.offsets)
      .option('--from-time <instant>', 'first log time to replay (ISO-8601 with zone)', parse.instant)
      .option('--until-time <instant>', 'replay only what the log held up to this instant', parse.instant),
  ).action(async (name: string, o: ReplayOptions, cmd: Command) => {
    const def = projectionNamed(name);
    if (!o.fromOffset === !o.fromTime) throw usage('OPTIONS_CONFLICT', 'give exactly one of --from-offset or --from-time (for the whole history use `rebuild` or `as-of`)');
    if (o.fromTime && o.untilTime && o.untilTime < o.fromTime)
      throw usage('TIME_RANGE_INVALID', `--until-time ${o.untilTime.toISOString()} is before --from-time ${o.fromTime.toISOString()}`);
    return withContext(cmd, [serviceOf(def)], async (ctx, g) => {
      const { bar, onProgress } = replayProgress(`replay ${def.name}`, g.progress && o.format !== 'json');
      const replay = await replayIntoMemory(def, { store: ctx.store(serviceOf(def)), log: ctx.log }, await rangeOf(def, ctx, o), onProgress).finally(() => bar.stop());
      const what = `${o.fromTime ? `from ${o.fromTime.toISOString()}` : `from offset ${JSON.stringify(o.fromOffset)}`}${o.untilTime ? ` until ${o.untilTime.toISOString()}` : ' to the end'}`;
      return printReplay(def, what, replay, o);
    });
  });

  program
    .command('digest')
    .description("the live generation's digest of a projection (sha256 over its documents in key order)")
    .argument('<projection>', `one of ${PROJECTIONS.map((p) => p.name).join(', ')}`)
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }, cmd: Command) => {
      const def = projectionNamed(name);
      return withContext(cmd, [serviceOf(def)], async (ctx) => {
        const d = await liveDigest(def, ctx.store(serviceOf(def)));
        emit(o.json ? jsonText({ projection: def.name, ...d }) : `${def.name} generation ${d.generation}: ${d.documents} documents, digest ${d.digest}\n`);
        return EXIT.OK;
      });
    });

  program
    .command('abort')
    .description('abandon a rebuild left behind by a process that died: live projectors stop feeding it and its documents are dropped')
    .argument('<projection>', `one of ${PROJECTIONS.map((p) => p.name).join(', ')}`)
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const def = projectionNamed(name);
      return withContext(cmd, [serviceOf(def)], async (ctx) => {
        const dropped = await abortRebuild(def, ctx.store(serviceOf(def)));
        emit(`aborted the rebuild of ${def.name} generation ${dropped.generation} (by ${dropped.owner} since ${dropped.since})\n`);
        return EXIT.OK;
      });
    });
};
