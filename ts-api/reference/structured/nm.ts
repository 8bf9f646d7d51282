/**
 * N:M fine-grained structured sparsity: every group of `M` consecutive elements along the last
 * dimension keeps its `N` elements of largest magnitude (ties: lower index).
 *
 * Normative source: docs/selection.md, "Structured methods". Mishra et al., "Accelerating Sparse
 * Deep Neural Networks", 2021; Zhou et al., "Learning N:M Fine-grained Structured Sparse Neural
 * Networks From Scratch", ICLR 2021.
 */

import { magnitudeKey } from '../key.ts';
import { rankOrder } from '../select_topk.ts';
import { type NmSpec, type StructuredSelection, validateStructured } from './spec.ts';

/**
 * `acc` (finite) as `[n / cols, cols]`; each row in groups of `M` (the last group of a row clipped
 * to `cols mod M` elements, keeping `min(N, its size)`); keeps the `N` first of each group by
 * magnitude key, equal keys by the lower index. No unit list.
 */
export function selectNm(acc: Float32Array, spec: NmSpec): StructuredSelection {
  validateStructured(spec, acc.length);
  const { cols, N, M } = spec;
  const indices: number[] = [];
  for (let row = 0; row < acc.length; row += cols) {
    for (let g = 0; g < cols; g += M) {
      const size = Math.min(M, cols - g);
      const keys = Array.from({ length: size }, (_, j) => magnitudeKey(acc[row + g + j]));
      const kept = rankOrder(keys).slice(0, Math.min(N, size)).sort((a, b) => a - b);
      for (const j of kept) indices.push(row + g + j);
    }
  }
  const values = new Float32Array(indices.length);
  indices.forEach((i, j) => (values[j] = acc[i]));
  return { indices: Uint32Array.from(indices), values, units: new Uint32Array(0) };
}
