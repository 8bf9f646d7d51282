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
import { ConfigError, NonFiniteError, ShapeError } from './errors.ts';
import type { CompressedTensor, SparseTensor, StepResult } from './types.ts';
import { encodeFrame, type EncodeTensor } from './codec/index.ts';
import { runStructuredKernel, takeUnits } from './backends/wasm/structured.ts';
import {
  type CompressorOptions, baseDensity, groupK, resolveParams, tensorOptions, validateOptions, type ResolvedParams,
} from './config.ts';
import { DensityPlanner, type Plan } from './schedules/planner.ts';
import type { PendingMask, Slot } from './slot.ts';
import { applyBudget, applyValueCodes, compensateAfter, compensateInputs, maskKernel } from './step_stages.ts';
import { f32ToBase64, parseMaskScores, parseMasks } from './state_masks.ts';
import { loadCore, type WasmCore } from './backends/wasm/core.ts';
import { fnv1a32 } from './reference/rng.ts';
import { decodeState, encodeState, type SavedTensor } from './state.ts';
import { encodeTensorOf, wireUnitFields } from './wire_units.ts';

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
    if (!(scores instanceof Float32Array)) throw new ShapeError(`mask scores of '${name}' must be a Float32Array`);
    const bad = scores.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new NonFiniteError(name, bad, 'mask scores contain a non-finite value');
    this.maskScores.set(name, scores.slice());
  }

  /** The current learned mask of a tensor (a copy), or undefined before its first mask step. */
  getMask(name: string): Uint32Array | undefined {
    return this.slots.get(name)?.mask?.slice();
  }

  /** Head importance scores of a tensor (one finite value per head, e.g. attention entropy). */
  setImportance(name: string, scores: Float32Array): void {
    if (!(scores instanceof Float32Array)) throw new ShapeError(`importance of '${name}' must be a Float32Array`);
    const bad = scores.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new NonFiniteError(name, bad, 'importance contains a non-finite value');
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
    if (!Number.isInteger(step) || step < 0 || step > 0xffffffff) {
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
      out = applyBudget(this.core, this.options, this.ef, slots, this.attachCodes(selected, params), step);
      applyValueCodes(this.core, this.ef, slots, out);
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

  /** Attaches each tensor's method and codes to its selection. */
  private attachCodes(selected: SparseTensor[], params: ResolvedParams[]): CompressedTensor[] {
    return selected.map((t, j) => {
      const o = tensorOptions(this.options, t.name);
      const p = params[j]!;
      const shape = o.shape !== undefined ? { shape: o.shape } : {};
      if (p.method === 'mask') {
        const pm = this.pendingMasks.get(t.name)!;
        const prev = this.slots.get(t.name)!.mask;
        const changed = pm.refreshed && !(prev && prev.length === pm.mask.length && prev.every((v, q) => v === pm.mask[q]));
        return { ...t, ...shape, method: 'mask' as const, maskChanged: changed, valueCode: o.values ?? 'f32', indexCode: o.index ?? 'auto' };
      }
      const units = p.method === 'structured' ? wireUnitFields(p.spec, o.shape) : {};
      return { ...t, ...shape, ...units, method: p.method === 'structured' ? p.name : p.method, valueCode: o.values ?? 'f32', indexCode: o.index ?? 'auto' };
    });
  }

  /** The wire frame of a step's result (docs/wire-format.md), with each tensor's codes. */
  encode(result: StepResult): Uint8Array {
    return encodeFrame({ step: result.step, tensors: result.tensors.map(wireTensor) });
  }

  private runKernels(
    entries: Array<[string, Float32Array]>, slots: Slot[], params: ResolvedParams[], plans: Array<Plan | undefined>,
    step: number,
  ): Array<SparseTensor & { units?: Uint32Array }> {
    const x = this.core.exports;
    const seed = this.options.seed ?? 0;
    const out: Array<SparseTensor & { units?: Uint32Array }> = new Array(entries.length);
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
      const width = group === 'global-topk' ? 4 : 5;
      const table = this.core.alloc(members.length * width * 4);
      try {
        const t = this.core.u32(table, members.length * width);
        members.forEach((j, m) => {
          const p = params[j]!;
          t.set([slots[j]!.s, slots[j]!.r, slots[j]!.length], m * width);
          if (p.method === 'hybrid') t[m * width + 3] = p.k;
        });
        const rc = group === 'global-topk' ? x.sg_global_topk(table, members.length, K) : x.sg_hybrid(table, members.length, K);
        if (rc < 0) fail(members[x.sg_error_tensor()]!, x.sg_error_index());
        const counts = this.core.u32(table, members.length * width).slice();
        let from = 0;
        members.forEach((j, m) => {
          const count = counts[m * width + width - 1]!;
          out[j] = { name: entries[j]![0], length: slots[j]!.length, ...this.core.takeResults(from, count) };
          from += count;
        });
      } finally {
        this.core.free(table);
      }
    }
    params.forEach((p, j) => {
      if (p.method === 'global-topk' || p.method === 'hybrid') return;
      const { s, r, length: n, id } = slots[j]!;
      let rc = -1;
      switch (p.method) {
        case 'topk': rc = x.sg_topk(s, r, n, p.k, 0); break;
        case 'percentile': rc = x.sg_topk(s, r, n, p.k, 1); break;
        case 'threshold': rc = x.sg_threshold(s, r, n, p.threshold); break;
        case 'randomk': rc = x.sg_randomk(s, r, n, p.k, seed, step, id, p.rescale ? 1 : 0); break;
        case 'probabilistic': rc = x.sg_probabilistic(s, r, n, p.k, seed, step, id); break;
        case 'approx-topk':
          rc = x.sg_approx_topk(s, r, n, p.k, p.sampleSize, p.stride, p.rank, p.tolerance, p.maxIterations);
          break;
        case 'mask':
          rc = maskKernel(this.core, slots[j]!, p, step, j, this.maskScores.get(slots[j]!.name), this.pendingMasks, fail);
          out[j] = { name: entries[j]![0], length: n, ...this.core.takeResults(0, rc) };
          return;
        case 'structured': {
          let spec = p.spec;
          if (spec.unit === 'head' && spec.score === 'importance') {
            const imp = this.importance.get(entries[j]![0]);
            if (!imp) throw new ConfigError(`tensor '${entries[j]![0]}': score 'importance' needs setImportance(name, scores) first`);
            if (imp.length !== spec.heads) {
              throw new ShapeError(`tensor '${entries[j]![0]}': ${imp.length} importance scores for ${spec.heads} heads`);
            }
            spec = { ...spec, importance: imp };
          }
          rc = runStructuredKernel(this.core, s, r, n, spec, p.k);
          if (rc === -2) throw new ConfigError(`tensor '${entries[j]![0]}': the core refused the ${p.name} parameters`);
          if (rc >= 0) {
            out[j] = { name: entries[j]![0], length: n, ...this.core.takeResults(0, rc), units: takeUnits(this.core) };
            return;
          }
          break;
        }
      }
      if (rc < 0) fail(j, x.sg_error_index());
      out[j] = { name: entries[j]![0], length: n, ...this.core.takeResults(0, rc) };
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
    if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) {
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
    const tensors: SavedTensor[] = [...this.slots.values()].map((s) => ({
      name: s.name,
      residual: s.r ? this.core.f32(s.r, s.length) : new Float32Array(0),
      momentum: s.u ? this.core.f32(s.u, s.length) : undefined,
      length: s.length,
    }));
    const masks: Record<string, { step: number; indices: number[]; ema: string }> = {};
    for (const sl of this.slots.values()) {
      if (!sl.mask || !sl.e) continue;
      masks[sl.name] = { step: sl.maskStep, indices: Array.from(sl.mask), ema: f32ToBase64(this.core.f32(sl.e, sl.length)) };
    }
    const maskScores = Object.fromEntries([...this.maskScores].map(([name, v]) => [name, f32ToBase64(v)]));
    return encodeState({
      step: this.counter, errorFeedback: this.ef, momentum: this.momentum, tensors,
      aux: { planner: this.planner.getState(), masks, maskScores },
    });
  }

  /** Restores state saved by saveState. Validates everything before changing anything. */
  restoreState(bytes: Uint8Array): void {
    const state = decodeState(bytes, this.ef, this.momentum);
    for (const t of state.tensors) {
      const slot = this.slots.get(t.name);
      if (slot && slot.length !== t.length) {
        throw new ShapeError(`saved tensor '${t.name}' has length ${t.length}, but this compressor's has ${slot.length}`);
      }
    }
    const masks = parseMasks(state.aux.masks, new Map(state.tensors.map((t) => [t.name, t.length])));
    const scores = parseMaskScores(state.aux.maskScores);
    this.planner.setState((state.aux as { planner?: Record<string, number> }).planner ?? {});
    for (const t of state.tensors) {
      const slot = this.slotFor(t.name, t.length);
      if (slot.r) this.core.f32(slot.r, slot.length).set(t.residual);
      if (slot.u && t.momentum) this.core.f32(slot.u, slot.length).set(t.momentum);
    }
    for (const sl of this.slots.values()) {
      const m = masks.get(sl.name);
      if (!m) {
        sl.mask = undefined;
        if (sl.e) this.core.f32(sl.e, sl.length).fill(0);
        continue;
      }
      if (!sl.e) {
        sl.e = this.core.allocF32(sl.length, true).ptr;
        sl.e2 = this.core.alloc(sl.length * 4);
      }
      this.core.f32(sl.e, sl.length).set(m.ema);
      sl.mask = m.indices;
      sl.maskStep = m.step;
    }
    this.maskScores.clear();
    for (const [name, v] of scores) this.maskScores.set(name, v);
    const saved = new Set(state.tensors.map((t) => t.name));
    for (const slot of this.slots.values()) {
      if (saved.has(slot.name)) continue;
      if (slot.r) this.core.f32(slot.r, slot.length).fill(0);
      if (slot.u) this.core.f32(slot.u, slot.length).fill(0);
    }
    this.counter = state.step;
  }

  /** Frees every buffer; the compressor must not be used afterwards. */
  dispose(): void {
    for (const name of this.tensorNames()) this.drop(name);
  }
}

/**
 * A result tensor as the codec takes it (docs/wire-format.md, "Structured units"): structured
 * results go with their unit sections (ts-api/wire_units.ts), element-wise ones unchanged.
 */
function wireTensor(t: CompressedTensor): EncodeTensor {
  return encodeTensorOf(t);
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
