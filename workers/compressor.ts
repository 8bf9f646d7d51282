/**
 * WorkerCompressor: the in-thread {@link Compressor}'s API, async, over a pool of workers — Node
 * worker_threads, Deno workers or browser module workers, created the same way everywhere with
 * {@link createWorkerPool}. Each tensor name is owned by one worker (or, when large, split into one
 * chunk per worker), where its residual lives, so a step ships only the gradients (by transfer or
 * shared memory) and brings back only the selections. A whole-model step runs its tensors on all
 * workers in parallel and commits on all of them or none (two-phase commit); joint methods
 * (global-topk, hybrid) and split tensors are merged exactly (workers/merge.ts), so results and
 * residuals equal the in-thread compressor's to the bit. Every option of the in-thread compressor
 * works: DGC momentum, clipping and residual decay run on the workers, the byte budget, lossy
 * value codes and momentum masking are decided on the coordinator and applied with the commit
 * (workers/post.ts), structured and learned-mask methods run whole on their worker.
 *
 * Faults: every successful step leaves each piece's committed state (residual, momentum, mask EMA
 * and mask) in a coordinator-side snapshot: views of the worker's own shared Wasm memory
 * (workers/shared_core.ts), shared slots the worker writes while committing, or transferred copies.
 * When a worker dies, throws or hangs during a step, the step fails with a {@link WorkerError}, the
 * other workers undo it, and a fresh worker restores the dead one's pieces from the snapshots —
 * nothing lost, nothing counted twice; the caller may retry the step.
 *
 * Why not one shared Wasm memory for all workers: the core's TLSF allocator is not thread-safe, so
 * each worker owns its memory (shared with the coordinator where the runtime allows it). Splitting
 * by chunks with an exact merge gives the same bits.
 */
import { isU32 } from '../ts-api/codec/bytes.ts';
import { assertFiniteF32 } from '../ts-api/input_checks.ts';
import { ConfigError, NonFiniteError, ShapeError } from '../ts-api/errors.ts';
import type { CompressorOptions } from '../ts-api/config.ts';
import { encodeFrame } from '../ts-api/codec/index.ts';
import { encodeTensorOf } from '../ts-api/wire_units.ts';
import { DensityPlanner } from '../ts-api/schedules/planner.ts';
import type { StepOptions, TensorInput } from '../ts-api/compressor.ts';
import type { StepResult } from '../ts-api/types.ts';
import { Pool, WorkerError } from './pool.ts';
import { OpQueue } from './queue.ts';
import { Registry, type TensorEntry } from './registry.ts';
import { PieceIO } from './piece_io.ts';
import { runStep, type Captured } from './step.ts';
import type { FaultSpec, SnapshotMode } from './protocol.ts';
import { decodeCompressorState, encodeCompressorState } from '../ts-api/state_bundle.ts';

export { WorkerError } from './pool.ts';

/** Options of one step of a worker compressor. */
export interface WorkerStepOptions extends StepOptions {
  /** Let the pool take the tensors' buffers (transfer, no copy); they are detached afterwards. */
  transfer?: boolean;
}

function toEntries(t: TensorInput): Array<[string, Float32Array]> {
  if (t instanceof Map) return [...t.entries()];
  if (Array.isArray(t)) return t;
  if (t === null || typeof t !== 'object') throw new ShapeError('tensors must be an object, a Map or [name, array] pairs');
  return Object.entries(t);
}

/** Async compressor over a worker pool; create with {@link createWorkerPool}. */
export class WorkerCompressor {
  /** The validated options (a frozen copy). */
  readonly options: Readonly<CompressorOptions>;
  private counter = 0;
  private tokens = 0;
  private readonly ef: boolean;
  private readonly queue: OpQueue;
  private readonly staged = new Map<string, Float32Array>();
  private readonly owned = new WeakSet<ArrayBufferLike>();
  /** Views stage() made of a worker's input buffer, with the address they were made at. */
  private readonly inPlace = new WeakMap<Float32Array, number>();
  private readonly planner: DensityPlanner;
  private readonly timing = { prepareMs: 0, mergeMs: 0, commitMs: 0, extended: 0 };
  private readonly momentum: boolean;
  private importance = new Map<string, Float32Array>();
  private readonly io: PieceIO;
  private maskScores = new Map<string, Float32Array>();

