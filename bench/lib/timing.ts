/**
 * Timing helpers for the benchmarks: warm-up, then repetitions until a time budget is spent
 * (bounded below and above by a repetition count), reporting the median, minimum and 90th
 * percentile in milliseconds. Only the `run` callback is timed; the optional `setup` callback runs
 * before every repetition (warm-up included) outside the timed region — use it to refill inputs
 * that a timed step consumes.
 */

/** How many repetitions to run and for how long. */
export interface TimingOptions {
  /** Untimed warm-up runs before measuring (default 2). */
  warmup?: number;
  /** Always measure at least this many repetitions (default 5). */
  minReps?: number;
  /** Never measure more than this many repetitions (default 40). */
  maxReps?: number;
  /**
   * Stop once this many milliseconds of wall time (setup included, warm-up excluded) have passed
   * and `minReps` repetitions are done (default 2500).
   */
  budgetMs?: number;
}

/** Summary of one measured operation. All times are in milliseconds. */
export interface Timing {
  /** Median of the samples (mean of the two middle samples for an even count). */
  medianMs: number;
  /** Fastest sample. */
  minMs: number;
  /** 90th percentile, nearest-rank method. */
  p90Ms: number;
  /** Number of measured repetitions (warm-up excluded). */
  reps: number;
  /** Every measured sample, in the order measured. */
  samplesMs: number[];
}

/** Default options; `quickTiming` is what `--quick` uses. */
export const defaultTiming: Required<TimingOptions> = { warmup: 2, minReps: 5, maxReps: 40, budgetMs: 2500 };

/** Few repetitions, for CI smoke runs (`--quick`). */
export const quickTiming: Required<TimingOptions> = { warmup: 1, minReps: 3, maxReps: 5, budgetMs: 150 };

/** Options for operations slow enough (≳ 0.3 s per run) that fewer repetitions are enough. */
export const slowTiming: Required<TimingOptions> = { warmup: 1, minReps: 3, maxReps: 7, budgetMs: 2500 };

/** Median, minimum and nearest-rank 90th percentile of `samples` (which must not be empty). */
export function summarize(samples: number[]): Timing {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const s = [...samples].sort((a, b) => a - b);
  const m = s.length;
  const median = m % 2 === 1 ? s[(m - 1) / 2]! : (s[m / 2 - 1]! + s[m / 2]!) / 2;
  const p90 = s[Math.max(0, Math.ceil(0.9 * m) - 1)]!;
  return { medianMs: median, minMs: s[0]!, p90Ms: p90, reps: m, samplesMs: [...samples] };
}

function resolve(opts: TimingOptions | undefined): Required<TimingOptions> {
  const o = { ...defaultTiming, ...(opts ?? {}) };
  if (o.minReps < 1 || o.maxReps < o.minReps || o.warmup < 0) throw new Error(`bad timing options ${JSON.stringify(o)}`);
  return o;
}

/** Ask V8 for a full collection between measurements when `--expose-gc` is on (bench/run.ts sets it). */
export function collectGarbage(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
}

/**
 * Time a synchronous operation.
 * @param run the operation; only this is timed.
 * @param setup runs before every repetition, untimed.
 */
export function timeSync(run: () => void, opts?: TimingOptions, setup?: () => void): Timing {
  const o = resolve(opts);
  for (let i = 0; i < o.warmup; i++) {
    setup?.();
    run();
  }
  collectGarbage();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < o.maxReps) {
    setup?.();
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
    if (samples.length >= o.minReps && performance.now() - start >= o.budgetMs) break;
  }
  return summarize(samples);
}

/**
 * Time an asynchronous operation (the awaited promise is part of the timed region).
 * @param run the operation; only this is timed.
 * @param setup runs before every repetition, untimed.
 */
export async function timeAsync(
  run: () => Promise<void>,
  opts?: TimingOptions,
  setup?: () => void | Promise<void>,
): Promise<Timing> {
  const o = resolve(opts);
  for (let i = 0; i < o.warmup; i++) {
    await setup?.();
    await run();
  }
  collectGarbage();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < o.maxReps) {
    await setup?.();
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
    if (samples.length >= o.minReps && performance.now() - start >= o.budgetMs) break;
  }
  return summarize(samples);
}
