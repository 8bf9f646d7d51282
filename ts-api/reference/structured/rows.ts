/**
 * Row and column selection of a `[rows, cols]` matrix: rows are `1 × cols` units, columns
 * `rows × 1` units (a column's score is a sequential f32 sum from top to bottom).
 *
 * Normative source: docs/selection.md, "Structured methods". Wen et al., "Learning Structured
 * Sparsity in Deep Neural Networks", NeurIPS 2016.
 */

import { selectRectUnits } from './block.ts';
import { type RowsSpec, type StructuredSelection, rectGrid, validateStructured } from './spec.ts';

/** Keeps the `k` rows or columns of `acc` (finite) with the highest score (ties: lower number). */
export function selectRowsOrColumns(acc: Float32Array, spec: RowsSpec, k: number): StructuredSelection {
  validateStructured(spec, acc.length, k);
  return selectRectUnits(acc, rectGrid(spec), spec.score, k);
}