  /** @internal Use createWorkerPool. */
  constructor(
    private readonly pool: Pool,
    options: CompressorOptions,
    private readonly registry: Registry,
    maxQueue: number,
    private readonly shared: boolean,
  ) {
    this.options = Object.freeze(options);
    this.ef = options.errorFeedback ?? true;
    this.momentum = options.momentum !== undefined;
    this.io = new PieceIO(pool, registry, this.options);
    this.queue = new OpQueue(maxQueue);
    this.planner = new DensityPlanner(this.options);
  }

  /** Number of workers. */
  get size(): number {
    return this.pool.slots.length;
  }

  /** How committed state is kept for recovery: 'memory', 'shared', 'copy' or 'none'. */
  get snapshotMode(): SnapshotMode {
    return this.registry.mode;
  }

  /** True when the workers run the SIMD build. */
  get simd(): boolean {
    return this.pool.slots[0]?.info?.simd ?? false;
  }

  /** The step number the next step will use. */
  get stepCount(): number {
    return this.counter;
  }

  /** Names of the tensors seen so far, in first-seen order. */
  tensorNames(): string[] {
    return this.registry.names();
  }

  /** Operations queued (running or waiting) and callers waiting for room. */
  get pending(): { queued: number; waiting: number } {
    return { queued: this.queue.size, waiting: this.queue.waiting };
  }

  /**
   * An input array for the tensor (registers it on first use). Where the owning worker's core runs
   * on a shared memory and nothing is queued, a view of that worker's input buffer, as the in-thread
   * compressor's `stage` — no copy at all; call `stage` again before every step (buffers swap
   * roles after each step), and stage again after a failed step (the step consumed the view). Else
   * a shared array each worker copies its part from (reusable), or, without shared memory, a buffer
   * the next step transfers. Fill it, then pass it to `step`; keep it unchanged until that step
   * settles.
   */
  stage(name: string, length: number): Float32Array {
    this.pool.checkOpen();
    const t = this.registry.get(name);
    if (t && t.length !== length) throw new ShapeError(`tensor '${name}' has length ${length}, but its residual has length ${t.length}`);
    if (!t) this.registry.register(name, length);
    const input = t?.pieces.length === 1 ? t.pieces[0]!.input : undefined;
    if (input && this.queue.size === 0 && this.queue.waiting === 0) {
      const view = new Float32Array(input.memory, input.ptr, length);
      this.inPlace.set(view, input.ptr);
      return view;
    }
    if (this.shared) {
      let a = this.staged.get(name);
      if (!a) this.staged.set(name, (a = new Float32Array(new SharedArrayBuffer(length * 4))));
      return a;
    }
    const a = new Float32Array(length);
    this.owned.add(a.buffer);
    return a;
  }

  private capture(g: Float32Array, transfer: boolean): Float32Array {
    if (this.shared && g.buffer instanceof SharedArrayBuffer) return g;
    if (transfer || this.owned.has(g.buffer)) return g;
    if (this.shared && g.length >= 65536) {
      const a = new Float32Array(new SharedArrayBuffer(g.length * 4));
      a.set(g);
      return a;
    }
    return g.slice();
  }

