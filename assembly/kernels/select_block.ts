/**
 * Block sparsification with fused error feedback: the row-major [R, C] accumulated tensor
 * acc = s + r is cut into bh×bw blocks (edge blocks clipped), numbered row-major over the block
 * grid; every block gets a score (L1, squared L2 or max |acc|, in the order of util/unit_score.ts)
 * and the k blocks ranked first (larger score, then lower block number) are kept whole.
 * (Block-sparse gradients and weights: Gray, Radford and Kingma, "GPU Kernels for Block-Sparse
 * Weights", OpenAI 2017; Narang, Undersander and Diamos, "Block-Sparse Recurrent Neural Networks",
 * 2017.) Channel, head, row and column selection are the same kernel with other rectangles; see
 * selectRects. docs/selection.md, "Structured methods", is normative.
 */
import { ABS_MASK, NONFINITE_KEY, loadF32 } from '../util/key';
import { candReset, resultCount, resultReserve } from '../util/scratch';
import { SCORE_MAX, ceilDiv, scoreRects } from '../util/unit_score';
import { emitRects, selectUnits } from '../util/unit_select';
import { unitKeys, unitReserve } from '../util/unit_result';
import { accumulateCollect } from './accumulate';

/** Score code: rank units by caller-supplied importance (one f32 per unit) instead of acc. */
export const SCORE_IMPORTANCE: u32 = 3;

/** Return value for invalid parameters (shape, unit size, score code, k > units, bad importance). */
export const INVALID: i32 = -2;

/** Ordered key of a finite importance value: larger value, larger key; -0 and +0 equal. */
// @ts-ignore: decorator
@inline export function importanceKey(x: f32): u32 {
  const b = x == 0 ? <u32>0 : reinterpret<u32>(x);
  return b >>> 31 ? ~b : b | 0x80000000;
}

/**
 * Keeps the k units ranked first of a bh×bw grid over the [R, C] tensor at s (residual r, 0 for
 * none). score: SCORE_L1, SCORE_L2, SCORE_MAX, or SCORE_IMPORTANCE with `importance` pointing at
 * one finite f32 per unit. Writes acc over s, the kept elements to the result area (ascending
 * indices, acc values), the kept unit numbers to the unit list and, with r != 0, +0 at the kept
 * positions of s (the new residual). The units' score keys stay in the unit key scratch
 * (unitKeys; sg_unit_scores) until the next structured kernel. Returns the number of kept
 * elements, -1 when acc holds a NaN or ±Inf (sg_error_index), INVALID for bad parameters (nothing
 * is touched then).
 */
export function selectRects(
  s: usize, r: usize, R: u32, C: u32, bh: u32, bw: u32, score: u32, importance: usize, k: u32,
): i32 {
  unitReserve(0);
  resultReserve(0);
  if (R == 0 || C == 0 || bh == 0 || bw == 0 || <u64>R * <u64>C > <u64>0xffffffff) return INVALID;
  if (score > SCORE_IMPORTANCE || (score == SCORE_IMPORTANCE && importance == 0)) return INVALID;
  const U = ceilDiv(R, bh) * ceilDiv(C, bw);
  if (k > U) return INVALID;
  if (score == SCORE_IMPORTANCE) {
    for (let u: u32 = 0; u < U; u++) {
      if ((reinterpret<u32>(loadF32(importance, u)) & ABS_MASK) >= NONFINITE_KEY) return INVALID;
    }
  }
  const keys = unitKeys(U);
  if (score == SCORE_IMPORTANCE) {
    // No acc-based score: the plain fused error-feedback pass.
    candReset(0, 0);
    if (!accumulateCollect(s, r, R * C, 0xffffffff)) return -1;
    for (let u: u32 = 0; u < U; u++) store<u32>(keys + (<usize>u << 2), importanceKey(loadF32(importance, u)));
  } else if (!scoreRects(s, r, R, C, bh, bw, score, keys)) {
    return -1;
  }
  selectUnits(keys, U, k);
  emitRects(s, R, C, bh, bw, r != 0);
  return <i32>resultCount;
}

/** Blocks of bh×bw over [R, C], scored by SCORE_L1, SCORE_L2 or SCORE_MAX. */
export function selectBlock(s: usize, r: usize, R: u32, C: u32, bh: u32, bw: u32, score: u32, k: u32): i32 {
  if (score > SCORE_MAX) {
    unitReserve(0);
    resultReserve(0);
    return INVALID;
  }
  return selectRects(s, r, R, C, bh, bw, score, 0, k);
}
