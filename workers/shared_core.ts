/**
 * Memory snapshots: the pool's use of the shared-memory build of the core (`loadCore({ sharedMemory })`,
 * ts-api/backends/wasm/core.ts). Each worker runs its core on a shared `WebAssembly.Memory` of its
 * own (one thread allocates in it, so the TLSF allocator needs no locks), which makes a copy of the
 * committed residuals unnecessary: when a worker commits, it hands the coordinator *views* of its
 * own memory at each committed residual instead of copies, and the coordinator keeps those views as
 * the snapshot a replacement worker restores from.
 *
 * Why a view is a snapshot: a piece's committed residual lives in the worker's buffer `r`, and a
 * kernel only reads `r` during a step (it writes `acc` and the new residual over the input buffer
 * `s`; the buffers swap on commit, and swap back on rollback) — and the same holds for the
 * momentum (`u` read, `u2` written) and the mask EMA (`e` read, `e2` written). So the bytes a view points at change
 * only when the coordinator writes residuals (setResidual, reset, restoreState — which replace the
 * view by a coordinator copy first) or after the next step that committed everywhere (whose views
 * replace the old ones). A worker that dies leaves its memory behind: the SharedArrayBuffer stays
 * readable for as long as the coordinator holds a view of it, and recovery copies its pieces out
 * (to the replacement, and to coordinator copies, so that the dead memory is released).
 *
 * Where shared memory is unavailable (no SharedArrayBuffer, a page that is not cross-origin
 * isolated, an engine that cannot reserve the memory), the pool uses transferred copies, and a
 * worker in memory mode whose core did not get a shared memory sends copies too.
 */
import type { CoreOptions, WasmCore } from '../ts-api/backends/wasm/core.ts';
import { ConfigError } from '../ts-api/errors.ts';
import type { SnapshotMode } from './protocol.ts';

/** The `snapshots` option of createWorkerPool. */
export type SnapshotsOption = boolean | 'copy' | 'shared' | undefined;

/**
 * The snapshot mode for the `snapshots` option: true (default) → 'memory' where shared memory is
 * usable, else 'copy'; 'shared' → the coordinator's two-slot SharedArrayBuffers (one copy per
 * step, the workers' cores unshared), else 'copy'; 'copy' → transferred copies; false, or no error
 * feedback → 'none'.
 */
export function snapshotMode(option: SnapshotsOption, errorFeedback: boolean, shared: boolean): SnapshotMode {
  if (option !== undefined && typeof option !== 'boolean' && option !== 'copy' && option !== 'shared') {
    throw new ConfigError(`snapshots must be true, false, 'copy' or 'shared', got ${String(option)}`);
  }
  if (!errorFeedback || option === false) return 'none';
  if (option === 'copy' || !shared) return 'copy';
  return option === 'shared' ? 'shared' : 'memory';
}

/** How a worker loads its core in a snapshot mode: on a shared memory (if it can) in memory mode. */
export function coreMemory(mode: SnapshotMode): Pick<CoreOptions, 'sharedMemory'> {
  return { sharedMemory: mode === 'memory' ? 'auto' : false };
}

/** True for the modes in which the coordinator holds each piece's committed residual as an array (a view or a copy). */
export function keepsArrays(mode: SnapshotMode): boolean {
  return mode === 'copy' || mode === 'memory';
}

/**
 * What a committing worker publishes for one of a piece's new state arrays (`a`, a view of its
 * core's memory, or a fresh array of zeros): the view itself on a shared memory (no copy; posted,
 * not transferred), else a copy to transfer (a fresh array goes as it is).
 */
export function publishState(core: WasmCore, a: Float32Array): Float32Array {
  if (core.sharedMemory) return a;
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

/** True when a buffer may go in a transfer list (a SharedArrayBuffer is shared, never transferred). */
export function transferable(buffer: ArrayBufferLike): buffer is ArrayBuffer {
  return typeof SharedArrayBuffer !== 'function' || !(buffer instanceof SharedArrayBuffer);
}
