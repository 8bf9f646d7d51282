/**
 * The in-thread compressor: named Float32Arrays in, per-tensor sparse selections out, with error
 * feedback whose residuals live in Wasm memory. Each tensor owns two buffers of its length: the
 * input buffer (the caller's gradient is copied there, or written there directly through `stage`)
 * and the residual. A kernel writes acc = g + r over the input buffer and the new residual at the
 * kept positions; on success the two buffers swap roles. The residual is only read during a step,
 * so a step that throws changes no state (Seide et al., "1-bit SGD", 2014; Stich et al.,
 * "Sparsified SGD with Memory", NeurIPS 2018; Karimireddy et al., "Error Feedback Fixes SignSGD",
 * ICML 2019).
 */
import { assertFiniteF32 } from './input_checks.ts';
import { ConfigError, NonFiniteError, ShapeError } from './errors.ts';
import type { CompressedTensor, SparseTensor, StepResult } from './types.ts';
import { encodeFrame } from './codec/index.ts';
import { isU32 } from './codec/bytes.ts';
import {
  type CompressorOptions, baseDensity, groupK, resolveParams, validateOptions, type ResolvedParams,
} from './config.ts';
import { DensityPlanner, type Plan } from './schedules/planner.ts';
import type { PendingMask, Slot } from './slot.ts';
import { addAt, compensateAfter, compensateInputs, ensureMaskBuffers, residualAdditions } from './step_stages.ts';
import { selectGroup, selectSlot, type KernelContext } from './kernel_calls.ts';
import { withCodes, type Selected } from './result_codes.ts';
import { loadCore, type WasmCore } from './backends/wasm/core.ts';
import { fnv1a32 } from './reference/rng.ts';
import { decodeCompressorState, encodeCompressorState } from './state_bundle.ts';
import { encodeTensorOf } from './wire_units.ts';

/** Named tensors of one step: a plain object (insertion order), a Map, or [name, array] pairs. */
export type TensorInput = Record<string, Float32Array> | Map<string, Float32Array> | Array<[string, Float32Array]>;

/** Options of one step. */
export interface StepOptions {
  /** Step number used by the RNG (default: the compressor's counter). The counter continues after it. */
  step?: number;
}

/** Creates an in-thread compressor on the Wasm core (SIMD when available). */
export async function createCompressor(options: CompressorOptions): Promise<Compressor> {
  validateOptions(options);
  const core = await loadCore({ simd: options.simd ?? 'auto' });
  return new Compressor(options, core);
}

/** Error-feedback compressor over named tensors; create with {@link createCompressor}. */
export class Compressor {
  /** The validated options (a frozen copy). */
  readonly options: Readonly<CompressorOptions>;
  /** The Wasm core this compressor runs on. */
  readonly core: WasmCore;
  private readonly slots = new Map<string, Slot>();
  private counter = 0;
  private readonly ef: boolean;
  private readonly planner: DensityPlanner;

  /** @internal Use createCompressor. */
  constructor(options: CompressorOptions, core: WasmCore) {
    this.options = Object.freeze(structuredClone(options));
    this.core = core;
    this.ef = options.errorFeedback ?? true;
    this.planner = new DensityPlanner(this.options);
    this.momentum = options.momentum !== undefined;
  }

  private readonly momentum: boolean;
  private readonly importance = new Map<string, Float32Array>();
  private readonly maskScores = new Map<string, Float32Array>();
  private pendingMasks = new Map<string, PendingMask>();

  /** Caller-trained mask scores of a tensor (length n, finite), used at its next mask refresh. */
  setMaskScores(name: string, scores: Float32Array): void {
    assertFiniteF32(name, scores, 'mask scores', 'mask scores contain a non-finite value');
    this.maskScores.set(name, scores.slice());
  }

  /** The current learned mask of a tensor (a copy), or undefined before its first mask step. */
  getMask(name: string): Uint32Array | undefined {
    return this.slots.get(name)?.mask?.slice();
  }