  /** Queues an operation (waiting for room when the queue is full); `prepare` runs once admitted. */
  private submit<T, P>(prepare: () => P, op: (p: P) => Promise<T>): Promise<T> {
    try {
      this.pool.checkOpen();
      const go = (): Promise<T> => {
        let p: P;
        try {
          p = prepare();
        } catch (e) {
          return this.queue.run(() => Promise.reject(e));
        }
        return this.queue.run(() => op(p));
      };
      if (this.queue.tryAdmit()) return go();
      return this.queue.admit().then(go);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Compresses one step of named tensors on the workers. Rejects with a typed error and changes no
   * state on bad input, and with a WorkerError (state unchanged, worker replaced) when a worker
   * fails. Without `transfer`, arrays are copied when the step is accepted (shared-memory arrays
   * are read during the step).
   */
  step(tensors: TensorInput, options: WorkerStepOptions = {}): Promise<StepResult> {
    let entries: Array<[string, Float32Array]>;
    try {
      entries = toEntries(tensors);
      for (const [name, g] of entries) if (!(g instanceof Float32Array)) throw new ShapeError(`tensor '${name}' must be a Float32Array`);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.submit(
      () => ({
        items: entries.map(([name, g]): Captured => {
          const at = this.inPlace.get(g);
          return { name, array: this.capture(g, options.transfer === true), ...(at !== undefined ? { inPlace: at } : {}) };
        }),
        importance: this.importance, maskScores: this.maskScores,
      }),
      async ({ items, importance, maskScores }) => {
        const step = options.step ?? this.counter;
        if (!isU32(step)) {
          throw new ConfigError(`step must be an integer in [0, 2^32), got ${String(step)}`);
        }
        await this.ensureHealthy();
        const token = ++this.tokens;
        const result = await runStep({
          pool: this.pool, registry: this.registry, options: this.options, planner: this.planner, token, timing: this.timing,
          importance, maskScores,
          fail: (s, phase, workers, failed, committed) => this.fail(token, s, phase, workers, failed, committed),
        }, items, step);
        this.counter = step + 1;
        return result;
      },
    );
  }

  private async fail(
    token: number, step: number, phase: string, workers: number[], failed: Map<number, string>, committed: number[],
  ): Promise<Error> {
    const others = workers.filter((w) => !failed.has(w));
    const undo = await Promise.allSettled(others.map((w) => this.pool.slots[w]!.call('undo', (r) =>
      committed.includes(w) ? r.rollback(token) : r.finish({ token, commit: false, fixups: [], cuts: {}, slots: {} }).then(() => undefined))));
    undo.forEach((u, i) => {
      if (u.status === 'rejected') failed.set(others[i]!, (u.reason as Error).message);
    });
    const [w, why] = [...failed.entries()][0]!;
    let after: string;
    try {
      const n = await this.io.recover([...failed.keys()]);
      after = this.registry.mode === 'none'
        ? `worker ${w} was replaced; its ${n} tensor piece(s) restart from zero residuals (snapshots are off)`
        : `worker ${w} was replaced and its ${n} tensor piece(s) restored from the last committed state`;
    } catch (e) {
      after = `replacing worker ${w} failed too (${(e as Error).message}); the next call retries`;
    }
    return new WorkerError(`step ${step} failed in ${phase}: ${why}. The step was not applied; ${after}`, w);
  }

  private async ensureHealthy(): Promise<void> {
    this.pool.checkOpen();
    const dead = this.pool.slots.filter((s) => s.dead !== null).map((s) => s.index);
    if (dead.length > 0) await this.io.recover(dead);
  }

  private known(name: string): TensorEntry {
    const t = this.registry.get(name);
    if (!t) throw new ShapeError(`unknown tensor '${name}' (known: ${this.tensorNames().join(', ') || 'none'})`);
    if (!this.ef) throw new ConfigError('error feedback is off: there is no residual');
    return t;
  }

  /** A copy of the tensor's residual. */
  getResidual(name: string): Promise<Float32Array> {
    return this.submit(() => null, async () => {
      const t = this.known(name);
      await this.ensureHealthy();
      return (await this.io.readStates([t]))[0]!.r ?? new Float32Array(t.length);
    });
  }

  /** Replaces the tensor's residual (registers the tensor if new). Values must be finite. */
  setResidual(name: string, values: Float32Array): Promise<void> {
    if (!(values instanceof Float32Array)) return Promise.reject(new ShapeError(`residual of '${name}' must be a Float32Array`));
    if (!this.ef) return Promise.reject(new ConfigError('error feedback is off: there is no residual'));
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) return Promise.reject(new NonFiniteError(name, bad, 'residual contains a non-finite value'));
    return this.submit(() => values.slice(), async (copy) => {
      const existing = this.registry.get(name);
      if (existing && existing.length !== copy.length) {
        throw new ShapeError(`residual of '${name}' has length ${copy.length}, expected ${existing.length}`);
      }
      const t = existing ?? this.registry.register(name, copy.length);
      await this.ensureHealthy();
      await this.io.writeTensors([{ t, values: copy }]);
    });
  }

  /** Zeroes the residual of one tensor, or of all tensors when no name is given. */
  resetResidual(name?: string): Promise<void> {
    return this.submit(() => null, async () => {
      const ts = name === undefined ? [...this.registry.tensors.values()] : [this.known(name)];
      if (!this.ef) return;
      await this.ensureHealthy();
      await this.io.writeTensors(ts.map((t) => ({ t, values: null })));
    });
  }

  /** A copy of the tensor's momentum (DGC momentum correction). */
  getMomentum(name: string): Promise<Float32Array> {
    return this.submit(() => null, async () => {
      const t = this.known(name);
      if (!this.momentum) throw new ConfigError('momentum correction is off: there is no momentum');
      await this.ensureHealthy();
      return (await this.io.readStates([t]))[0]!.u ?? new Float32Array(t.length);
    });
  }

  /** The current learned mask of a tensor (a copy), or undefined before its first mask step. */
  getMask(name: string): Promise<Uint32Array | undefined> {
    return this.submit(() => null, async () => {
      const t = this.registry.get(name);
      if (!t) return undefined;
      await this.ensureHealthy();
      return (await this.io.readStates([t]))[0]!.meta?.mask;
    });
  }

  /** Caller-trained mask scores of a tensor (length n, finite), used at its next mask refresh (steps submitted from now on). */
  setMaskScores(name: string, scores: Float32Array): void {
    assertFiniteF32(name, scores, 'mask scores', 'mask scores contain a non-finite value');
    this.maskScores = new Map(this.maskScores).set(name, scores.slice());
  }

  /** Head importance scores of a tensor (one finite value per head), for steps submitted from now on. */
  setImportance(name: string, scores: Float32Array): void {
    assertFiniteF32(name, scores, 'importance', 'importance contains a non-finite value');
    this.importance = new Map(this.importance).set(name, scores.slice());
  }

  /** The whole state (step counter, residuals, momenta, masks) as the in-thread compressor's bytes (ts-api/state.ts). */
  saveState(): Promise<Uint8Array> {
    return this.submit(() => null, async () => {
      await this.ensureHealthy();
      const ts = [...this.registry.tensors.values()];
      const states = await this.io.readStates(ts);
      return encodeCompressorState({
        step: this.counter, planner: this.planner.getState(), maskScores: this.maskScores,
        tensors: ts.map((t, j) => ({ name: t.name, length: t.length, state: states[j]! })),
      }, this.ef, this.momentum);
    });
  }

  /** Restores state saved by saveState (of either compressor). Validates everything before changing anything. */
  restoreState(bytes: Uint8Array): Promise<void> {
    return this.submit(() => bytes, async (b) => {
      const state = decodeCompressorState(b, this.ef, this.momentum, (name) => this.registry.get(name)?.length);
      this.planner.setState(state.planner);
      for (const t of state.tensors) if (!this.registry.get(t.name)) this.registry.register(t.name, t.length);
      await this.ensureHealthy();
      const saved = new Map(state.tensors.map((t) => [t.name, t.state]));
      await this.io.writeStates([...this.registry.tensors.values()].map((t) => ({ t, state: saved.get(t.name) ?? {} })));
      this.maskScores = new Map(state.maskScores);
      this.counter = state.step;
    });
  }

  /** The wire frame of a step's result (docs/wire-format.md), with each tensor's codes and unit sections. */
  encode(result: StepResult): Uint8Array {
    return encodeFrame({ step: result.step, tensors: result.tensors.map(encodeTensorOf) });
  }

  /** Wasm memory in use by all workers, in bytes. */
  memoryBytes(): Promise<number> {
    return this.submit(() => null, async () => {
      await this.ensureHealthy();
      const each = await Promise.all(this.pool.slots.map((s) => s.call('memoryBytes', (r) => r.memoryBytes())));
      return each.reduce((a, b) => a + b, 0);
    });
  }

  /** Terminates the workers and releases every buffer; waiting callers are rejected (E_CLOSED). */
  async close(): Promise<void> {
    if (this.pool.isClosed) return;
    this.queue.close(new WorkerError('the worker pool is closed', -1, 'E_CLOSED'));
    await this.pool.close();
    this.staged.clear();
    this.registry.tensors.clear();
  }

  /** Same as close() (the in-thread compressor's name); returns its promise. */
  dispose(): Promise<void> {
    return this.close();
  }

  /** @internal Fault injection and inspection for tests. */
  get testing(): {
    fault(worker: number, spec: FaultSpec): Promise<void>;
    terminate(worker: number): Promise<void>;
    workersOf(name: string): number[];
    stagedInPlace(a: Float32Array): boolean;
    alive(): boolean[];
    lastStep(): { prepareMs: number; mergeMs: number; commitMs: number; extended: number };
  } {
    return {
      fault: (w, spec) => this.pool.slots[w]!.call('fault', (r) => r.fault(spec)),
      terminate: async (w) => {
        const slot = this.pool.slots[w]!;
        await slot.handle.terminate(); // Node reports it through the worker's 'exit' event
        if (this.pool.runtime !== 'node') slot.kill('was terminated'); // web workers report nothing
      },
      workersOf: (name) => this.registry.get(name)?.pieces.map((p) => p.worker) ?? [],
      stagedInPlace: (a) => this.inPlace.has(a),
      alive: () => this.pool.slots.map((s) => s.dead === null),
      lastStep: () => ({ ...this.timing }),
    };
  }
}
