/**
 * The stages of a compressor step around the selection kernels, on a step's tensor slots: DGC's
 * clipping and momentum correction before selection; byte budget, value-code error feedback,
 * momentum-factor masking and residual decay after it; and the learned-mask selection. They write
 * only the step's scratch buffers (s, u2, e2), which the compressor adopts when the step commits.
 * (Lin et al., "Deep Gradient Compression", ICLR 2018; Karimireddy et al., ICML 2019.)
 */
import { ShapeError } from './errors.ts';
import type { CompressedTensor, SparseTensor } from './types.ts';
import type { CompressorOptions } from './config.ts';
import type { WasmCore } from './backends/wasm/core.ts';
import { quantizeValues } from './codec/index.ts';
import { fitToBudget } from './budget.ts';
import type { PendingMask, Slot } from './slot.ts';

/**
 * DGC pre-pass over the copied inputs: local clipping by the step's total norm (threshold scaled
 * by N^-1/2), then momentum correction u2 = m·u + g with s = u2 (the kernel adds the residual).
 */
export function compensateInputs(core: WasmCore, options: Readonly<CompressorOptions>, momentum: boolean, slots: Slot[]): void {
  const o = options;
  const x = core.exports;
  let scale = 1;
  if (o.clipNorm !== undefined) {
    let total = 0;
    for (const sl of slots) total = Math.fround(total + x.sg_sum_squares(sl.s, sl.length));
    const norm = Math.fround(Math.sqrt(total));
    const thr = Math.fround(o.clipNorm / Math.sqrt(o.workers ?? 1));
    if (norm > thr) scale = Math.fround(thr / norm);
  }
  for (const sl of slots) {
    if (momentum) x.sg_momentum(sl.s, sl.u, sl.u2, sl.length, o.momentum!, scale);
    else if (scale !== 1) x.sg_scale(sl.s, sl.length, scale);
  }
}


/** Values to add to a tensor's new residual at positions: r[i] = f32(r[i] + v). */
export interface ResidualAddition {
  indices: Uint32Array;
  values: Float32Array;
}

/**
 * The stages after selection that change what is sent: with budgetBytes, the largest
 * magnitude-rank prefix whose frame fits (the dropped elements' values return to the new residual,
 * where the residual is 0 or what the kernel left); then, for a lossy value code, the quantisation
 * error `value − decoded` (f32) of what is sent. Returns the final tensors and, per tensor, the
 * additions to its new residual (none without error feedback; the two lists never share a
 * position). The in-thread compressor applies them to its buffers, the worker pool on each worker.
 */
export function residualAdditions(
  options: Readonly<CompressorOptions>, ef: boolean, out: CompressedTensor[], step: number,
): { tensors: CompressedTensor[]; adds: ResidualAddition[][] } {
  const adds: ResidualAddition[][] = out.map(() => []);
  let tensors = out;
  if (options.budgetBytes !== undefined) {
    const fit = fitToBudget(step, out, options.budgetBytes);
    if (ef) fit.dropped.forEach((d, j) => d.indices.length > 0 && adds[j]!.push(d));
    tensors = fit.tensors;
  }
  if (ef) {
    tensors.forEach((t, j) => {
      if (t.valueCode === 'f32' || t.indices.length === 0) return;
      const q = quantizeValues(t.values, t.valueCode);
      const values = new Float32Array(t.values.length);
      for (let i = 0; i < values.length; i++) values[i] = Math.fround(t.values[i]! - q[i]!);
      adds[j]!.push({ indices: t.indices, values });
    });
  }
  return { tensors, adds };
}

/** Adds `v` at each position to a buffer of f32: r[i] = f32(r[i] + v). */
export function addAt(r: Float32Array, add: ResidualAddition): void {
  const { indices, values } = add;
  for (let j = 0; j < indices.length; j++) r[indices[j]!] = Math.fround(r[indices[j]!]! + values[j]!);
}


/** After selection: momentum-factor masking at the sent positions, residual decay. */
export function compensateAfter(
  core: WasmCore, options: Readonly<CompressorOptions>, momentum: boolean, slots: Slot[], out: SparseTensor[],
): void {
  const o = options;
  slots.forEach((sl, j) => {
    if (momentum && (o.momentumMasking ?? true)) {
      const u2 = core.f32(sl.u2, sl.length);
      for (const i of out[j]!.indices) u2[i] = 0;
    }
    if (o.residualDecay !== undefined && o.residualDecay !== 1) core.exports.sg_scale(sl.s, sl.length, o.residualDecay);
  });
}


/** Allocates a slot's mask EMA (zeroed) and its next-step buffer, once. */
export function ensureMaskBuffers(core: WasmCore, sl: Pick<Slot, 'e' | 'e2' | 'length'>): void {
  if (sl.e) return;
  sl.e = core.allocF32(sl.length, true).ptr;
  sl.e2 = core.alloc(sl.length * 4);
}

/**
 * Learned mask step: EMA of |g| into e2; at a refresh (first step, every `every` steps, or a new
 * size) the mask becomes the top-k positions of the EMA (or of the caller's scores); then exactly
 * the mask's positions are sent. The new EMA and mask are adopted when the step commits.
 */
export function maskKernel(
  core: WasmCore, sl: Slot, p: { k: number; every: number; beta: number }, step: number, j: number,
  scores: Float32Array | undefined, pending: Map<string, PendingMask>, fail: (j: number, i: number) => never,
): number {
  const x = core.exports;
  const n = sl.length;
  ensureMaskBuffers(core, sl);
  const beta = Math.fround(p.beta);
  x.sg_ema_abs(sl.e, sl.e2, sl.s, n, beta, Math.fround(1 - beta));
  const refresh = sl.mask === undefined || step - sl.maskStep >= p.every || step < sl.maskStep || sl.mask.length !== p.k;
  let mask = sl.mask!;
  if (refresh) {
    if (scores && scores.length !== n) throw new ShapeError(`mask scores of '${sl.name}' have length ${scores.length}, expected ${n}`);
    const src = scores ? core.alloc(n * 4) : sl.e2;
    try {
      if (scores) core.f32(src, n).set(scores);
      const rc = x.sg_topk(src, 0, n, p.k, 0);
      if (rc < 0) fail(j, x.sg_error_index());
      mask = core.takeResults(0, rc).indices;
    } finally {
      if (scores) core.free(src);
    }
  }
  const idx = core.alloc(Math.max(4, mask.length * 4));
  try {
    core.u32(idx, mask.length).set(mask);
    const rc = x.sg_select_at(sl.s, sl.r, n, idx, mask.length);
    if (rc < 0) fail(j, x.sg_error_index());
    const prev = sl.mask;
    const changed = refresh && !(prev && prev.length === mask.length && prev.every((v, q) => v === mask[q]));
    pending.set(sl.name, { mask, refreshed: refresh, changed });
    return rc;
  } finally {
    core.free(idx);
  }
}

