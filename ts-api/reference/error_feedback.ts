/**
 * One compression step with error feedback, in the reference: accumulate, check, select, and
 * compute the new residuals — all without touching the caller's state.
 *
 * Normative source: docs/selection.md, "Error feedback (all methods)". Error feedback (residual
 * accumulation): Seide et al., "1-Bit Stochastic Gradient Descent and its Application to
 * Data-Parallel Distributed Training of Speech DNNs", Interspeech 2014; Stich, Cordonnier and
 * Jaggi, "Sparsified SGD with Memory", NeurIPS 2018; Karimireddy et al., "Error Feedback Fixes
 * SignSGD and other Gradient Compression Schemes", ICML 2019.
 */

import { ConfigError, NonFiniteError, ShapeError } from '../errors.ts';
import type { Selection } from '../types.ts';
import { kFromDensity, validateK } from './density.ts';
import { type RngContext, fnv1a32, validateU32 } from './rng.ts';
import { type ApproxTopkOptions, resolveApproxTopkOptions, selectApproxTopK } from './select_approx_topk.ts';
import { selectGlobalTopK } from './select_global_topk.ts';
import { selectHybrid } from './select_hybrid.ts';
import { selectPercentile } from './select_percentile.ts';
import { selectProbabilistic } from './select_probabilistic.ts';
import { selectRandomK } from './select_random.ts';
import { selectThreshold, validateThreshold } from './select_threshold.ts';
import { selectTopK } from './select_topk.ts';

/** How many elements to keep: an explicit `k`, or a density (docs/selection.md, "k from a density"). */
export type Budget =
  | { readonly k: number; readonly density?: undefined }
  | { readonly density: number; readonly k?: undefined };

/** Exact top-k per tensor. */
export type TopkParams = { readonly method: 'topk' } & Budget;
/** Absolute threshold `t` per tensor (finite, `≥ 0`). */
export interface ThresholdParams { readonly method: 'threshold'; readonly threshold: number }
/** Percentile threshold keeping a fraction `q` in `(0, 1]`, with all ties. */
export interface PercentileParams { readonly method: 'percentile'; readonly q: number }
/** Uniform random-k per tensor; `rescale` multiplies sent values by `n/k` (default false). */
export type RandomkParams = { readonly method: 'randomk'; readonly rescale?: boolean } & Budget;
/** Sampling proportional to |acc| with expected count about `k`. */
export type ProbabilisticParams = { readonly method: 'probabilistic' } & Budget;
/** Sampled-threshold approximate top-k (DGC) with its options. */
export type ApproxTopkParams = { readonly method: 'approx-topk' } & Budget & ApproxTopkOptions;
/** Global top-k over all tensors of the step: `K`, or a density of the total length. */
export type GlobalTopkParams = { readonly method: 'global-topk' } & (
  | { readonly K: number; readonly density?: undefined }
  | { readonly density: number; readonly K?: undefined }
);
/** Per-tensor top-`ks[j]` (one per tensor, in order) plus a global threshold from `K`. */
export interface HybridParams { readonly method: 'hybrid'; readonly ks: readonly number[]; readonly K: number }

/** Methods that select each tensor on its own. */
export type PerTensorMethodParams =
  | TopkParams | ThresholdParams | PercentileParams | RandomkParams | ProbabilisticParams | ApproxTopkParams;
/** Methods that select all tensors of a step jointly. */
export type JointMethodParams = GlobalTopkParams | HybridParams;
/** The parameters of every selection method, discriminated by `method` (see docs/selection.md). */
export type ReferenceMethodParams = PerTensorMethodParams | JointMethodParams;

/** One named gradient tensor. */
export interface NamedGradient {
  /** Tensor name; its FNV-1a hash is the RNG's tensor id. Unique within a step. */
  readonly name: string;
  /** Gradient values. */
  readonly values: Float32Array;
}

/** The input of {@link referenceStep}. Nothing in it is modified. */
export interface ReferenceStepInput {
  /** The gradients of this step, in order (the order breaks global ties). */
  readonly gradients: readonly NamedGradient[];
  /** Residuals by tensor name; a missing entry means zeros. Ignored when error feedback is off. */
  readonly residuals?: ReadonlyMap<string, Float32Array>;
  /**
   * The selection: one joint method (global-topk, hybrid); or one per-tensor method used for every
   * tensor; or a list of per-tensor methods, one per gradient, in order.
   */
  readonly params: ReferenceMethodParams | readonly PerTensorMethodParams[];
  /** RNG seed (u32). */
  readonly seed: number;
  /** Step counter used by the RNG (u32). */
  readonly step: number;
  /** Error feedback on (default) or off (then `acc = g` and no residual is kept). */
  readonly errorFeedback?: boolean;
}

