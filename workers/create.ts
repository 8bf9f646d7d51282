/**
 * createWorkerPool: validates the options, refuses what the pool does not implement, picks how
 * committed state is kept (shared memory where the runtime allows it), starts the workers and
 * returns the {@link WorkerCompressor}. The same call in Node, Deno and browsers.
 */
import { createCompressor } from '../ts-api/compressor.ts';
import { ConfigError } from '../ts-api/errors.ts';
import { validateOptions, type CompressorOptions } from '../ts-api/config.ts';
import { decodeState } from '../ts-api/state.ts';
import { availableCores, defaultWorkerUrl, detectRuntime } from './adapters.ts';
import { WorkerCompressor } from './compressor.ts';
import { Pool } from './pool.ts';
import { Registry } from './registry.ts';
import { snapshotMode } from './shared_core.ts';

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** The compressor's options (as for createCompressor). */
  options: CompressorOptions;
  /** Number of workers (default: the cores available to this process). */
  size?: number;
  /** The worker script (default: dist/worker.mjs next to the bundle). */
  workerUrl?: string | URL;
  /** Tensors with at least this many elements are split across all workers, when their method allows (default 2^22). */
  splitAbove?: number;
  /**
   * Keep every committed residual on the coordinator so a dead worker loses nothing (default true:
   * where shared memory is available, views of the workers' own shared Wasm memories — no copy —
   * else transferred copies; 'shared': one copy per step into coordinator SharedArrayBuffers;
   * 'copy' forces copies; false: none).
   */
  snapshots?: boolean | 'copy' | 'shared';
  /** Most operations queued at once; callers beyond it wait (default 4). */
  maxQueue?: number;
  /** A worker that does not answer a call within this many milliseconds is treated as dead (default: no limit). */
  timeoutMs?: number;
}

/** The element-wise methods the workers run (structured methods are not supported yet). */
const POOL_METHODS: ReadonlySet<string> = new Set([
  'topk', 'threshold', 'percentile', 'randomk', 'probabilistic', 'approx-topk', 'global-topk', 'hybrid',
]);

/** Per-tensor options the pool implements. */
const POOL_TENSOR_KEYS: ReadonlySet<string> = new Set([
  'method', 'density', 'k', 'threshold', 'rescale', 'sampleFraction', 'tolerance', 'maxIterations', 'values', 'index', 'shape',
]);
/** Compressor options the pool implements (the planner's dynamic options are planned on the coordinator). */
const POOL_KEYS: ReadonlySet<string> = new Set([
  ...POOL_TENSOR_KEYS, 'seed', 'errorFeedback', 'globalDensity', 'globalK', 'tensors', 'simd',
  'warmupSteps', 'schedule', 'roles', 'adaptive', 'denseSyncEvery',
]);

/**
 * Refuses, with a ConfigError, options of the in-thread compressor that the pool does not
 * implement (yet): momentum correction, clipping by the step's total norm, a frame-wide byte
 * budget, residual decay, lossy value codes folded into the residual, structured and mask methods,
 * and any option added to the in-thread compressor after this list — each changes the residual
 * in a way the workers' two-phase step does not reproduce, so refusing is the alternative to a
 * silently different result.
 */
function checkSupported(o: CompressorOptions): void {
  const where = (t: string): string => `createWorkerPool: ${t} is not supported by the worker pool yet; use createCompressor`;
  const extra = Object.keys(o).filter((k) => !POOL_KEYS.has(k));
  if (extra.length > 0) throw new ConfigError(where(`option(s) ${extra.join(', ')}`));
  for (const [name, t] of Object.entries(o.tensors ?? {})) {
    const bad = Object.keys(t).filter((k) => !POOL_TENSOR_KEYS.has(k));
    if (bad.length > 0) throw new ConfigError(where(`option(s) ${bad.join(', ')} of tensors['${name}']`));
  }
  const methods = [o.method, ...Object.values(o.tensors ?? {}).map((t) => t.method)].filter((m) => m !== undefined);
  const other = methods.find((m) => !POOL_METHODS.has(m));
  if (other !== undefined) throw new ConfigError(where(`method '${other}' (element-wise methods only)`));
  const lossy = [o, ...Object.values(o.tensors ?? {})].find((t) => t.values !== undefined && t.values !== 'f32');
  if (lossy) {
    throw new ConfigError(
      `createWorkerPool: lossy value codes in the options (values '${lossy.values}') are not supported by the worker pool yet ` +
        '(encode results with encodeFrame and a value code instead, or use createCompressor)',
    );
  }
}

function sharedMemoryUsable(runtime: string): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  return runtime !== 'browser' || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/**
 * Starts a pool of workers and returns its compressor. The same call in Node, Deno and browsers;
 * Deno needs `--allow-read` for the worker script.
 */
export async function createWorkerPool(o: WorkerPoolOptions): Promise<WorkerCompressor> {
  if (o === null || typeof o !== 'object') throw new ConfigError('createWorkerPool: options must be an object');
  validateOptions(o.options);
  checkSupported(o.options);
  const runtime = detectRuntime();
  const size = o.size ?? (await availableCores(runtime));
  if (!Number.isInteger(size) || size < 1 || size > 256) throw new ConfigError(`size must be an integer in [1, 256], got ${String(size)}`);
  const splitAbove = o.splitAbove ?? 2 ** 22;
  if (!(splitAbove >= 1)) throw new ConfigError(`splitAbove must be >= 1, got ${String(splitAbove)}`);
  const maxQueue = o.maxQueue ?? 4;
  if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new ConfigError(`maxQueue must be an integer >= 1, got ${String(maxQueue)}`);
  if (o.timeoutMs !== undefined && !(o.timeoutMs > 0)) throw new ConfigError(`timeoutMs must be > 0, got ${String(o.timeoutMs)}`);
  const ef = o.options.errorFeedback ?? true;
  const shared = sharedMemoryUsable(runtime);
  const mode = snapshotMode(o.snapshots, ef, shared);
  const options = structuredClone(o.options);
  const url = o.workerUrl === undefined ? defaultWorkerUrl() : new URL(o.workerUrl, (globalThis as { location?: { href: string } }).location?.href);
  // The aux section of saved state as the in-thread compressor writes it for these options, so that
  // saveState gives its bytes exactly (the planner's statistics are filled in on save).
  const blank = await createCompressor(options);
  const aux = decodeState(blank.saveState(), ef, false).aux;
  blank.dispose();
  const pool = await Pool.start({ size, url, runtime, init: { options, snapshots: mode }, timeoutMs: o.timeoutMs });
  return new WorkerCompressor(pool, options, new Registry(size, options, splitAbove, mode), maxQueue, shared, aux);
}
