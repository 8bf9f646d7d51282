/**
 * Loads the Wasm core (SIMD build, or the scalar build of the same source on engines without Wasm
 * SIMD) from bytes embedded in the bundle — one loading path for Node, Deno, browsers and webviews —
 * and wraps its C-style ABI with typed views. Views are made afresh on every access because memory
 * growth detaches old ones.
 *
 * On request (`sharedMemory`), the third build — SIMD, compiled with threads on an imported shared
 * memory — runs on a fresh `WebAssembly.Memory({ shared: true })` of its own, whose
 * SharedArrayBuffer other threads can read and write (the worker pool's coordinator does). Each
 * instance still owns its memory alone (one thread allocates, so the TLSF allocator needs no locks).
 */
import { CapacityError, ConfigError, SparsegradError } from '../../errors.ts';
import {
  SCALAR_WASM_BASE64, SHARED_MAX_PAGES, SHARED_MIN_PAGES, SHARED_WASM_BASE64, SIMD_WASM_BASE64, WASM_BUILD_HASH,
} from './modules.gen.ts';

/** The raw exports of the core (see assembly/index.ts for their contracts). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  sg_abi_version(): number;
  sg_simd(): number;
  sg_alloc(bytes: number): number;
  sg_free(ptr: number): void;
  sg_result_indices(): number;
  sg_result_values(): number;
  sg_result_count(): number;
  sg_error_index(): number;
  sg_error_tensor(): number;
  sg_topk(s: number, r: number, n: number, k: number, keepTies: number): number;
  sg_threshold(s: number, r: number, n: number, t: number): number;
  sg_randomk(s: number, r: number, n: number, k: number, seed: number, step: number, id: number, rescale: number): number;
  sg_probabilistic(s: number, r: number, n: number, k: number, seed: number, step: number, id: number): number;
  sg_approx_topk(
    s: number, r: number, n: number, k: number, sampleSize: number, stride: number, rank: number, tolerance: number,
    maxIterations: number,
  ): number;
  sg_global_topk(table: number, m: number, k: number): number;
  sg_hybrid(table: number, m: number, k: number): number;
  sg_ef_floor(g: number, r: number, n: number): void;
  sg_stream_key0(seed: number, step: number, id: number): number;
  sg_momentum(s: number, u: number, u2: number, n: number, m: number, scale: number): void;
  sg_scale(p: number, n: number, factor: number): void;
  sg_zero_at(p: number, idx: number, count: number): void;
  sg_sum_squares(p: number, n: number): number;
  sg_ema_abs(e: number, e2: number, s: number, n: number, beta: number, omb: number): void;
  sg_select_at(s: number, r: number, n: number, idx: number, count: number): number;
}

/** Which build to load: 'auto' picks SIMD when the engine validates it. */
export type SimdChoice = boolean | 'auto';

/** Options of loadCore. */
export interface CoreOptions {
  /** true: require the SIMD build (error if unsupported); false: scalar build; 'auto' (default). */
  simd?: SimdChoice;
  /**
   * The shared-memory build (SIMD) on a shared `WebAssembly.Memory`: true requires it (an
   * `E_NO_SHARED_MEMORY` error where the engine lacks SharedArrayBuffer, shared Wasm memory or
   * SIMD, or cannot reserve the maximum, and with `simd: false`); 'auto' uses it where possible and
   * the normal build otherwise; false (default): the normal build.
   */
  sharedMemory?: boolean | 'auto';
  /**
   * Shared memory only: its maximum in 64 KiB pages (default and upper bound 65536, i.e. 4 GiB,
   * the Wasm32 limit). A shared memory never moves, so engines reserve the maximum up front: on a
   * 32-bit or address-space-limited engine ask for less. Allocations beyond it are CapacityErrors.
   */
  maximumPages?: number;
}

/** A block of f32 elements in Wasm memory. */
export interface F32Block {
  ptr: number;
  length: number;
  /** A fresh view (call again after any allocation: growth detaches views). */
  view(): Float32Array;
}

/** Largest Wasm32 memory in bytes (65536 pages of 64 KiB). */
export const MAX_MEMORY_BYTES = 65536 * 65536;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The three embedded builds. */
type Build = 'simd' | 'scalar' | 'shared';

