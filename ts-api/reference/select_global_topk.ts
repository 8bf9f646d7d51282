/**
 * Global top-k: one budget `K` over all tensors of a step, ranked together.
 *
 * Normative source: docs/selection.md, "global-topk". Global top-k across layers: Shi et al.,
 * "A Distributed Synchronous SGD Algorithm with Global Top-k Sparsification for Low Bandwidth
 * Networks", ICDCS 2019.
 */

import type { Selection } from '../types.ts';
import { validateK } from './density.ts';
import { magnitudeKeys } from './key.ts';
import { firstKByRank, selectionFromIndices } from './select_topk.ts';

/** Total length of several tensors. */
export function totalLength(accs: readonly Float32Array[]): number {
  let total = 0;
  for (const a of accs) total += a.length;
  return total;
}

/**
 * The magnitude keys of several tensors concatenated in the order given, so that ranking the
 * concatenation by the tie rule breaks ties by tensor position, then index.
 */
export function concatenatedKeys(accs: readonly Float32Array[]): Uint32Array {
  const keys = new Uint32Array(totalLength(accs));
  let offset = 0;
  for (const a of accs) {
    keys.set(magnitudeKeys(a), offset);
    offset += a.length;
  }
  return keys;
}

/**
 * Splits ascending positions in the concatenation of `accs` into one {@link Selection} per tensor
 * (sent values `acc[i]`).
 */
export function splitSelection(accs: readonly Float32Array[], positions: readonly number[]): Selection[] {
  const out: Selection[] = [];
  let offset = 0;
  for (const a of accs) {
    const own = positions.filter((p) => p >= offset && p < offset + a.length).map((p) => p - offset);
    out.push(selectionFromIndices(a, own));
    offset += a.length;
  }
  return out;
}

/**
 * `global-topk` (docs/selection.md, "global-topk"): ranks all elements of all tensors together (as
 * if concatenated in the order given; ties by tensor position, then index) and keeps the first `K`.
 * Returns one {@link Selection} per tensor, in input order, with sent values `acc[i]`.
 *
 * @param accs the accumulated tensors of one step, finite values.
 * @param K total number of kept elements, an integer in `[0, Σ n_j]`.
 * @throws ConfigError if `K` is out of range.
 */
export function selectGlobalTopK(accs: readonly Float32Array[], K: number): Selection[] {
  validateK(K, totalLength(accs), 'K');
  return splitSelection(accs, firstKByRank(concatenatedKeys(accs), K));
}
