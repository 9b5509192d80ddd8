#!/usr/bin/env node
/**
 * ledger-audit: replay and audit tooling. Rebuilds projections beside the live ones and
 * swaps them, replays them as of an instant or from an offset, verifies the hash chains,
 * and exports audit trails and a finance day report. Works on both deployments, chosen
 * by the same configuration as the services.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CliError, commanderCode, EXIT, EXIT_CODES_HELP, toCliError, usage } from './cli/errors';
import { registerCheckpointCommands } from './checkpoint/checkpoint.command';
import { registerClearingCommands } from './clearing/clearing.command';
import { registerPricingCommands } from './pricing/pricing.command';
import { registerProjectionCommands } from './projections/projections.command';
import { registerScanCommand } from './scan/scan.command';
import { registerSettlementCommands } from './settlements/settlements.command';
import { registerTokenCommands } from './tokens/tokens.command';
import { registerTrailCommands } from './trail/trail.command';
import { registerVerifyCommand } from './verify/verify.command';

export const buildProgram = (): Command => {
  const program = new Command('ledger-audit')
    .description('Replay and audit the POS settlement ledger: rebuild projections, point-in-time views, hash-chain verification, audit trails and day reports.')
    .option('--data-dir <dir>', 'embedded deployment: the ledger data directory (default $LEDGER_DATA_DIR or ./data)')
    .addOption(new Option('--no-progress', 'no progress output on stderr'))
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
  registerCheckpointCommands(program);
  registerSettlementCommands(program);
  registerTrailCommands(program);
  registerClearingCommands(program);
  registerScanCommand(program);
  registerTokenCommands(program);
  registerPricingCommands(program);
  // Every command reports its parse errors through the same path (main: `error CODE: message`, exit code 2), not commander's exit(1).
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program)) {
    c.exitOverride().configureOutput({ outputError: () => undefined });
    for (const option of c.options) {
      const parse = option.parseArg;
      if (!parse) continue;
      // A parser's refusal keeps its code and gains the option it was given to.
      option.argParser((value: string, previous: unknown) => {
        try {
          return parse(value, previous);
        } catch (e) {
          if (e instanceof CliError) throw new CliError(e.code, `option ${option.flags}: ${e.message}`, e.exitCode);
          if (e instanceof InvalidArgumentError) throw usage('OPTION_INVALID', `option ${option.flags}: ${e.message}`);
          throw e;
        }
      });
    }
  }
  return program;
};

const USAGE_HINT = '(add --help for usage)';

export const main = async (argv: readonly string[]): Promise<number> => {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; anything else is a usage error, reported like every other.
      if (e.exitCode === 0) return EXIT.OK;
      const message = e.code === 'commander.help' ? 'no command given (its help is above)' : e.message.replace(/^error: /, '');
      process.stderr.write(`error ${commanderCode(e.code)}: ${message}\n${USAGE_HINT}\n`);
      return EXIT.USAGE;
    }
    const error = toCliError(e);
    process.stderr.write(`error ${error.code}: ${error.message}\n${error.exitCode === EXIT.USAGE ? `${USAGE_HINT}\n` : ''}`);
    if (process.env.LEDGER_AUDIT_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return error.exitCode;
  }
};

// process.exit drops what a pipe has not taken yet (stdout to a pipe is asynchronous on POSIX),
// which cut large --json results short: exit once everything written so far is flushed.
const exitAfterOutput = (code: number): void => {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
};

if (require.main === module)
  main(process.argv.slice(2)).then(
    (code) => exitAfterOutput(code),
    (e: unknown) => {
      process.stderr.write(`error ${e instanceof CliError ? e.code : 'FAILED'}: ${String(e)}\n`);
      exitAfterOutput(EXIT.FAILURE);
    },
  );