let simdBytes: Uint8Array<ArrayBuffer> | undefined;
let scalarBytes: Uint8Array<ArrayBuffer> | undefined;
let sharedBytes: Uint8Array<ArrayBuffer> | undefined;
const modules = new Map<Build, Promise<WebAssembly.Module>>();

/** True when this engine validates the SIMD build. */
export function simdSupported(): boolean {
  simdBytes ??= decodeBase64(SIMD_WASM_BASE64);
  return WebAssembly.validate(simdBytes);
}

/** The embedded module bytes of one build. */
export function wasmBytes(simd: boolean): Uint8Array<ArrayBuffer> {
  if (simd) return (simdBytes ??= decodeBase64(SIMD_WASM_BASE64));
  return (scalarBytes ??= decodeBase64(SCALAR_WASM_BASE64));
}

/** The embedded bytes of the shared-memory build (SIMD, memory imported from `env.memory`, shared). */
export function sharedWasmBytes(): Uint8Array<ArrayBuffer> {
  return (sharedBytes ??= decodeBase64(SHARED_WASM_BASE64));
}

/** True when this engine has SharedArrayBuffer, shared Wasm memory and SIMD (the shared build can load). */
export function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || !simdSupported() || !WebAssembly.validate(sharedWasmBytes())) return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** Largest `maximumPages` of a shared memory (the shared build's declared maximum). */
export const SHARED_MAXIMUM_PAGES: number = SHARED_MAX_PAGES;

/** SHA-256 (hex) of all three embedded builds; saved state carries it, workers report it. */
export const buildHash: string = WASM_BUILD_HASH;

function resolveSimd(choice: SimdChoice): boolean {
  if (choice === 'auto') return simdSupported();
  if (choice && !simdSupported()) {
    throw new SparsegradError(
      'E_NO_SIMD',
      'this JavaScript engine does not support WebAssembly SIMD; use { simd: "auto" } or { simd: false } for the scalar build',
    );
  }
  return choice;
}

function noShared(why: string): SparsegradError {
  return new SparsegradError('E_NO_SHARED_MEMORY', `cannot load the shared-memory build: ${why}; use { sharedMemory: 'auto' } to fall back`);
}

/** A fresh shared memory for the shared build, or null where the options or the engine say no. */
function sharedMemoryFor(options: CoreOptions, simd: boolean): WebAssembly.Memory | null {
  const choice = options.sharedMemory ?? false;
  if (choice !== true && choice !== false && choice !== 'auto') {
    throw new ConfigError(`sharedMemory must be true, false or 'auto', got ${String(choice)}`);
  }
  const maximum = options.maximumPages ?? SHARED_MAX_PAGES;
  if (!Number.isInteger(maximum) || maximum < SHARED_MIN_PAGES || maximum > SHARED_MAX_PAGES) {
    throw new ConfigError(`maximumPages must be an integer in [${SHARED_MIN_PAGES}, ${SHARED_MAX_PAGES}], got ${String(maximum)}`);
  }
  if (choice === false) return null;
  const why = !simd ? 'it is the SIMD build, and the scalar build was chosen'
    : !sharedMemorySupported() ? 'this engine has no SharedArrayBuffer or shared WebAssembly.Memory (browsers: the page must be cross-origin isolated)'
    : null;
  if (why !== null) {
    if (choice === true) throw noShared(why);
    return null;
  }
  try {
    return new WebAssembly.Memory({ initial: SHARED_MIN_PAGES, maximum, shared: true });
  } catch (e) {
    if (choice === true) throw noShared(`a shared memory of up to ${maximum} pages cannot be reserved (${(e as Error).message}); ask for fewer maximumPages`);
    return null;
  }
}

/** Compiles (once per build) and instantiates the core. */
export async function loadCore(options: CoreOptions = {}): Promise<WasmCore> {
  const simd = resolveSimd(options.simd ?? 'auto');
  const memory = sharedMemoryFor(options, simd);
  const build: Build = memory ? 'shared' : simd ? 'simd' : 'scalar';
  let mod = modules.get(build);
  if (!mod) {
    mod = WebAssembly.compile(memory ? sharedWasmBytes() : wasmBytes(simd));
    modules.set(build, mod);
  }
  const maxBytes = memory ? (options.maximumPages ?? SHARED_MAX_PAGES) * 65536 : MAX_MEMORY_BYTES;
  const core = new WasmCore(simd, memory !== null, maxBytes);
  const env: WebAssembly.ModuleImports = { abort: core.abortHandler };
  if (memory) env.memory = memory;
  const instance = await WebAssembly.instantiate(await mod, { env });
  core.attach(instance.exports as unknown as CoreExports);
  return core;
}

/** One instance of the core with typed access to its memory. */
export class WasmCore {
  /** True for the SIMD build (the shared-memory build included). */
  readonly simd: boolean;
  /** True for the shared-memory build: its memory's buffer is a SharedArrayBuffer. */
  readonly sharedMemory: boolean;
  /** Most bytes this core's memory can grow to. */
  readonly maxMemoryBytes: number;
  private x!: CoreExports;
  constructor(simd: boolean, sharedMemory = false, maxMemoryBytes = MAX_MEMORY_BYTES) {
    this.simd = simd;
    this.sharedMemory = sharedMemory;
    this.maxMemoryBytes = maxMemoryBytes;
  }

  /** @internal */
  attach(exports: CoreExports): void {
    this.x = exports;
  }

  /** The raw exports. */
  get exports(): CoreExports {
    return this.x;
  }

  /** @internal AssemblyScript's abort import: turns a trap message into an Error. */
  readonly abortHandler = (msg: number, file: number, line: number, col: number): never => {
    const text = (p: number): string => {
      if (!p || !this.x) return '?';
      const len = new Uint32Array(this.x.memory.buffer, p - 4, 1)[0]! >>> 1;
      return String.fromCharCode(...new Uint16Array(this.x.memory.buffer, p, len));
    };
    throw new SparsegradError('E_WASM_ABORT', `wasm core aborted: ${text(msg)} at ${text(file)}:${line}:${col}`);
  };

  /** Current size of Wasm memory in bytes. */
  memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /**
   * The shared build's memory as a SharedArrayBuffer, as large as the memory is now. Read it again
   * after any allocation: growth gives a new, larger SharedArrayBuffer over the same bytes (views
   * of the old one stay valid, over the old length). Throws for the normal builds.
   */
  sharedBuffer(): SharedArrayBuffer {
    const b = this.x.memory.buffer;
    if (!this.sharedMemory || !(b instanceof SharedArrayBuffer)) {
      throw new SparsegradError('E_NO_SHARED_MEMORY', 'this core was not loaded with { sharedMemory: true }');
    }
    return b;
  }

  /** Allocates `bytes`; a CapacityError when Wasm memory cannot hold them. */
  alloc(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0 || this.memoryBytes() + bytes > this.maxMemoryBytes) {
      const limit = this.maxMemoryBytes === MAX_MEMORY_BYTES ? '4 GiB' : `${this.maxMemoryBytes / 65536} pages (maximumPages)`;
      throw new CapacityError(`cannot allocate ${bytes} bytes: Wasm memory is limited to ${limit}`);
    }
    try {
      return this.x.sg_alloc(bytes);
    } catch (e) {
      throw new CapacityError(`cannot allocate ${bytes} bytes in Wasm memory (${(e as Error).message})`);
    }
  }

  /** Frees a block. */
  free(ptr: number): void {
    if (ptr) this.x.sg_free(ptr);
  }

  /** Allocates n f32 elements (contents undefined unless `zero`). */
  allocF32(n: number, zero = false): F32Block {
    const ptr = this.alloc(n * 4);
    if (zero) this.f32(ptr, n).fill(0);
    return { ptr, length: n, view: () => this.f32(ptr, n) };
  }

  /** A view of n f32 elements at ptr. */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.x.memory.buffer, ptr, n);
  }

  /** A view of n u32 elements at ptr. */
  u32(ptr: number, n: number): Uint32Array {
    return new Uint32Array(this.x.memory.buffer, ptr, n);
  }

  /** The error-feedback floor r = g + r (SIMD in the SIMD build). */
  efFloor(g: number, r: number, n: number): void {
    this.x.sg_ef_floor(g, r, n);
  }

  /** Copies results [from, from + count) of the last kernel out of Wasm memory. */
  takeResults(from: number, count: number): { indices: Uint32Array; values: Float32Array } {
    return {
      indices: this.u32(this.x.sg_result_indices() + from * 4, count).slice(),
      values: this.f32(this.x.sg_result_values() + from * 4, count).slice(),
    };
  }
}
