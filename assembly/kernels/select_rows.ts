/**
 * Row or column sparsification with fused error feedback over a row-major [R, C] matrix: axis 0
 * keeps the k rows (1×C units), axis 1 the k columns (R×1 units) ranked first by score (L1,
 * squared L2 or max |acc|; larger first, then lower row/column number). Rows score in lane order
 * (column x in lane x mod 4); a column has only lane 0, a sequential f32 sum from top to bottom.
 * (Row/column-structured sparsity: Wen et al., "Learning Structured Sparsity in Deep Neural
 * Networks", NeurIPS 2016; Vogels et al., "PowerSGD", NeurIPS 2019, for low-rank alternatives.)
 * docs/selection.md, "Structured methods", is normative.
 */
import { INVALID, selectBlock } from './select_block';
import { resultReserve } from '../util/scratch';
import { unitReserve } from '../util/unit_result';

/** Units are rows. */
export const AXIS_ROWS: u32 = 0;
/** Units are columns. */
export const AXIS_COLS: u32 = 1;

/** Top-k rows (axis 0) or columns (axis 1) of [R, C]; see selectRects for results and return values. */
export function selectRows(s: usize, r: usize, R: u32, C: u32, axis: u32, score: u32, k: u32): i32 {
  if (axis == AXIS_ROWS) return selectBlock(s, r, R, C, 1, C, score, k);
  if (axis == AXIS_COLS) return selectBlock(s, r, R, C, R, 1, score, k);
  unitReserve(0);
  resultReserve(0);
  return INVALID;
}
