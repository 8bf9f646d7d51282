/**
 * Uniform random-k selection, optionally rescaled to be unbiased.
 *
 * Normative source: docs/selection.md, "randomk". Stich, Cordonnier and Jaggi, "Sparsified SGD with
 * Memory", NeurIPS 2018; Wangni, Wang, Liu and Zhang, "Gradient Sparsification for
 * Communication-Efficient Distributed Optimization", NeurIPS 2018.
 */

import type { Selection } from '../types.ts';
import { validateK } from './density.ts';
import { type RngContext, randomWord, streamKeysOf } from './rng.ts';
import { firstKByRank } from './select_topk.ts';

/**
 * The rescale factor of random-k: `s = f32(n) / f32(k)` (one f32 division; docs/selection.md,
 * "randomk"). Only meaningful for `k ≥ 1`.
 */
export function randomKScale(n: number, k: number): number {
  return Math.fround(Math.fround(n) / Math.fround(k));
}

/**
 * `randomk` (docs/selection.md, "randomk"): ranks the elements by their random word
 * `randomWord(streamKeys(seed, step, tensorId), i)` (larger first, ties by lower index) and keeps
 * the first `k`. Sent values are `acc[i]`, or with `rescale` `f32(acc[i] · s)` where
 * `s = f32(f32(n) / f32(k))`.
 *
 * @param acc the accumulated tensor, finite values.
 * @param k number of elements to keep, an integer in `[0, acc.length]`.
 * @param rng seed, step and tensor id (u32 each) of the random stream.
 * @param rescale multiply the sent values by `n / k` (unbiased estimate).
 * @throws ConfigError if `k` is out of range or the RNG inputs are not u32.
 */
export function selectRandomK(
  acc: Float32Array,
  k: number,
  rng: RngContext,
  rescale = false,
): Selection {
  const n = acc.length;
  validateK(k, n);
  const keys = streamKeysOf(rng);
  const words: number[] = [];
  for (let i = 0; i < n; i++) words.push(randomWord(keys, i));
  const kept = firstKByRank(words, k);
  const values = new Float32Array(kept.length);
  const s = k > 0 ? randomKScale(n, k) : 1;
  for (let j = 0; j < kept.length; j++) {
    const v = acc[kept[j]];
    values[j] = rescale ? Math.fround(v * s) : v;
  }
  return { indices: Uint32Array.from(kept), values };
}
