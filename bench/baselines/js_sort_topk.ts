/**
 * Baseline: exact top-k by full sort, in plain JavaScript. Indices are sorted by |x| descending
 * with the lower index first on ties (the project's tie rule, docs/selection.md), the first k are
 * taken and returned in ascending index order. O(n log n); the reference the other baselines are
 * checked against.
 */
import type { TopkSelection } from './types.ts';

/** Exact top-k of `x` by magnitude (ties: lower index first) by sorting all indices. */
export function jsSortTopk(x: Float32Array, k: number): TopkSelection {
  const n = x.length;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`k=${k} out of range for n=${n}`);
  const mag = new Float32Array(n);
  for (let i = 0; i < n; i++) mag[i] = Math.abs(x[i]!);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => mag[b]! - mag[a]! || a - b);
  const indices = order.slice(0, k).sort();
  const values = new Float32Array(k);
  for (let j = 0; j < k; j++) values[j] = x[indices[j]!]!;
  return { indices, values };
}
