/**
 * The `sparsegrad` command dispatcher and its error policy:
 * - success: exit code 0;
 * - bad input (unreadable file, bad frame or state bytes, NaN input, any SparsegradError) and any
 *   unexpected exception: exit code 1 and one line `error: <message>` on stderr;
 * - bad usage: exit code 2, `error: <message>` and the hint `run 'sparsegrad --help' for usage`.
 * Never a stack trace.
 */
import { UsageError } from './args.ts';
import type { CliIO } from './io.ts';
import { USAGE, USAGE_HINT, VERSION } from './usage.ts';
import { runCompress } from './commands/compress.ts';
import { runDecode } from './commands/decode.ts';
import { runInspect } from './commands/inspect.ts';

type Command = (argv: readonly string[], io: CliIO) => Promise<void>;

const COMMANDS: Readonly<Record<string, Command>> = {
  compress: runCompress,
  decode: runDecode,
  inspect: runInspect,
};

/** An error's message on one line (never a stack trace). */
export function errorLine(e: unknown): string {
  let message = e instanceof Error ? e.message : String(e);
  if (message.trim() === '' && e instanceof Error) message = e.name;
  return `error: ${message.replace(/\s*[\r\n]+\s*/g, ' ').trim()}\n`;
}

function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns the exit code.
 * Output goes through `io`, so it can run in-process as well as from cli/main.ts.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) throw new UsageError('missing command (compress, decode or inspect)');
    if (first === '--version' || first === '-V') {
      if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
      io.out(`sparsegrad ${VERSION}\n`);
      return 0;
    }
    if (wantsHelp(argv)) {
      io.out(USAGE);
      return 0;
    }
    const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (command === undefined) {
      throw new UsageError(first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`);
    }
    await command(rest, io);
    return 0;
  } catch (e) {
    io.err(errorLine(e));
    if (e instanceof UsageError) {
      io.err(`${USAGE_HINT}\n`);
      return 2;
    }
    return 1;
  }
}
