import { CodedError } from '@pos/kernel';
import { ConfigurationError } from '@pos/runtime';

/** Exit codes scripts can rely on (also in `--help` and the README). */
export const EXIT = {
  OK: 0,
  /** The check ran and found something: a broken chain, a rebuild that differs from live, a day with anomalies. */
  FINDINGS: 1,
  /** Unknown command, projection, terminal or day; a malformed option. */
  USAGE: 2,
  /** Refused by the current state: a rebuild already running, a log that no longer holds its start. */
  CONFLICT: 3,
  /** The stores or the log could not be reached, or an unexpected failure. */
  FAILURE: 4,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  done, nothing found
  1  findings: a broken hash chain, a rebuild that differs from live, a day report with anomalies
  2  usage: unknown command, projection, terminal or day; malformed option
  3  conflict: a rebuild already running, a log that no longer holds its start
  4  failure: stores or log unreachable, unexpected error`;

/** An error the CLI reports as `error CODE: message` and exits with. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usage = (code: string, message: string) => new CliError(code, message, EXIT.USAGE);

/** Commander's own refusals (before any command runs), by its error code. */
const COMMANDER_CODES: Readonly<Record<string, string>> = {
  'commander.unknownCommand': 'COMMAND_UNKNOWN',
  'commander.help': 'COMMAND_MISSING',
  'commander.unknownOption': 'OPTION_UNKNOWN',
  'commander.invalidArgument': 'OPTION_INVALID',
  'commander.optionMissingArgument': 'OPTION_VALUE_MISSING',
  'commander.missingMandatoryOptionValue': 'OPTIONS_MISSING',
  'commander.conflictingOption': 'OPTIONS_CONFLICT',
  'commander.missingArgument': 'ARGUMENT_MISSING',
  'commander.excessArguments': 'ARGUMENTS_EXCESS',
};

export const commanderCode = (code: string): string => COMMANDER_CODES[code] ?? 'USAGE_INVALID';

export const toCliError = (e: unknown): CliError => {
  if (e instanceof CliError) return e;
  if (e instanceof ConfigurationError) return new CliError('CONFIGURATION_INVALID', e.message, EXIT.USAGE);
  if (e instanceof CodedError) {
    const exit = e.kind === 'validation' || e.kind === 'not_found' ? EXIT.USAGE : e.kind === 'conflict' || e.kind === 'state' ? EXIT.CONFLICT : EXIT.FAILURE;
    return new CliError(e.code, e.message, exit);
  }
  return new CliError('FAILED', e instanceof Error ? e.message : String(e), EXIT.FAILURE);
};
