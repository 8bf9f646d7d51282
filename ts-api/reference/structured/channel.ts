/**
 * Channel selection: output channel `c` of a conv weight `[out, in, kh, kw]` is the contiguous slice
 * of `inner = in·kh·kw` elements at `c·inner`; a `1 × inner` unit of `[out, inner]`.
 *
 * Normative source: docs/selection.md, "Structured methods". Wen et al., "Learning Structured
 * Sparsity in Deep Neural Networks", NeurIPS 2016.
 */

import { selectRectUnits } from './block.ts';
import { type ChannelSpec, type StructuredSelection, rectGrid, validateStructured } from './spec.ts';

/** Keeps the `k` channels of `acc` (finite) with the highest score (ties: lower channel). */
export function selectChannels(acc: Float32Array, spec: ChannelSpec, k: number): StructuredSelection {
  validateStructured(spec, acc.length, k);
  return selectRectUnits(acc, rectGrid(spec), spec.score, k);
}
