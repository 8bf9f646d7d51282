/**
 * Exact top-k by magnitude, and the ranking helpers shared by the other reference selections.
 *
 * Normative source: docs/selection.md, "Notation" (tie rule) and "topk". Top-k sparsification with
 * error feedback: Stich, Cordonnier and Jaggi, "Sparsified SGD with Memory", NeurIPS 2018;
 * Aji and Heafield, "Sparse Communication for Distributed Gradient Descent", EMNLP 2017.
 *
 * This is the oracle: it sorts everything, which is slow but obviously correct.
 */

import type { Selection } from '../types.ts';
import { validateK } from './density.ts';
import { magnitudeKeys } from './key.ts';

/**
 * All positions `0 … keys.length-1` in rank order by the tie rule (docs/selection.md, "Notation"):
 * larger key first, equal keys by lower position first.
 *
 * @param keys u32 ranking keys (magnitude keys, random words, or concatenated keys of several
 *   tensors, in which case "lower position" means earlier tensor, then lower index).
 */
export function rankOrder(keys: ArrayLike<number>): number[] {
  const order: number[] = [];
  for (let i = 0; i < keys.length; i++) order.push(i);
  order.sort((a, b) => keys[b] - keys[a] || a - b);
  return order;
}

/**
 * The positions of the first `k` elements by the tie rule (see {@link rankOrder}), in ascending
 * order. `k` must already be valid (`0 ≤ k ≤ keys.length`).
 */
export function firstKByRank(keys: ArrayLike<number>, k: number): number[] {
  return rankOrder(keys).slice(0, k).sort((a, b) => a - b);
}

/**
 * The key of the element ranked `k`-th (1-based) by the tie rule, i.e. the `k`-th largest key,
 * counting duplicates (docs/selection.md, "percentile" and "hybrid"). Requires
 * `1 ≤ k ≤ keys.length`.
 */
export function kthLargestKey(keys: ArrayLike<number>, k: number): number {
  if (!(k >= 1 && k <= keys.length)) throw new RangeError(`kthLargestKey: k = ${k} out of range`);
  return keys[rankOrder(keys)[k - 1]];
}

/**
 * Builds a {@link Selection} whose sent values are `acc[i]` (no rescale) from kept positions.
 * `indices` must be ascending and distinct.
 */
export function selectionFromIndices(acc: Float32Array, indices: readonly number[]): Selection {
  const values = new Float32Array(indices.length);
  for (let j = 0; j < indices.length; j++) values[j] = acc[indices[j]];
  return { indices: Uint32Array.from(indices), values };
}

/**
 * Builds a {@link Selection} of every `i` (ascending) for which `keep(i)` holds; sent values are
 * `acc[i]`.
 */
export function selectionWhere(acc: Float32Array, keep: (i: number) => boolean): Selection {
  const indices: number[] = [];
  for (let i = 0; i < acc.length; i++) if (keep(i)) indices.push(i);
  return selectionFromIndices(acc, indices);
}

/**
 * `topk` (docs/selection.md, "topk"): keeps the `k` elements of `acc` ranked first by magnitude
 * key (larger first, ties by lower index). Sent values are `acc[i]`.
 *
 * @param acc the accumulated tensor (gradient + residual), finite values.
 * @param k number of elements to keep, an integer in `[0, acc.length]`.
 * @throws ConfigError if `k` is not an integer in `[0, acc.length]`.
 */
export function selectTopK(acc: Float32Array, k: number): Selection {
  validateK(k, acc.length);
  return selectionFromIndices(acc, firstKByRank(magnitudeKeys(acc), k));
}
