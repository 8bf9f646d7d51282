/**
 * Attention-head selection over a `[rows, cols]` projection: with layout 'rows' head `h` owns rows
 * `[h·rows/H, (h+1)·rows/H)`, with 'cols' columns `[h·cols/H, (h+1)·cols/H)`; ranked by a score of
 * `acc` (usually 'l2', the squared gradient norm) or by caller-supplied importance.
 *
 * Normative source: docs/selection.md, "Structured methods". Michel, Levy and Neubig, "Are Sixteen
 * Heads Really Better than One?", NeurIPS 2019; Voita et al., "Analyzing Multi-Head
 * Self-Attention", ACL 2019.
 */

import { selectRectUnits } from './block.ts';
import { type HeadSpec, type StructuredSelection, rectGrid, validateStructured } from './spec.ts';

/** Keeps the `k` heads of `acc` (finite) ranked first (ties: lower head). */
export function selectHeads(acc: Float32Array, spec: HeadSpec, k: number): StructuredSelection {
  validateStructured(spec, acc.length, k);
  return selectRectUnits(acc, rectGrid(spec), spec.score, k, spec.importance);
}
