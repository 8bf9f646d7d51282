/**
 * sparsegrad workers: the in-thread compressor's API, async, over a pool of Node, Deno or browser
 * workers. Bundled to dist/workers.mjs; the worker script is dist/worker.mjs.
 *
 * ```ts
 * import { createWorkerPool } from 'sparsegrad/workers';
 * const c = await createWorkerPool({ options: { method: 'topk', density: 0.01 } });
 * const { tensors } = await c.step({ 'fc1.weight': grad }, { transfer: true });
 * await c.close();
 * ```
 */
export { createWorkerPool } from './create.ts';
export type { WorkerPoolOptions } from './create.ts';
export { WorkerCompressor, WorkerError } from './compressor.ts';
export type { WorkerStepOptions } from './compressor.ts';
export { availableCores, defaultWorkerUrl, detectRuntime } from './adapters.ts';
export type { Runtime } from './adapters.ts';
export type { FaultSpec, SnapshotMode } from './protocol.ts';
