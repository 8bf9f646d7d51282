/**
 * The C-style ABI of the sparsegrad core: pointers and lengths only, so that any host (JavaScript,
 * a C program through wasm2c, a server runtime) can drive it. Every selection kernel reads the
 * input tensor s and the residual r (0: error feedback off), writes acc = s + r over s, writes its
 * kept elements to the result area (ascending indices, sent values) and, with error feedback, the
 * new residual acc - sent at the kept positions of s. The caller then adopts s as the new residual
 * (the buffers swap roles), so a step that fails leaves the old residual untouched.
 * Return values: the number of results, or -1 when acc holds NaN/±Inf (see sg_error_index).
 */
import { resultCount, resultIdx, resultVal, errorIndex, errorTensor } from './util/scratch';
import { streamKey0, streamKey1 } from './util/rng';
import { efFloor } from './kernels/accumulate';
import { selectTopk } from './kernels/select_topk';
import { selectThreshold } from './kernels/select_threshold';
import { selectRandomk } from './kernels/select_random';
import { selectProbabilistic } from './kernels/select_probabilistic';
import { selectApproxTopk } from './kernels/select_approx_topk';
import { selectGlobalTopk } from './kernels/select_global_topk';
import { selectHybrid } from './kernels/select_hybrid';
import { momentumCorrect, scaleInPlace, zeroAt } from './kernels/momentum';
import { emaAbs, selectAt } from './kernels/mask';
import { blockedSumSquares } from './util/reduce';

/** ABI version: bumped whenever an export changes meaning. */
export function sg_abi_version(): u32 {
  return 1;
}

/** 1 when this build uses Wasm SIMD, 0 for the scalar build. */
export function sg_simd(): u32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/** Allocates `bytes` (16-byte aligned); 0 is never returned (traps when memory cannot grow). */
export function sg_alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Frees a block from sg_alloc. */
export function sg_free(ptr: usize): void {
  heap.free(ptr);
}

/** Result area of the last kernel: indices (u32). Valid until the next kernel call. */
export function sg_result_indices(): usize {
  return resultIdx;
}

/** Result area of the last kernel: sent values (f32). */
export function sg_result_values(): usize {
  return resultVal;
}

/** Number of results of the last kernel. */
export function sg_result_count(): u32 {
  return resultCount;
}

/** Index of the first non-finite accumulated element after a kernel returned -1. */
export function sg_error_index(): u32 {
  return errorIndex;
}

/** Table position of the failing tensor after a multi-tensor kernel returned -1. */
export function sg_error_tensor(): u32 {
  return errorTensor;
}

/** Exact top-k (keep_ties 0) or percentile threshold (keep_ties 1). */
export function sg_topk(s: usize, r: usize, n: u32, k: u32, keepTies: u32): i32 {
  return selectTopk(s, r, n, k, keepTies != 0);
}

/** Absolute threshold: keep |acc| >= t. */
export function sg_threshold(s: usize, r: usize, n: u32, t: f32): i32 {
  return selectThreshold(s, r, n, t);
}

/** Random-k by counter-based words of (seed, step, tensor id); rescale 1: send acc·n/k. */
export function sg_randomk(s: usize, r: usize, n: u32, k: u32, seed: u32, step: u32, tensorId: u32, rescale: u32): i32 {
  const k0 = streamKey0(seed, step, tensorId);
  return selectRandomk(s, r, n, k, k0, streamKey1(k0), rescale != 0);
}

/** Probabilistic sampling proportional to |acc|, expected count k, unbiased values. */
export function sg_probabilistic(s: usize, r: usize, n: u32, k: u32, seed: u32, step: u32, tensorId: u32): i32 {
  const k0 = streamKey0(seed, step, tensorId);
  return selectProbabilistic(s, r, n, k, k0, streamKey1(k0));
}

/** Approximate top-k by sampled threshold (DGC); sample size, stride and first rank from the caller. */
export function sg_approx_topk(
  s: usize, r: usize, n: u32, k: u32, sampleSize: u32, stride: u32, rank: u32, tolerance: f64, maxIterations: u32,
): i32 {
  return selectApproxTopk(s, r, n, k, sampleSize, stride, rank, tolerance, maxIterations);
}

/** Global top-k over a table of m tensors (4 u32 each: s, r, n, out). */
export function sg_global_topk(table: usize, m: u32, k: u32): i32 {
  return selectGlobalTopk(table, m, k);
}

/** Hybrid: per-tensor top-k plus a global threshold (table of 5 u32 each: s, r, n, k, out). */
export function sg_hybrid(table: usize, m: u32, k: u32): i32 {
  return selectHybrid(table, m, k);
}

/** The error-feedback floor r = g + r (benchmark baseline). */
export function sg_ef_floor(g: usize, r: usize, n: u32): void {
  efFloor(g, r, n);
}

/** Stream key 0 of (seed, step, tensor id) (exposed for tests). */
export function sg_stream_key0(seed: u32, step: u32, tensorId: u32): u32 {
  return streamKey0(seed, step, tensorId);
}

export * from './codec_abi';
export * from './structured_abi';

/** DGC momentum correction pre-pass: u2 = m·u + scale·s, s = u2. */
export function sg_momentum(s: usize, u: usize, u2: usize, n: u32, m: f32, scale: f32): void {
  momentumCorrect(s, u, u2, n, m, scale);
}

/** p[i] *= factor (local clipping, residual decay). */
export function sg_scale(p: usize, n: u32, factor: f32): void {
  scaleInPlace(p, n, factor);
}

/** p[idx[j]] = 0 for the `count` indices at idx (momentum-factor masking). */
export function sg_zero_at(p: usize, idx: usize, count: u32): void {
  zeroAt(p, idx, count);
}

/** Sum of squares in the documented blocked order (for gradient norms). */
export function sg_sum_squares(p: usize, n: u32): f32 {
  return blockedSumSquares(p, n);
}

/** Learned masks: e2 = beta·e + omb·|s| (an EMA of gradient magnitudes). */
export function sg_ema_abs(e: usize, e2: usize, s: usize, n: u32, beta: f32, omb: f32): void {
  emaAbs(e, e2, s, n, beta, omb);
}

/** Learned masks: keep exactly the `count` ascending positions at idx (error feedback fused). */
export function sg_select_at(s: usize, r: usize, n: u32, idx: usize, count: u32): i32 {
  return selectAt(s, r, n, idx, count);
}
