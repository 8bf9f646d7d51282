/**
 * WorkerCompressor: the in-thread {@link Compressor}'s API, async, over a pool of workers — Node
 * worker_threads, Deno workers or browser module workers, created the same way everywhere with
 * {@link createWorkerPool}. Each tensor name is owned by one worker (or, when large, split into one
 * chunk per worker), where its residual lives, so a step ships only the gradients (by transfer or
 * shared memory) and brings back only the selections. A whole-model step runs its tensors on all
 * workers in parallel and commits on all of them or none (two-phase commit); joint methods
 * (global-topk, hybrid) and split tensors are merged exactly (workers/merge.ts), so results and
 * residuals equal the in-thread compressor's to the bit.
 *
 * Faults: every successful step leaves each piece's committed residual in a coordinator-side
 * snapshot (a view of the worker's own shared Wasm memory, workers/shared_core.ts; shared slots the
 * worker writes while committing; or a transferred copy). When a
 * worker dies, throws or hangs during a step, the step fails with a {@link WorkerError}, the other
 * workers undo it, and a fresh worker restores the dead one's pieces from the snapshots — nothing
 * lost, nothing counted twice; the caller may retry the step.
 *
 * Why not one shared Wasm memory for all workers: the core's TLSF allocator is not thread-safe, so
 * each worker owns its memory (shared with the coordinator where the runtime allows it). Splitting
 * by chunks with an exact merge gives the same bits.
 */
