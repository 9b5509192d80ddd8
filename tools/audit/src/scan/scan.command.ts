import type { Command } from 'commander';
import { TOPICS } from '@pos/contracts';
import { fromLogMessage, rangeSize } from '@pos/eventing';
import { EXIT } from '../cli/errors';
import { emit, fixed2, jsonText, whole } from '../cli/output';
import { progress } from '../cli/progress';
import { withContext } from '../cli/run';

/** The raw read rate of the log, to set a rebuild's rate beside: the same reader, no projection. */
export const registerScanCommand = (program: Command): void => {
  program
    .command('scan')
    .description('read topics of the log end to end and print the raw read rate (messages/s), with no projection applied')
    .option('--topics <list>', 'comma-separated topics', `${TOPICS.terminal},${TOPICS.settlement}`)
    .option('--decode', 'also parse and validate every event against its contract')
    .option('--json', 'print JSON')
    .action(async (o: { topics: string; decode?: boolean; json?: boolean }, cmd: Command) =>
      withContext(cmd, [], async (ctx, g) => {
        const topics = o.topics.split(',').map((t) => t.trim()).filter(Boolean);
        const until = await ctx.log.endOffsets(topics);
        const from = await ctx.log.startOffsets(topics);
        const total = rangeSize(from, { until });
        const bar = progress('scan', g.progress && !o.json);
        let messages = 0;
        let bytes = 0;
        const started = performance.now();
        await ctx.log
          .readRange({
            topics,
            until,
            onBatch: async (batch) => {
              for (const m of batch) {
                bytes += m.value.length;
                if (o.decode) fromLogMessage(m);
              }
              messages += batch.length;
              bar.update(messages, total);
            },
          })
          .finally(() => bar.stop());
        const seconds = (performance.now() - started) / 1000;
        const result = { topics, messages, bytes, seconds, messagesPerSecond: messages / Math.max(seconds, 1e-9), decoded: !!o.decode };
        emit(o.json ? jsonText(result) : `read ${messages} messages (${fixed2(bytes / 1e6)} MB) from ${topics.join(', ')} in ${fixed2(seconds)} s: ${whole(result.messagesPerSecond)} messages/s${o.decode ? ' (decoded)' : ''}\n`);
        return EXIT.OK;
      }),
    );
};
