/**
 * createWorkerPool: validates the options (those of createCompressor, all of which the pool
 * implements, plus the pool's own), picks how committed state is kept (shared memory where the runtime allows it), starts the workers and
 * returns the {@link WorkerCompressor}. The same call in Node, Deno and browsers.
 */
import { ConfigError } from '../ts-api/errors.ts';
import { validateOptions, type CompressorOptions } from '../ts-api/config.ts';
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
  const pool = await Pool.start({ size, url, runtime, init: { options, snapshots: mode }, timeoutMs: o.timeoutMs });
  return new WorkerCompressor(pool, options, new Registry(size, options, splitAbove, mode), maxQueue, shared);
}
