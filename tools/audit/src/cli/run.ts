import type { Command } from 'commander';
import type { ServiceName } from '@pos/runtime';
import { type AuditContext, type GlobalOptions, openContext } from './context';

/** The options every command inherits from the program (`--data-dir`, `--no-progress`). */
export const globalsOf = (command: Command): GlobalOptions => command.optsWithGlobals() as GlobalOptions;

/** Opens the stores and log a command needs, runs it, always closes them, and sets the exit code it returns. */
export const withContext = async (command: Command, services: readonly ServiceName[], fn: (ctx: AuditContext, globals: GlobalOptions) => Promise<number>): Promise<void> => {
  const globals = globalsOf(command);
  const ctx = await openContext(globals, services);
  try {
    process.exitCode = await fn(ctx, globals);
  } finally {
    await ctx.close().catch(() => undefined);
  }
};
