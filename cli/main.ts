/**
 * Entry point of the `sparsegrad` command (bundled to dist/cli.mjs by scripts/build.mjs).
 * See cli/usage.ts for the commands and cli/run.ts for the exit codes.
 */
import { errorLine, runCli } from './run.ts';

const io = {
  out: (text: string): void => void process.stdout.write(text),
  err: (text: string): void => void process.stderr.write(text),
};

// A closed pipe on stdout (e.g. `sparsegrad inspect f | head -1`) ends the run quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(errorLine(e));
  process.exit(1);
});

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(errorLine(e));
    process.exitCode = 1;
  },
);
