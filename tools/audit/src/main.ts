#!/usr/bin/env node
/**
 * ledger-audit: replay and audit tooling. Rebuilds projections beside the live ones and
 * swaps them, replays them as of an instant or from an offset, verifies the hash chains,
 * and exports audit trails and a finance day report. Works on both deployments, chosen
 * by the same configuration as the services.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP, toCliError } from './cli/errors';
import { registerClearingCommands } from './clearing/clearing.command';
import { registerProjectionCommands } from './projections/projections.command';
import { registerScanCommand } from './scan/scan.command';
import { registerTrailCommands } from './trail/trail.command';
import { registerVerifyCommand } from './verify/verify.command';

export const buildProgram = (): Command => {
  const program = new Command('ledger-audit')
    .description('Replay and audit the POS settlement ledger: rebuild projections, point-in-time views, hash-chain verification, audit trails and day reports.')
    .option('--data-dir <dir>', 'embedded deployment: the ledger data directory (default $LEDGER_DATA_DIR or ./data)')
    .addOption(new Option('--no-progress', 'no progress output on stderr'))
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Deployment: the embedded files under --data-dir, or Kafka + PostgreSQL when KAFKA_BROKERS and
DATABASE_URL are set (the same variables as the services).

${EXIT_CODES_HELP}`,
    )
    .exitOverride();
  registerProjectionCommands(program);
  registerVerifyCommand(program);
  registerTrailCommands(program);
  registerClearingCommands(program);
  registerScanCommand(program);
  // Every subcommand reports its parse errors through the same path (exit code 2), not commander's exit(1).
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program).slice(1)) c.exitOverride().showHelpAfterError('(add --help for usage)');
  return program;
};

const main = async (argv: readonly string[]): Promise<number> => {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; anything else is a usage error (commander already printed it).
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    const error = toCliError(e);
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    if (process.env.LEDGER_AUDIT_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return error.exitCode;
  }
};

if (require.main === module)
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`error ${e instanceof CliError ? e.code : 'FAILED'}: ${String(e)}\n`);
      process.exit(EXIT.FAILURE);
    },
  );