/** The output of {@link referenceStep}. */
export interface ReferenceStepResult {
  /** One selection per gradient, in input order (indices ascending, sent values). */
  readonly selections: Selection[];
  /**
   * The residual state after the step: a fresh array for every tensor of the step, and a copy of
   * every input residual of a tensor not in this step. Empty when error feedback is off.
   */
  readonly residuals: Map<string, Float32Array>;
}

/** `k` of a per-tensor {@link Budget}: exactly one of `k` and `density` must be given. */
function resolveBudget(budget: { readonly k?: number; readonly density?: number }, n: number, name: string): number {
  const hasK = budget.k !== undefined;
  const hasDensity = budget.density !== undefined;
  if (hasK === hasDensity) {
    throw new ConfigError(`tensor '${name}': give exactly one of k and density`);
  }
  if (budget.k !== undefined) {
    validateK(budget.k, n, `k of tensor '${name}'`);
    return budget.k;
  }
  return kFromDensity(budget.density as number, n, `density of tensor '${name}'`);
}

function isParamList(p: ReferenceStepInput['params']): p is readonly PerTensorMethodParams[] {
  return Array.isArray(p);
}

function isJoint(p: ReferenceMethodParams): p is JointMethodParams {
  return p.method === 'global-topk' || p.method === 'hybrid';
}

/** A validated selection, ready to run on the accumulated tensors. */
type Plan = (accs: readonly Float32Array[]) => Selection[];
/** A validated per-tensor selection. */
type TensorPlan = (acc: Float32Array) => Selection;

/** Validates one per-tensor method for a tensor of length `n` (all checks happen here). */
function planPerTensor(p: PerTensorMethodParams, n: number, name: string, rng: RngContext): TensorPlan {
  switch (p.method) {
    case 'topk': {
      const k = resolveBudget(p, n, name);
      return (acc) => selectTopK(acc, k);
    }
    case 'threshold':
      validateThreshold(p.threshold);
      return (acc) => selectThreshold(acc, p.threshold);
    case 'percentile':
      kFromDensity(p.q, n, `q of tensor '${name}'`);
      return (acc) => selectPercentile(acc, p.q);
    case 'randomk': {
      const k = resolveBudget(p, n, name);
      return (acc) => selectRandomK(acc, k, rng, p.rescale === true);
    }
    case 'probabilistic': {
      const k = resolveBudget(p, n, name);
      return (acc) => selectProbabilistic(acc, k, rng);
    }
    case 'approx-topk': {
      const k = resolveBudget(p, n, name);
      const options = resolveApproxTopkOptions(p);
      return (acc) => selectApproxTopK(acc, k, options);
    }
    default: {
      const unknown: never = p;
      throw new ConfigError(`unknown selection method '${String((unknown as { method?: unknown }).method)}'`);
    }
  }
}

/** Validates a joint method over tensors of the given lengths. */
function planJoint(p: JointMethodParams, lengths: readonly number[]): Plan {
  const total = lengths.reduce((a, b) => a + b, 0);
  if (p.method === 'hybrid') {
    if (!Array.isArray(p.ks) || p.ks.length !== lengths.length) {
      throw new ConfigError(`hybrid: ks must have one entry per tensor (${lengths.length})`);
    }
    lengths.forEach((n, j) => validateK(p.ks[j], n, `ks[${j}]`));
    validateK(p.K, total, 'K');
    return (accs) => selectHybrid(accs, p.ks, p.K);
  }
  if ((p.K === undefined) === (p.density === undefined)) {
    throw new ConfigError('global-topk: give exactly one of K and density');
  }
  const K = p.K !== undefined ? p.K : kFromDensity(p.density as number, total);
  validateK(K, total, 'K');
  return (accs) => selectGlobalTopK(accs, K);
}

