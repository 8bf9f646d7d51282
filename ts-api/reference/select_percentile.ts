/**
 * Percentile-threshold selection: the threshold that keeps a fraction `q`, with all its ties.
 *
 * Normative source: docs/selection.md, "percentile". Magnitude-percentile thresholds for gradient
 * sparsification: Aji and Heafield, "Sparse Communication for Distributed Gradient Descent",
 * EMNLP 2017.
 */

import type { Selection } from '../types.ts';
import { kFromDensity } from './density.ts';
import { magnitudeKeys } from './key.ts';
import { kthLargestKey, selectionWhere } from './select_topk.ts';

/**
 * `percentile` (docs/selection.md, "percentile"): `k = kFromDensity(q, n)`; `T` is the `k`-th
 * largest magnitude key; keeps every `i` with `key(acc[i]) ≥ T` — all ties, so possibly more than
 * `k` elements. Keeps nothing when `k = 0` (only for `n = 0`). Sent values are `acc[i]`.
 *
 * @param acc the accumulated tensor, finite values.
 * @param q fraction to keep, in `(0, 1]`.
 * @throws ConfigError if `q` is outside `(0, 1]` or NaN.
 */
export function selectPercentile(acc: Float32Array, q: number): Selection {
  const k = kFromDensity(q, acc.length, 'q');
  if (k === 0) return selectionWhere(acc, () => false);
  const keys = magnitudeKeys(acc);
  const T = kthLargestKey(keys, k);
  return selectionWhere(acc, (i) => keys[i] >= T);
}
