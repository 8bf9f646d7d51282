/**
 * Approximate top-k by a sampled threshold: estimate the top-k threshold from a strided sample,
 * accept it if it keeps about `k` elements, otherwise lower it or fall back to exact top-k.
 *
 * Normative source: docs/selection.md, "approx-topk". Lin, Han, Mao, Wang and Dally, "Deep Gradient
 * Compression: Reducing the Communication Bandwidth for Distributed Training", ICLR 2018.
 */

import { ConfigError } from '../errors.ts';
import type { Selection } from '../types.ts';
import { validateK } from './density.ts';
import { magnitudeKeys } from './key.ts';
import { rankOrder, selectTopK, selectionWhere } from './select_topk.ts';

/** Options of {@link selectApproxTopK}; every field has the spec's default. */
export interface ApproxTopkOptions {
  /** Fraction of elements sampled, in `(0, 1]` (default 0.01). */
  readonly sampleFraction?: number;
  /** Accepted relative deviation of the kept count from `k`, finite and `≥ 0` (default 0.1). */
  readonly tolerance?: number;
  /** Number of threshold attempts before exact top-k, an integer `≥ 0` (default 3). */
  readonly maxIterations?: number;
}

/** The defaults of {@link ApproxTopkOptions} (docs/selection.md, "approx-topk"). */
export const APPROX_TOPK_DEFAULTS: Readonly<Required<ApproxTopkOptions>> = Object.freeze({
  sampleFraction: 0.01,
  tolerance: 0.1,
  maxIterations: 3,
});

/**
 * Fills in defaults and validates {@link ApproxTopkOptions}.
 *
 * @throws ConfigError if `sampleFraction` is outside `(0, 1]`, `tolerance` is not finite and
 *   `≥ 0`, or `maxIterations` is not a non-negative integer.
 */
export function resolveApproxTopkOptions(options: ApproxTopkOptions = {}): Required<ApproxTopkOptions> {
  const o = { ...APPROX_TOPK_DEFAULTS, ...stripUndefined(options) };
  if (typeof o.sampleFraction !== 'number' || !(o.sampleFraction > 0 && o.sampleFraction <= 1)) {
    throw new ConfigError(`sampleFraction must be in (0, 1], got ${String(o.sampleFraction)}`);
  }
  if (typeof o.tolerance !== 'number' || !Number.isFinite(o.tolerance) || !(o.tolerance >= 0)) {
    throw new ConfigError(`tolerance must be a finite number >= 0, got ${String(o.tolerance)}`);
  }
  if (!Number.isInteger(o.maxIterations) || o.maxIterations < 0) {
    throw new ConfigError(`maxIterations must be an integer >= 0, got ${String(o.maxIterations)}`);
  }
  return o;
}

function stripUndefined(options: ApproxTopkOptions): ApproxTopkOptions {
  const out: { -readonly [K in keyof ApproxTopkOptions]: ApproxTopkOptions[K] } = {};
  if (options.sampleFraction !== undefined) out.sampleFraction = options.sampleFraction;
  if (options.tolerance !== undefined) out.tolerance = options.tolerance;
  if (options.maxIterations !== undefined) out.maxIterations = options.maxIterations;
  return out;
}

/**
 * `approx-topk` (docs/selection.md, "approx-topk"). With `n = acc.length`:
 * ```
 * s = max(1, min(n, round(n · sampleFraction))); stride = floor(n / s)
 * sample = key(acc[j · stride]) for j = 0 … s-1
 * q = clamp(round(k · s / n), 1, s); T = the q-th largest sample key
 * for iter in 0 … maxIterations-1:
 *   c = #{i : key(acc[i]) ≥ T}
 *   if k(1 - tolerance) ≤ c ≤ k(1 + tolerance): keep every i with key(acc[i]) ≥ T; done
 *   if c > k(1 + tolerance): exact top-k; done
 *   q = min(s, 2q); T = the q-th largest sample key
 * exact top-k
 * ```
 * `k = 0` keeps nothing and `k = n` keeps everything, before any sampling. `round` is `Math.round`
 * of the f64 expression, `k · s / n` is evaluated left to right in f64. Sent values are `acc[i]`.
 *
 * @param acc the accumulated tensor, finite values.
 * @param k target number of kept elements, an integer in `[0, acc.length]`.
 * @param options sampling options (defaults 0.01, 0.1, 3).
 * @throws ConfigError if `k` or an option is invalid.
 */
export function selectApproxTopK(acc: Float32Array, k: number, options?: ApproxTopkOptions): Selection {
  const { sampleFraction, tolerance, maxIterations } = resolveApproxTopkOptions(options);
  const n = acc.length;
  validateK(k, n);
  if (k === 0) return selectionWhere(acc, () => false);
  if (k === n) return selectionWhere(acc, () => true);

  const keys = magnitudeKeys(acc);
  const s = Math.max(1, Math.min(n, Math.round(n * sampleFraction)));
  const stride = Math.floor(n / s);
  const sample: number[] = [];
  for (let j = 0; j < s; j++) sample.push(keys[j * stride]);
  const sortedSample = rankOrder(sample).map((j) => sample[j]); // descending keys
  let q = Math.min(s, Math.max(1, Math.round((k * s) / n)));
  let T = sortedSample[q - 1];

  for (let iter = 0; iter < maxIterations; iter++) {
    let c = 0;
    for (let i = 0; i < n; i++) if (keys[i] >= T) c++;
    if (k * (1 - tolerance) <= c && c <= k * (1 + tolerance)) {
      const t = T;
      return selectionWhere(acc, (i) => keys[i] >= t);
    }
    if (c > k * (1 + tolerance)) return selectTopK(acc, k);
    q = Math.min(s, q * 2);
    T = sortedSample[q - 1];
  }
  return selectTopK(acc, k);
}
