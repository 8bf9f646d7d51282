/**
 * Baseline: `tf.topk(tf.abs(x), k)` on TensorFlow.js's WebAssembly backend
 * (@tensorflow/tfjs-core + @tensorflow/tfjs-backend-wasm), the closest off-the-shelf JS top-k.
 *
 * Loading in Node 20 without network: `setWasmPaths` gets a file map with the absolute paths of
 * the three `.wasm` binaries in node_modules/@tensorflow/tfjs-backend-wasm/dist/. The backend's
 * Emscripten loader reads them with `fs` in Node (no fetch). tfjs disables its threaded build in
 * Node, so it picks `tfjs-backend-wasm-simd.wasm` when the engine validates SIMD. Which file was
 * actually read is recorded by wrapping `fs.readFile`/`fs.readFileSync` during initialization.
 *
 * tf.topk's tie rule is not the project's (it may pick any of equal magnitudes), so results are
 * compared as the multiset of selected magnitudes.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** What was loaded. */
export interface TfjsInfo {
  /** `tf.getBackend()` after initialization (always 'wasm', or init throws). */
  backend: string;
  /** tfjs-core version. */
  version: string;
  /** WASM_HAS_SIMD_SUPPORT as tfjs detected it. */
  simdDetected: boolean;
  /** WASM_HAS_MULTITHREAD_SUPPORT as tfjs detected it (false in Node). */
  threadsDetected: boolean;
  /** Base names of the .wasm files read from disk during initialization. */
  wasmFilesRead: string[];
  /** True when the SIMD binary is the one that was read. */
  simdInUse: boolean;
  /** The directory the binaries were loaded from. */
  wasmDir: string;
}

let info: TfjsInfo | null = null;

/** Wrap fs.readFile / fs.readFileSync to record `.wasm` paths read while `fn` runs. */
async function recordWasmReads<T>(fn: () => Promise<T>): Promise<{ result: T; files: string[] }> {
  const files: string[] = [];
  const note = (p: unknown): void => {
    const s = p instanceof URL ? p.pathname : typeof p === 'string' ? p : '';
    if (s.endsWith('.wasm')) files.push(path.basename(s));
  };
  const mutable = fs as unknown as { readFile: (...a: unknown[]) => unknown; readFileSync: (...a: unknown[]) => unknown };
  const origAsync = mutable.readFile;
  const origSync = mutable.readFileSync;
  mutable.readFile = (...a: unknown[]) => (note(a[0]), origAsync.apply(fs, a));
  mutable.readFileSync = (...a: unknown[]) => (note(a[0]), origSync.apply(fs, a));
  try {
    return { result: await fn(), files };
  } finally {
    mutable.readFile = origAsync;
    mutable.readFileSync = origSync;
  }
}

/**
 * Load the tfjs wasm backend from node_modules, make it current and verify it. Idempotent.
 * Throws if the backend is not 'wasm' afterwards.
 */
export async function initTfjsWasm(): Promise<TfjsInfo> {
  if (info) return info;
  const require = createRequire(import.meta.url);
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths({
    'tfjs-backend-wasm.wasm': path.join(wasmDir, 'tfjs-backend-wasm.wasm'),
    'tfjs-backend-wasm-simd.wasm': path.join(wasmDir, 'tfjs-backend-wasm-simd.wasm'),
    'tfjs-backend-wasm-threaded-simd.wasm': path.join(wasmDir, 'tfjs-backend-wasm-threaded-simd.wasm'),
  });
  const simdDetected = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threadsDetected = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  const { result: ok, files } = await recordWasmReads(async () => {
    const set = await tf.setBackend('wasm');
    await tf.ready();
    return set;
  });
  const backend = tf.getBackend();
  if (!ok || backend !== 'wasm') throw new Error(`tfjs: setBackend('wasm') failed (backend is '${backend}')`);
  info = {
    backend,
    version: tf.version_core,
    simdDetected,
    threadsDetected,
    wasmFilesRead: files,
    simdInUse: files.includes('tfjs-backend-wasm-simd.wasm') || files.includes('tfjs-backend-wasm-threaded-simd.wasm'),
    wasmDir,
  };
  return info;
}

/** One line describing the loaded tfjs backend. */
export function describeTfjs(i: TfjsInfo): string {
  return `tfjs-core ${i.version}, backend '${i.backend}', binary read: ${i.wasmFilesRead.join(', ') || '(none seen)'}, SIMD ${i.simdInUse ? 'in use' : 'NOT in use'} (detected ${i.simdDetected}), threads ${i.threadsDetected ? 'on' : 'off (tfjs disables them in Node)'}`;
}

/** Result of {@link tfjsTopk}: magnitudes sorted descending and their indices. */
export interface TfjsTopk {
  values: Float32Array;
  indices: Int32Array;
}

/**
 * `tf.topk(tf.abs(tf.tensor1d(x)), k)` with both outputs read back (`await .data()`), all tensors
 * disposed. Everything here is what the benchmark times: the copy in, abs, top-k and the copy out.
 * Call {@link initTfjsWasm} first.
 */
export async function tfjsTopk(x: Float32Array, k: number): Promise<TfjsTopk> {
  const t = tf.tensor1d(x, 'float32');
  const a = tf.abs(t);
  const r = tf.topk(a, k);
  try {
    const [v, i] = await Promise.all([r.values.data(), r.indices.data()]);
    if (!(v instanceof Float32Array) || !(i instanceof Int32Array)) throw new Error('tfjs: unexpected dtypes from topk');
    return { values: v, indices: i };
  } finally {
    tf.dispose([t, a, r.values, r.indices]);
  }
}

/** Number of tensors tfjs currently holds (to check that nothing leaks). */
export function tfjsTensorCount(): number {
  return tf.memory().numTensors;
}