  /** Head importance scores of a tensor (one finite value per head, e.g. attention entropy). */
  setImportance(name: string, scores: Float32Array): void {
    assertFiniteF32(name, scores, 'importance', 'importance contains a non-finite value');
    this.importance.set(name, scores.slice());
  }

  /** The step number the next step will use. */
  get stepCount(): number {
    return this.counter;
  }

  /** Names of the tensors seen so far, in first-seen order. */
  tensorNames(): string[] {
    return [...this.slots.keys()];
  }

  /** Wasm memory in use, in bytes. */
  memoryBytes(): number {
    return this.core.memoryBytes();
  }

  /**
   * A view of the tensor's input buffer in Wasm memory, for zero-copy input: fill it, then pass it
   * to `step`. Call again before every step (buffers swap roles after each step, and memory growth
   * detaches views). Registers the tensor on first use.
   */
  stage(name: string, length: number): Float32Array {
    const slot = this.slotFor(name, length);
    return this.core.f32(slot.s, slot.length);
  }

  /** Compresses one step of named tensors. Throws a typed error and changes no state on bad input. */
  step(tensors: TensorInput, options: StepOptions = {}): StepResult {
    const entries = toEntries(tensors);
    const step = options.step ?? this.counter;
    if (!isU32(step)) {
      throw new ConfigError(`step must be an integer in [0, 2^32), got ${String(step)}`);
    }
    const names = new Set<string>();
    for (const [name, g] of entries) {
      if (!(g instanceof Float32Array)) throw new ShapeError(`tensor '${name}' must be a Float32Array`);
      if (names.has(name)) throw new ShapeError(`tensor '${name}' appears twice in one step`);
      names.add(name);
      const slot = this.slots.get(name);
      if (slot && slot.length !== g.length) {
        throw new ShapeError(`tensor '${name}' has length ${g.length}, but its residual has length ${slot.length}`);
      }
    }
    const plans: Array<Plan | undefined> = this.planner.active
      ? entries.map(([name, g]) => this.planner.plan(name, g, step, baseDensity(this.options, name)))
      : [];
    let params: ResolvedParams[];
    try {
      params = entries.map(([name, g], j) => resolveParams(this.options, name, g.length, plans[j]));
    } catch (e) {
      this.planner.discard();
      throw e;
    }
    const created = entries.filter(([name]) => !this.slots.has(name)).map(([name]) => name);
    let out: CompressedTensor[];
    try {
      const slots = entries.map(([name, g]) => this.slotFor(name, g.length));
      entries.forEach(([, g], j) => {
        const view = this.core.f32(slots[j]!.s, g.length);
        if (!(g.buffer === view.buffer && g.byteOffset === view.byteOffset)) view.set(g);
      });
      compensateInputs(this.core, this.options, this.momentum, slots);
      const selected = this.runKernels(entries, slots, params, plans, step);
      const post = residualAdditions(this.options, this.ef, withCodes(this.options, params, selected), step);
      post.adds.forEach((list, j) => list.forEach((add) => addAt(this.core.f32(slots[j]!.s, slots[j]!.length), add)));
      out = post.tensors;
      compensateAfter(this.core, this.options, this.momentum, slots, out);
    } catch (e) {
      for (const name of created) this.drop(name);
      this.planner.discard();
      this.pendingMasks.clear();
      throw e;
    }
    this.planner.commit();
    for (const [name, pm] of this.pendingMasks) {
      const sl = this.slots.get(name)!;
      [sl.e, sl.e2] = [sl.e2, sl.e];
      sl.mask = pm.mask;
      if (pm.refreshed) sl.maskStep = step;
    }
    this.pendingMasks.clear();
    const slots = entries.map(([name]) => this.slots.get(name)!);
    if (this.ef) {
      for (const slot of slots) [slot.s, slot.r] = [slot.r, slot.s];
    }
    if (this.momentum) {
      for (const slot of slots) [slot.u, slot.u2] = [slot.u2, slot.u];
    }
    this.counter = step + 1;
    return { step, tensors: out };
  }

