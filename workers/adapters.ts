/**
 * Runtime adapters: start one worker running dist/worker.mjs and give back a Comlink endpoint, a
 * way to end it, and a promise that settles when it dies on its own. Node uses worker_threads
 * through Comlink's node adapter; browsers use module workers (`new Worker(url, { type: 'module'
 * })`). Deno runs its own workers through its `node:worker_threads` API: a Deno web Worker's
 * `terminate()` cannot interrupt synchronous JavaScript or Wasm already running (it only flags the
 * worker's event loop — denoland/deno, runtime/ops/worker_host.rs), so a hung worker would keep its
 * core and keep the process alive, while `worker_threads`' `terminate()` stops it at once. Inside,
 * such a worker is a Deno worker with the web messaging globals (`postMessage`, 'message' events),
 * which is what dist/worker.mjs uses there. The pool above is the same code everywhere.
 */
import type { Endpoint } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

/** Where the pool runs. */
export type Runtime = 'node' | 'deno' | 'browser';

/** A started worker. */
export interface WorkerHandle {
  endpoint: Endpoint;
  /** Ends the worker now. */
  terminate(): Promise<void>;
  /** Resolves with a reason when the worker exits or raises an uncaught error (never rejects). */
  died: Promise<string>;
  /** Node: whether the worker keeps the process alive (on while calls are in flight). */
  setActive(active: boolean): void;
}

interface RuntimeGlobals {
  Deno?: unknown;
  process?: { versions?: { node?: string } };
  navigator?: { hardwareConcurrency?: number };
}

/** Detects the runtime from its globals. */
export function detectRuntime(): Runtime {
  const g = globalThis as unknown as RuntimeGlobals;
  if (g.Deno !== undefined) return 'deno';
  if (typeof g.process?.versions?.node === 'string') return 'node';
  return 'browser';
}

/** The default worker script: dist/worker.mjs, next to the bundles (or the repository's dist/ from source). */
export function defaultWorkerUrl(): URL {
  return new URL('../dist/worker.mjs', import.meta.url);
}

/** Number of cores available to this process (the default pool size). */
export async function availableCores(runtime: Runtime = detectRuntime()): Promise<number> {
  if (runtime === 'node') {
    const os = await import('node:os');
    return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  }
  const n = (globalThis as unknown as RuntimeGlobals).navigator?.hardwareConcurrency;
  return Math.max(1, Number.isInteger(n) ? n! : 1);
}

async function spawnNode(url: URL, name: string): Promise<WorkerHandle> {
  const { Worker } = await import('node:worker_threads');
  const w = new Worker(url, { name });
  const died = new Promise<string>((resolve) => {
    w.once('error', (e: Error) => resolve(`raised an uncaught error: ${e.message}`));
    w.once('exit', (code: number) => resolve(`exited with code ${code}`));
  });
  return {
    endpoint: nodeEndpoint(w as unknown as Parameters<typeof nodeEndpoint>[0]),
    terminate: async () => {
      await w.terminate();
    },
    died,
    setActive: (active) => (active ? w.ref() : w.unref()),
  };
}

function spawnWeb(url: URL, name: string): WorkerHandle {
  const w = new Worker(url, { type: 'module', name });
  const died = new Promise<string>((resolve) => {
    w.addEventListener('error', (ev: ErrorEvent) => {
      ev.preventDefault(); // Deno would otherwise end the parent too
      resolve(`raised an uncaught error: ${ev.message || 'unknown error (the worker script may have failed to load)'}`);
    });
    w.addEventListener('messageerror', () => resolve('received a message it could not deserialize'));
  });
  return {
    endpoint: w,
    terminate: async () => w.terminate(),
    died,
    setActive: () => {},
  };
}

/** Starts one worker running `url` on `runtime` (Deno: through node:worker_threads, see above). */
export async function spawnWorker(url: URL, runtime: Runtime, name: string): Promise<WorkerHandle> {
  return runtime === 'browser' ? spawnWeb(url, name) : spawnNode(url, name);
}
