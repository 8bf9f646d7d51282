/**
 * Hybrid selection: each tensor keeps its own top-`k_j`, plus every element at or above one global
 * threshold, the `K`-th largest magnitude across all tensors.
 *
 * Normative source: docs/selection.md, "hybrid". Layer-wise top-k: Aji and Heafield, "Sparse
 * Communication for Distributed Gradient Descent", EMNLP 2017; global threshold across layers:
 * Shi et al., "A Distributed Synchronous SGD Algorithm with Global Top-k Sparsification for Low
 * Bandwidth Networks", ICDCS 2019.
 */

import { ConfigError } from '../errors.ts';
import type { Selection } from '../types.ts';
import { validateK } from './density.ts';
import { magnitudeKeys } from './key.ts';
import { concatenatedKeys, totalLength } from './select_global_topk.ts';
import { firstKByRank, kthLargestKey, selectionWhere } from './select_topk.ts';

/**
 * `hybrid` (docs/selection.md, "hybrid"): tensor `j` keeps the union of its own top-`ks[j]` (tie
 * rule) and every element with `key ≥ T_g`, where `T_g` is the key of the element ranked `K`-th
 * across all tensors (`K = 0`: no global part). Returns one {@link Selection} per tensor, in input
 * order, with sent values `acc[i]`.
 *
 * @param accs the accumulated tensors of one step, finite values.
 * @param ks per-tensor budgets, `ks.length === accs.length`, each an integer in `[0, n_j]`.
 * @param K global budget, an integer in `[0, Σ n_j]`.
 * @throws ConfigError if `ks` has the wrong length or any budget is out of range.
 */
export function selectHybrid(accs: readonly Float32Array[], ks: readonly number[], K: number): Selection[] {
  if (ks.length !== accs.length) {
    throw new ConfigError(`hybrid: ks has ${ks.length} entries for ${accs.length} tensors`);
  }
  accs.forEach((a, j) => validateK(ks[j], a.length, `ks[${j}]`));
  validateK(K, totalLength(accs), 'K');
  const globalKey = K === 0 ? undefined : kthLargestKey(concatenatedKeys(accs), K);
  return accs.map((a, j) => {
    const keys = magnitudeKeys(a);
    const own = new Set(firstKByRank(keys, ks[j]));
    return selectionWhere(a, (i) => own.has(i) || (globalKey !== undefined && keys[i] >= globalKey));
  });
}