/** Validates the step's parameters and returns the selection to run. */
function plan(
  params: ReferenceStepInput['params'],
  gradients: readonly NamedGradient[],
  seed: number,
  step: number,
): Plan {
  let perTensor: readonly ReferenceMethodParams[];
  if (isParamList(params)) {
    if (params.length !== gradients.length) {
      throw new ConfigError(`${params.length} method parameter sets for ${gradients.length} tensors`);
    }
    perTensor = params;
  } else if (isJoint(params)) {
    return planJoint(params, gradients.map((g) => g.values.length));
  } else {
    perTensor = gradients.map(() => params);
  }
  const tensorPlans = gradients.map(({ name, values }, j) => {
    const p = perTensor[j];
    if (isJoint(p)) {
      throw new ConfigError('global-topk and hybrid select all tensors jointly: pass them alone, not in a list');
    }
    return planPerTensor(p, values.length, name, { seed, step, tensorId: fnv1a32(name) });
  });
  return (accs) => accs.map((acc, j) => tensorPlans[j](acc));
}

/** `acc = f32(g + r)` (or `g`), throwing {@link NonFiniteError} at the first non-finite element. */
function accumulate(name: string, g: Float32Array, r: Float32Array | undefined): Float32Array {
  const acc = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) {
    const a = r === undefined ? g[i] : Math.fround(g[i] + r[i]);
    if (!Number.isFinite(a)) {
      const detail = Number.isNaN(g[i])
        ? 'gradient contains NaN'
        : !Number.isFinite(g[i])
          ? 'gradient contains Infinity'
          : 'gradient + residual overflows float32';
      throw new NonFiniteError(name, i, detail);
    }
    acc[i] = a;
  }
  return acc;
}

/**
 * One reference step (docs/selection.md, "Error feedback (all methods)"):
 * 1. `acc[i] = f32(g[i] + r[i])` with the residual (zeros if missing), or `acc = g` without error
 *    feedback;
 * 2. any NaN/±Inf in `acc` throws {@link NonFiniteError} (first tensor in order, first index;
 *    detail "gradient contains NaN", "gradient contains Infinity", or "gradient + residual
 *    overflows float32");
 * 3. selection on `acc`: global-topk and hybrid jointly over all tensors, the others per tensor
 *    with RNG tensor id `fnv1a32(name)`;
 * 4. new residual `r[i] = f32(acc[i] - sent[i])` at kept positions, `acc[i]` elsewhere.
 *
 * All parameters, names and shapes are validated before anything is computed, so a ConfigError
 * or ShapeError takes precedence over a NonFiniteError.
 *
 * Pure: the inputs (including the residual map and its arrays) are never modified, so a throw
 * leaves the caller's state exactly as it was, and the returned residuals are all new arrays.
 *
 * @throws ConfigError for invalid parameters, duplicate names, or seed/step that are not u32.
 * @throws ShapeError if a residual's length differs from its gradient's.
 * @throws NonFiniteError if an accumulated value is NaN or ±Infinity.
 */
export function referenceStep(input: ReferenceStepInput): ReferenceStepResult {
  const { gradients, params, seed, step } = input;
  const errorFeedback = input.errorFeedback ?? true;
  const residuals = input.residuals ?? new Map<string, Float32Array>();
  validateU32(seed, 'seed');
  validateU32(step, 'step');

  const names = new Set<string>();
  for (const { name, values } of gradients) {
    if (typeof name !== 'string') throw new ConfigError(`tensor name must be a string, got ${String(name)}`);
    if (names.has(name)) throw new ConfigError(`duplicate tensor name '${name}'`);
    if (!(values instanceof Float32Array)) throw new ConfigError(`tensor '${name}': gradient must be a Float32Array`);
    names.add(name);
    const r = residuals.get(name);
    if (errorFeedback && r !== undefined && r.length !== values.length) {
      throw new ShapeError(`tensor '${name}': residual has length ${r.length}, gradient has ${values.length}`);
    }
  }
  const run = plan(params, gradients, seed, step);

  const accs = gradients.map(({ name, values }) =>
    accumulate(name, values, errorFeedback ? residuals.get(name) ?? new Float32Array(values.length) : undefined),
  );
  const selections = run(accs);

  const next = new Map<string, Float32Array>();
  if (!errorFeedback) return { selections, residuals: next };
  for (const [name, r] of residuals) if (!names.has(name)) next.set(name, Float32Array.from(r));
  gradients.forEach(({ name }, j) => {
    const acc = accs[j];
    const { indices, values } = selections[j];
    const r = Float32Array.from(acc);
    for (let t = 0; t < indices.length; t++) r[indices[t]] = Math.fround(acc[indices[t]] - values[t]);
    next.set(name, r);
  });
  return { selections, residuals: next };
}
