/**
 * Probabilistic selection: element `i` is kept with probability `p[i] = min(1, c·|acc[i]|)` and sent
 * as `acc[i] / p[i]`, which is unbiased; `c` is chosen so that about `k` elements are kept.
 *
 * Normative source: docs/selection.md, "probabilistic". Wangni, Wang, Liu and Zhang, "Gradient
 * Sparsification for Communication-Efficient Distributed Optimization", NeurIPS 2018 (their
 * iterative computation of the probabilities, with the f32 rules of the spec).
 */

import type { Selection } from '../types.ts';
import { validateK } from './density.ts';
import { blockedSum } from './reduce.ts';
import { type RngContext, streamKeysOf, uniform } from './rng.ts';

/** The iteration limit of the search for `c` (docs/selection.md, "probabilistic"). */
export const PROBABILISTIC_MAX_ITERATIONS = 32;

/** `a[i] = |acc[i]|` as f32 (exact). */
function magnitudes(acc: Float32Array): Float32Array {
  const a = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) a[i] = Math.abs(acc[i]);
  return a;
}

/**
 * The scale `c` of probabilistic selection (docs/selection.md, "probabilistic"), all in f32:
 * ```
 * S = blockedSum(a); if S == 0 or k == 0: keep nothing (returns 0)
 * c = f32(k) / S; mPrev = -1
 * repeat at most 32 times:
 *   m = #{i : c·a[i] ≥ 1}; if m == mPrev or m ≥ k: stop
 *   R = blockedSum(a[i] where c·a[i] < 1, others +0); if R == 0: stop
 *   c = f32(k - m) / R; mPrev = m
 * ```
 * A returned 0 keeps nothing (every `p[i]` is 0). Edge: if `R` is tiny, `c` may round to
 * +Infinity; then `c·0` is NaN, which is neither `≥ 1` nor `< 1`, so such an element is neither
 * counted in `m` nor summed in `R`, and its `p` is NaN (never kept).
 *
 * @param acc the accumulated tensor, finite values.
 * @param k target number of kept elements, an integer in `[0, acc.length]`.
 * @throws ConfigError if `k` is out of range.
 */
export function probabilisticScale(acc: Float32Array, k: number): number {
  validateK(k, acc.length);
  const a = magnitudes(acc);
  const S = blockedSum(a);
  if (S === 0 || k === 0) return 0;
  let c = Math.fround(Math.fround(k) / S);
  let mPrev = -1;
  for (let iter = 0; iter < PROBABILISTIC_MAX_ITERATIONS; iter++) {
    const cNow = c;
    // Both comparisons are written as in the spec: if c overflowed to +Infinity, c·0 is NaN and
    // such an element is neither counted in m nor summed in R.
    let m = 0;
    for (let i = 0; i < a.length; i++) if (Math.fround(cNow * a[i]) >= 1) m++;
    if (m === mPrev || m >= k) break;
    const R = blockedSum(a, (i) => Math.fround(cNow * a[i]) < 1);
    if (R === 0) break;
    c = Math.fround(Math.fround(k - m) / R);
    mPrev = m;
  }
  return c;
}

/**
 * The keep probabilities `p[i] = min(1, f32(c · |acc[i]|))` (docs/selection.md, "probabilistic").
 */
export function probabilisticProbabilities(acc: Float32Array, c: number): Float32Array {
  const p = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) p[i] = Math.min(1, Math.fround(c * Math.abs(acc[i])));
  return p;
}

/**
 * `probabilistic` (docs/selection.md, "probabilistic"): with `c = probabilisticScale(acc, k)` and
 * `p` as in {@link probabilisticProbabilities}, keeps `i` iff `uniform(keys, i) < p[i]`, where
 * `keys = streamKeys(seed, step, tensorId)`; the sent value is `f32(acc[i] / p[i])`.
 *
 * @param acc the accumulated tensor, finite values.
 * @param k target (expected) number of kept elements, an integer in `[0, acc.length]`.
 * @param rng seed, step and tensor id (u32 each) of the random stream.
 * @throws ConfigError if `k` is out of range or the RNG inputs are not u32.
 */
export function selectProbabilistic(acc: Float32Array, k: number, rng: RngContext): Selection {
  const keys = streamKeysOf(rng);
  const c = probabilisticScale(acc, k);
  const p = probabilisticProbabilities(acc, c);
  const indices: number[] = [];
  const sent: number[] = [];
  for (let i = 0; i < acc.length; i++) {
    if (uniform(keys, i) < p[i]) {
      indices.push(i);
      sent.push(Math.fround(acc[i] / p[i]));
    }
  }
  return { indices: Uint32Array.from(indices), values: Float32Array.from(sent) };
}
