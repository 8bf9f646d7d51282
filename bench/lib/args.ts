/**
 * Command-line options shared by bench/run.ts and every `*.bench.ts` question.
 *
 * ```
 * --quick              small n only, few repetitions (CI smoke)
 * --n 1M,4M            sizes; K = 2^10, M = 2^20, or a plain integer, or 2^k
 * --only compress      run only the named question(s) (comma-separated)
 * --rows topk,tf       within a question, run only rows whose name contains one of these
 *                      (baselines a ratio needs are always measured)
 * --density 0.01       densities (comma-separated) for questions that take one
 * --seed 42            base seed of the generated data
 * --help
 * ```
 * Both `--flag value` and `--flag=value` are accepted.
 */
import { pathToFileURL } from 'node:url';

/** Parsed benchmark options. */
export interface BenchArgs {
  /** Small n only and few repetitions. */
  quick: boolean;
  /** Sizes requested with `--n`, or null for the question's default. */
  ns: number[] | null;
  /** Question names requested with `--only`, or null for all. */
  only: string[] | null;
  /** Row-name filters requested with `--rows`, or null for all rows. */
  rows: string[] | null;
  /** Densities requested with `--density`, or null for the question's default. */
  densities: number[] | null;
  /** Base seed of generated data. */
  seed: number;
  /** `--help` was given. */
  help: boolean;
}

/** Usage text printed by `--help`. */
export const usage = `usage: npm run bench -- [--quick] [--n 1M,4M,16M] [--only compress] [--rows topk,tf.topk] [--density 0.01,0.001] [--seed 42]`;

/** Parse one size: `1M` = 2^20, `64K` = 2^16, `2^20`, or a plain positive integer. */
export function parseSize(s: string): number {
  const t = s.trim();
  let m = /^(\d+)([KkMmGg])$/.exec(t);
  if (m) {
    const unit = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[m[2]!.toLowerCase() as 'k' | 'm' | 'g'];
    return Number(m[1]) * unit;
  }
  m = /^2\^(\d+)$/.exec(t);
  if (m) return 2 ** Number(m[1]);
  if (/^\d+$/.test(t) && Number(t) > 0) return Number(t);
  throw new Error(`bad size '${s}' (use e.g. 1M, 64K, 2^20 or 1048576)`);
}

/** Format a size the way `parseSize` reads it when it is a multiple of 2^10 or 2^20. */
export function formatSize(n: number): string {
  if (n >= 2 ** 20 && n % 2 ** 20 === 0) return `${n / 2 ** 20}M`;
  if (n >= 2 ** 10 && n % 2 ** 10 === 0) return `${n / 2 ** 10}K`;
  return String(n);
}

function list(v: string): string[] {
  return v
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

/** Parse `argv` (without the node and script entries). Throws on unknown flags. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const a: BenchArgs = { quick: false, ns: null, only: null, rows: null, densities: null, seed: 42, help: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.indexOf('=');
    const flag = eq >= 0 ? raw.slice(0, eq) : raw;
    const value = (): string => {
      if (eq >= 0) return raw.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        a.quick = true;
        break;
      case '--help':
      case '-h':
        a.help = true;
        break;
      case '--n':
        a.ns = list(value()).map(parseSize);
        break;
      case '--only':
        a.only = list(value());
        break;
      case '--rows':
        a.rows = list(value());
        break;
      case '--density':
        a.densities = list(value()).map((d) => {
          const x = Number(d);
          if (!(x > 0 && x <= 1)) throw new Error(`bad density '${d}' (must be in (0, 1])`);
          return x;
        });
        break;
      case '--seed': {
        const s = Number(value());
        if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) throw new Error('--seed must be a u32');
        a.seed = s;
        break;
      }
      default:
        throw new Error(`unknown argument '${raw}'\n${usage}`);
    }
  }
  return a;
}

/** Turn parsed options back into argv, so bench/run.ts can pass them to each question's process. */
export function toArgv(a: BenchArgs): string[] {
  const out: string[] = [];
  if (a.quick) out.push('--quick');
  if (a.ns) out.push('--n', a.ns.join(','));
  if (a.only) out.push('--only', a.only.join(','));
  if (a.rows) out.push('--rows', a.rows.join(','));
  if (a.densities) out.push('--density', a.densities.join(','));
  out.push('--seed', String(a.seed));
  return out;
}

/** True when `--rows` was not given or `rowName` contains one of its entries. */
export function rowSelected(a: BenchArgs, rowName: string): boolean {
  return a.rows === null || a.rows.some((r) => rowName.includes(r));
}

/** True when the run covers less than the question's full default matrix. */
export function isPartial(a: BenchArgs): boolean {
  return a.ns !== null || a.rows !== null || a.densities !== null;
}

/**
 * Run `main` with the parsed command line when the module at `metaUrl` is the process's entry
 * script (`node --import tsx bench/x.bench.ts --quick`); print errors and set a failing exit code.
 */
export function runIfMain(metaUrl: string, main: (args: BenchArgs) => Promise<void>): void {
  const entry = process.argv[1];
  if (!entry || metaUrl !== pathToFileURL(entry).href) return;
  let args: BenchArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  }
  if (args.help) {
    console.log(usage);
    return;
  }
  main(args).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