import * as Comlink from 'comlink';
import { ConfigError, NonFiniteError, ShapeError } from '../ts-api/errors.ts';
import type { CompressorOptions } from '../ts-api/config.ts';
import { decodeState, encodeState } from '../ts-api/state.ts';
import { encodeFrame, type EncodeTensor } from '../ts-api/codec/index.ts';
import { DensityPlanner } from '../ts-api/schedules/planner.ts';
import type { StepOptions, TensorInput } from '../ts-api/compressor.ts';
import type { StepResult } from '../ts-api/types.ts';
import { Pool, WorkerError } from './pool.ts';
import { OpQueue } from './queue.ts';
import { Registry, type PieceEntry, type TensorEntry } from './registry.ts';
import { runStep, type Captured } from './step.ts';
import type { FaultSpec, SnapshotMode } from './protocol.ts';
import { keepsArrays } from './shared_core.ts';

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
  private readonly planner: DensityPlanner;
  private readonly timing = { prepareMs: 0, mergeMs: 0, commitMs: 0 };

  /** @internal Use createWorkerPool. */
  constructor(
    private readonly pool: Pool,
    options: CompressorOptions,
    private readonly registry: Registry,
    maxQueue: number,
    private readonly shared: boolean,
    private readonly blankAux: Record<string, unknown>,
  ) {
    this.options = Object.freeze(options);
    this.ef = options.errorFeedback ?? true;
    this.queue = new OpQueue(maxQueue);
    this.planner = new DensityPlanner(this.options);
  }

  /** Number of workers. */
  get size(): number {
    return this.pool.slots.length;
  }

  /** How committed residuals are kept for recovery: 'memory', 'shared', 'copy' or 'none'. */
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
   * An input array for the tensor (registers it on first use): shared memory where available (no
   * copy at all: each worker reads its part), else a buffer the next step transfers. Fill it, then
   * pass it to `step`; keep it unchanged until that step settles.
   */
  stage(name: string, length: number): Float32Array {
    this.pool.checkOpen();
    const t = this.registry.get(name);
    if (t && t.length !== length) throw new ShapeError(`tensor '${name}' has length ${length}, but its residual has length ${t.length}`);
    if (!t) this.registry.register(name, length);
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
      (): Captured[] => entries.map(([name, g]) => ({ name, array: this.capture(g, options.transfer === true) })),
      async (items) => {
        const step = options.step ?? this.counter;
        if (!Number.isInteger(step) || step < 0 || step > 0xffffffff) {
          throw new ConfigError(`step must be an integer in [0, 2^32), got ${String(step)}`);
        }
        await this.ensureHealthy();
        const token = ++this.tokens;
        const result = await runStep({
          pool: this.pool, registry: this.registry, options: this.options, planner: this.planner, token, timing: this.timing,
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
      const n = await this.recover([...failed.keys()]);
      after = this.registry.mode === 'none'
        ? `worker ${w} was replaced; its ${n} tensor piece(s) restart from zero residuals (snapshots are off)`
        : `worker ${w} was replaced and its ${n} tensor piece(s) restored from the last committed state`;
    } catch (e) {
      after = `replacing worker ${w} failed too (${(e as Error).message}); the next call retries`;
    }
    return new WorkerError(`step ${step} failed in ${phase}: ${why}. The step was not applied; ${after}`, w);
  }

  /** Replaces workers and restores their pieces from the committed snapshots; returns the number of pieces. */
  private async recover(workers: number[]): Promise<number> {
    const counts = await Promise.all(workers.map(async (w) => {
      const slot = await this.pool.replace(w);
      const pieces = this.registry.piecesOn(w);
      if (this.registry.mode === 'shared') {
        await slot.call('restore', (r) =>
          r.restoreShared(pieces.map((p) => ({ piece: this.registry.descFor(p, slot.known), slot: p.shared!.cur }))));
      } else if (keepsArrays(this.registry.mode)) {
        const items = pieces.map((p) => ({ piece: p.desc, values: this.registry.committed(p)!.slice() }));
        // Memory mode: hold copies instead of views, so the dead worker's memory is released now.
        if (this.registry.mode === 'memory') pieces.forEach((p, i) => this.registry.setCommitted(p, items[i]!.values));
        await slot.call('restore', (r) => r.write(Comlink.transfer(items, items.map((i) => i.values.buffer as ArrayBuffer))));
      }
      for (const p of pieces) slot.known.add(p.desc.key);
      return pieces.length;
    }));
    return counts.reduce((a, b) => a + b, 0);
  }

  private async ensureHealthy(): Promise<void> {
    this.pool.checkOpen();
    const dead = this.pool.slots.filter((s) => s.dead !== null).map((s) => s.index);
    if (dead.length > 0) await this.recover(dead);
  }

  private known(name: string): TensorEntry {
    const t = this.registry.get(name);
    if (!t) throw new ShapeError(`unknown tensor '${name}' (known: ${this.tensorNames().join(', ') || 'none'})`);
    if (!this.ef) throw new ConfigError('error feedback is off: there is no residual');
    return t;
  }

  private byWorker(pieces: PieceEntry[]): Map<number, PieceEntry[]> {
    const m = new Map<number, PieceEntry[]>();
    for (const p of pieces) {
      let l = m.get(p.worker);
      if (!l) m.set(p.worker, (l = []));
      l.push(p);
    }
    return m;
  }

  /** Reads the residuals of tensors from their workers (in order). */
  private async readTensors(ts: TensorEntry[]): Promise<Float32Array[]> {
    const got = new Map<PieceEntry, Float32Array>();
    await Promise.all([...this.byWorker(ts.flatMap((t) => t.pieces))].map(async ([w, ps]) => {
      const arrays = await this.pool.slots[w]!.call('read', (r) => r.read(ps.map((p) => p.desc)));
      ps.forEach((p, i) => got.set(p, arrays[i]!));
    }));
    return ts.map((t) => {
      if (t.pieces.length === 1) return got.get(t.pieces[0]!)!;
      const out = new Float32Array(t.length);
      for (const p of t.pieces) out.set(got.get(p)!, p.desc.offset);
      return out;
    });
  }

  /**
   * Writes residuals (null: zeros) to the snapshots first, then to the workers: a worker that dies
   * meanwhile is replaced from the snapshots, which already hold the new values.
   */
  private async writeTensors(list: Array<{ t: TensorEntry; values: Float32Array | null }>): Promise<void> {
    for (const { t, values } of list) {
      for (const p of t.pieces) this.registry.setCommitted(p, values ? values.subarray(p.desc.offset, p.desc.offset + p.desc.length) : null);
    }
    const failed: number[] = [];
    const pieceValues = new Map<PieceEntry, Float32Array | null>();
    for (const { t, values } of list) for (const p of t.pieces) pieceValues.set(p, values);
    await Promise.all([...this.byWorker([...pieceValues.keys()])].map(async ([w, ps]) => {
      const slot = this.pool.slots[w]!;
      const zero = ps.filter((p) => pieceValues.get(p) === null);
      const items = ps.filter((p) => pieceValues.get(p) !== null).map((p) => ({
        piece: this.registry.descFor(p, slot.known),
        values: pieceValues.get(p)!.slice(p.desc.offset, p.desc.offset + p.desc.length),
      }));
      try {
        if (items.length > 0) await slot.call('write', (r) => r.write(Comlink.transfer(items, items.map((i) => i.values.buffer as ArrayBuffer))));
        if (zero.length > 0) await slot.call('reset', (r) => r.reset(zero.map((p) => p.desc)));
        for (const i of items) slot.known.add(i.piece.key);
      } catch {
        failed.push(w);
      }
    }));
    if (failed.length === 0) return;
    await this.recover(failed);
    if (this.registry.mode === 'none') throw new WorkerError(`worker ${failed[0]} failed while residuals were written; it was replaced with zero residuals (snapshots are off)`, failed[0]);
  }

  /** A copy of the tensor's residual. */
  getResidual(name: string): Promise<Float32Array> {
    return this.submit(() => null, async () => {
      const t = this.known(name);
      await this.ensureHealthy();
      return (await this.readTensors([t]))[0]!;
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
      await this.writeTensors([{ t, values: copy }]);
    });
  }

  /** Zeroes the residual of one tensor, or of all tensors when no name is given. */
  resetResidual(name?: string): Promise<void> {
    return this.submit(() => null, async () => {
      const ts = name === undefined ? [...this.registry.tensors.values()] : [this.known(name)];
      if (!this.ef) return;
      await this.ensureHealthy();
      await this.writeTensors(ts.map((t) => ({ t, values: null })));
    });
  }

  /** The whole state (step counter and residuals) as the in-thread compressor's bytes (ts-api/state.ts). */
  saveState(): Promise<Uint8Array> {
    return this.submit(() => null, async () => {
      await this.ensureHealthy();
      const ts = [...this.registry.tensors.values()];
      const residuals = this.ef ? await this.readTensors(ts) : ts.map(() => new Float32Array(0));
      return encodeState({
        step: this.counter, errorFeedback: this.ef, momentum: false,
        tensors: ts.map((t, j) => ({ name: t.name, length: t.length, residual: residuals[j]! })),
        aux: { ...this.blankAux, planner: this.planner.getState() },
      });
    });
  }

  /** Restores state saved by saveState (of either compressor). Validates everything before changing anything. */
  restoreState(bytes: Uint8Array): Promise<void> {
    return this.submit(() => bytes, async (b) => {
      const state = decodeState(b, this.ef, false);
      for (const t of state.tensors) {
        const existing = this.registry.get(t.name);
        if (existing && existing.length !== t.length) {
          throw new ShapeError(`saved tensor '${t.name}' has length ${t.length}, but this compressor's has ${existing.length}`);
        }
      }
      this.planner.setState((state.aux as { planner?: Record<string, number> }).planner ?? {});
      for (const t of state.tensors) if (!this.registry.get(t.name)) this.registry.register(t.name, t.length);
      if (this.ef) {
        await this.ensureHealthy();
        const saved = new Map(state.tensors.map((t) => [t.name, t.residual]));
        await this.writeTensors([...this.registry.tensors.values()].map((t) => ({ t, values: saved.get(t.name) ?? null })));
      }
      this.counter = state.step;
    });
  }

  /** The wire frame of a step's result (docs/wire-format.md), with each tensor's codes. */
  encode(result: StepResult): Uint8Array {
    return encodeFrame({ step: result.step, tensors: result.tensors as EncodeTensor[] });
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
    alive(): boolean[];
    lastStep(): { prepareMs: number; mergeMs: number; commitMs: number };
  } {
    return {
      fault: (w, spec) => this.pool.slots[w]!.call('fault', (r) => r.fault(spec)),
      terminate: async (w) => {
        const slot = this.pool.slots[w]!;
        await slot.handle.terminate(); // Node reports it through the worker's 'exit' event
        if (this.pool.runtime !== 'node') slot.kill('was terminated'); // web workers report nothing
      },
      workersOf: (name) => this.registry.get(name)?.pieces.map((p) => p.worker) ?? [],
      alive: () => this.pool.slots.map((s) => s.dead === null),
      lastStep: () => ({ ...this.timing }),
    };
  }
}