  /** The wire frame of a step's result (docs/wire-format.md), with each tensor's codes. */
  encode(result: StepResult): Uint8Array {
    return encodeFrame({ step: result.step, tensors: result.tensors.map(encodeTensorOf) });
  }

  private runKernels(
    entries: Array<[string, Float32Array]>, slots: Slot[], params: ResolvedParams[], plans: Array<Plan | undefined>,
    step: number,
  ): Selected[] {
    const out: Selected[] = new Array(entries.length);
    const fail = (j: number, index: number): never => {
      const [name, g] = entries[j]!;
      const v = g[index]!;
      const detail = Number.isNaN(v) ? 'gradient contains NaN'
        : !Number.isFinite(v) ? 'gradient contains Infinity'
        : 'gradient + residual overflows float32 (or the input was overwritten)';
      throw new NonFiniteError(name, index, detail);
    };
    for (const group of ['global-topk', 'hybrid'] as const) {
      const members = params.flatMap((p, j) => (p.method === group ? [j] : []));
      if (members.length === 0) continue;
      const total = members.reduce((a, j) => a + slots[j]!.length, 0);
      const plan = plans[members[0]!];
      const K = groupK(this.options, group, entries[members[0]!]![0], total, plan && !plan.dense ? plan.density : undefined);
      const sels = selectGroup(this.core, group, K, members.map((j) => {
        const p = params[j]!;
        return { slot: slots[j]!, k: p.method === 'hybrid' ? p.k : 0 };
      }), (m, index) => fail(members[m]!, index));
      members.forEach((j, m) => (out[j] = sels[m]!));
    }
    const base = { core: this.core, seed: this.options.seed ?? 0, step, pendingMasks: this.pendingMasks };
    params.forEach((p, j) => {
      if (p.method === 'global-topk' || p.method === 'hybrid') return;
      const name = entries[j]![0];
      const ctx: KernelContext = { ...base, fail: (index) => fail(j, index) };
      out[j] = selectSlot(ctx, slots[j]!, p, { scores: this.maskScores.get(name), importance: this.importance.get(name) });
    });
    return out;
  }

  private slotFor(name: string, length: number): Slot {
    if (typeof name !== 'string' || name.length === 0) throw new ShapeError('tensor names must be non-empty strings');
    let slot = this.slots.get(name);
    if (slot) {
      if (slot.length !== length) {
        throw new ShapeError(`tensor '${name}' has length ${length}, but its residual has length ${slot.length}`);
      }
      return slot;
    }
    if (!isU32(length)) {
      throw new ShapeError(`tensor '${name}': length must be an integer in [0, 2^32), got ${String(length)}`);
    }
    const got: number[] = [];
    try {
      got.push(this.core.alloc(length * 4));
      got.push(this.ef ? this.core.allocF32(length, true).ptr : 0);
      got.push(this.momentum ? this.core.allocF32(length, true).ptr : 0);
      got.push(this.momentum ? this.core.alloc(length * 4) : 0);
    } catch (e) {
      for (const p of got) this.core.free(p);
      throw e;
    }
    const [s, r, u, u2] = got as [number, number, number, number];
    slot = { name, id: fnv1a32(name), length, s, r, u, u2, e: 0, e2: 0, maskStep: 0 };
    this.slots.set(name, slot);
    return slot;
  }

  private drop(name: string): void {
    const slot = this.slots.get(name);
    if (!slot) return;
    for (const p of [slot.s, slot.r, slot.u, slot.u2, slot.e, slot.e2]) this.core.free(p);
    this.slots.delete(name);
  }

  private known(name: string): Slot {
    const slot = this.slots.get(name);
    if (!slot) throw new ShapeError(`unknown tensor '${name}' (known: ${this.tensorNames().join(', ') || 'none'})`);
    if (!this.ef) throw new ConfigError('error feedback is off: there is no residual');
    return slot;
  }

  /** A copy of the tensor's momentum (DGC momentum correction). */
  getMomentum(name: string): Float32Array {
    const slot = this.known(name);
    if (!slot.u) throw new ConfigError('momentum correction is off: there is no momentum');
    return this.core.f32(slot.u, slot.length).slice();
  }

