/**
 * The scalar TypeScript reference implementation of docs/selection.md: the test oracle that every
 * backend (AssemblyScript SIMD and scalar builds, workers, WebGPU) must match bit for bit.
 * Simple and obviously correct rather than fast.
 */

export * from './key.ts';
export * from './density.ts';
export * from './rng.ts';
export * from './reduce.ts';
export * from './select_topk.ts';
export * from './select_threshold.ts';
export * from './select_percentile.ts';
export * from './select_random.ts';
export * from './select_probabilistic.ts';
export * from './select_approx_topk.ts';
export * from './select_global_topk.ts';
export * from './select_hybrid.ts';
export * from './error_feedback.ts';
