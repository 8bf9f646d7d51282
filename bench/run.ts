/**
 * `npm run bench`: checks the baselines (bench/baselines/check.ts, abort on mismatch), then runs
 * every question `bench/*.bench.ts` (or those named by `--only`) in its own Node process with the
 * same arguments, in file-name order. Each question prints its tables and writes its JSON result
 * to bench/results/. Exit code: non-zero if the check or any question failed.
 *
 * ```
 * npm run bench                       # full matrix (~ a few minutes on 2 cores)
 * npm run bench -- --quick            # n = 1M only, few repetitions (CI smoke)
 * npm run bench -- --only compress --n 4M --density 0.01
 * ```
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBaselineCheck } from './baselines/check.ts';
import { parseArgs, toArgv, usage } from './lib/args.ts';

const benchDir = fileURLToPath(new URL('./', import.meta.url));

/** Question names (`<name>.bench.ts`) found in bench/, sorted. */
export function listQuestions(): string[] {
  return readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.slice(0, -'.bench.ts'.length))
    .sort();
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(`${usage}\nquestions: ${listQuestions().join(', ')}`);
    return 0;
  }
  const all = listQuestions();
  const unknown = (args.only ?? []).filter((q) => !all.includes(q));
  if (unknown.length > 0) throw new Error(`--only: unknown question(s) ${unknown.join(', ')}; known: ${all.join(', ')}`);
  const chosen = args.only ? all.filter((q) => args.only!.includes(q)) : all;
  const t0 = performance.now();
  await runBaselineCheck();
  let failed = 0;
  for (const q of chosen) {
    const start = performance.now();
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, '--expose-gc', `${benchDir}${q}.bench.ts`, ...toArgv({ ...args, only: null })],
      { stdio: 'inherit' },
    );
    const secs = ((performance.now() - start) / 1000).toFixed(1);
    if (child.status !== 0) {
      failed++;
      console.error(`bench: question '${q}' FAILED (exit ${child.status ?? child.signal}) after ${secs} s`);
    } else {
      console.log(`bench: question '${q}' done in ${secs} s`);
    }
  }
  console.log(`bench: ${chosen.length} question(s), ${failed} failed, ${((performance.now() - t0) / 1000).toFixed(1)} s total`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