  /** A copy of the tensor's residual. */
  getResidual(name: string): Float32Array {
    const slot = this.known(name);
    return this.core.f32(slot.r, slot.length).slice();
  }

  /** Replaces the tensor's residual (registers the tensor if new). Values must be finite. */
  setResidual(name: string, values: Float32Array): void {
    if (!(values instanceof Float32Array)) throw new ShapeError(`residual of '${name}' must be a Float32Array`);
    if (!this.ef) throw new ConfigError('error feedback is off: there is no residual');
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new NonFiniteError(name, bad, 'residual contains a non-finite value');
    const existing = this.slots.get(name);
    if (existing && existing.length !== values.length) {
      throw new ShapeError(`residual of '${name}' has length ${values.length}, expected ${existing.length}`);
    }
    const slot = this.slotFor(name, values.length);
    this.core.f32(slot.r, slot.length).set(values);
  }

  /** Zeroes the residual of one tensor, or of all tensors when no name is given. */
  resetResidual(name?: string): void {
    const slots = name === undefined ? [...this.slots.values()] : [this.known(name)];
    for (const slot of slots) if (slot.r) this.core.f32(slot.r, slot.length).fill(0);
  }

  /** The whole state (step counter and residuals) as versioned bytes; see ts-api/state.ts. */
  saveState(): Uint8Array {
    const view = (ptr: number, n: number) => (ptr ? this.core.f32(ptr, n) : undefined);
    return encodeCompressorState({
      step: this.counter, planner: this.planner.getState(), maskScores: this.maskScores,
      tensors: [...this.slots.values()].map((sl) => ({
        name: sl.name, length: sl.length,
        state: {
          r: view(sl.r, sl.length), u: view(sl.u, sl.length), e: view(sl.e, sl.length),
          ...(sl.mask ? { meta: { mask: sl.mask, maskStep: sl.maskStep } } : {}),
        },
      })),
    }, this.ef, this.momentum);
  }

  /** Restores state saved by saveState. Validates everything before changing anything. */
  restoreState(bytes: Uint8Array): void {
    const state = decodeCompressorState(bytes, this.ef, this.momentum, (name) => this.slots.get(name)?.length);
    this.planner.setState(state.planner);
    for (const t of state.tensors) this.slotFor(t.name, t.length);
    const saved = new Map(state.tensors.map((t) => [t.name, t.state]));
    const put = (ptr: number, n: number, v: Float32Array | undefined) => {
      if (!ptr) return;
      if (v) this.core.f32(ptr, n).set(v);
      else this.core.f32(ptr, n).fill(0);
    };
    for (const sl of this.slots.values()) {
      const st = saved.get(sl.name) ?? {};
      put(sl.r, sl.length, st.r);
      put(sl.u, sl.length, st.u);
      if (!st.meta) {
        sl.mask = undefined;
        put(sl.e, sl.length, undefined);
        continue;
      }
      ensureMaskBuffers(this.core, sl);
      put(sl.e, sl.length, st.e);
      sl.mask = st.meta.mask;
      sl.maskStep = st.meta.maskStep;
    }
    this.maskScores.clear();
    for (const [name, v] of state.maskScores) this.maskScores.set(name, v);
    this.counter = state.step;
  }

  /** Frees every buffer; the compressor must not be used afterwards. */
  dispose(): void {
    for (const name of this.tensorNames()) this.drop(name);
  }
}

function toEntries(t: TensorInput): Array<[string, Float32Array]> {
  if (t instanceof Map) return [...t.entries()];
  if (Array.isArray(t)) return t;
  if (t === null || typeof t !== 'object') throw new ShapeError('tensors must be an object, a Map or [name, array] pairs');
  return Object.entries(t);
}

/** Dense Float32Array of a sparse tensor (zeros where nothing was kept). */
export function densify(t: SparseTensor): Float32Array {
  const out = new Float32Array(t.length);
  for (let j = 0; j < t.indices.length; j++) out[t.indices[j]!] = t.values[j]!;
  return out;
}
