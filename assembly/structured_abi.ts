/**
 * Structured-selection kernels' ABI, re-exported by index.ts (docs/selection.md, "Structured
 * methods", is normative). Conventions of every sg_<unit> kernel, as for the element-wise ones:
 * - s: the input tensor (row-major f32); r: its residual, or 0 for error feedback off.
 *   acc = s + r (one f32 add) is written over s; r is only read.
 * - On success the kept elements are in the result area (sg_result_indices / sg_result_values /
 *   sg_result_count: ascending element indices, sent values = acc), the kept unit numbers in the
 *   unit list (sg_unit_indices / sg_unit_count: ascending; empty for N:M), and with r != 0 the new
 *   residual is in s: +0 at the kept positions, acc elsewhere. The caller then swaps s and r.
 * - Returns the number of kept elements; -1 when acc holds a NaN or ±Inf (first index:
 *   sg_error_index; the caller must not adopt s); -2 for invalid parameters (zero or
 *   inconsistent dimensions, an unknown score/axis/layout code, k > number of units, a non-finite
 *   importance, N > M, M > 32), in which case s, r and the result area hold nothing of interest
 *   and s is untouched.
 * Score codes: 0 = L1 (sum |acc|), 1 = L2 (sum acc², no square root), 2 = max |acc|,
 * 3 = importance (sg_head only: one finite f32 per head at importancePtr, larger kept first).
 * Ties between equal scores: the lower unit number first. Units are numbered row-major over the
 * unit grid: block by·ceil(cols/bw) + bx, channel c, head h, row y, column x.
 */
import { selectBlock } from './kernels/select_block';
import { selectChannel } from './kernels/select_channel';
import { selectHead } from './kernels/select_head';
import { selectRows } from './kernels/select_rows';
import { selectNm } from './kernels/select_nm';
import { keyPtr, unitCount, unitPtr } from './util/unit_result';

/** Number of structured kernels in this build: block, channel, head, rows/columns, N:M. */
export function sg_structured_count(): u32 {
  return 5;
}

/**
 * Top-k blocks: the [rows, cols] tensor in bh×bw blocks (edge blocks clipped), scored by
 * `score` (0 L1, 1 L2, 2 max). k ≤ ceil(rows/bh)·ceil(cols/bw). Returns the element count, -1, -2.
 */
export function sg_block(s: usize, r: usize, rows: u32, cols: u32, bh: u32, bw: u32, score: u32, k: u32): i32 {
  return selectBlock(s, r, rows, cols, bh, bw, score, k);
}

/**
 * Top-k output channels of a conv weight [out, in, kh, kw] seen as [out, inner] (inner = in·kh·kw,
 * channel c = elements [c·inner, (c+1)·inner)), scored by `score` (0 L1, 1 L2, 2 max). k ≤ out.
 */
export function sg_channel(s: usize, r: usize, out: u32, inner: u32, score: u32, k: u32): i32 {
  return selectChannel(s, r, out, inner, score, k);
}

/**
 * Top-k attention heads of a [rows, cols] projection with `heads` heads; layout 0: head h owns
 * rows [h·rows/heads, (h+1)·rows/heads) (heads must divide rows), layout 1: columns likewise.
 * score 0/1/2 as above (1, the squared gradient norm, is the usual one) or 3: rank by the f32
 * importance at importancePtr (heads values, finite; ignored for other scores). k ≤ heads.
 */
export function sg_head(
  s: usize, r: usize, rows: u32, cols: u32, heads: u32, layout: u32, score: u32, importancePtr: usize, k: u32,
): i32 {
  return selectHead(s, r, rows, cols, heads, layout, score, importancePtr, k);
}

/**
 * Top-k rows (axis 0; k ≤ rows) or columns (axis 1; k ≤ cols) of a [rows, cols] matrix,
 * scored by `score` (0 L1, 1 L2, 2 max).
 */
export function sg_rows(s: usize, r: usize, rows: u32, cols: u32, axis: u32, score: u32, k: u32): i32 {
  return selectRows(s, r, rows, cols, axis, score, k);
}

/**
 * N:M: in every group of M consecutive elements along the last dimension (cols; n = rows·cols;
 * a row's last group is clipped to cols mod M and keeps min(N, its size)) keep the N of largest
 * magnitude (ties: lower index). 0 ≤ N ≤ M ≤ 32. No k; the unit list is empty.
 */
export function sg_nm(s: usize, r: usize, n: u32, cols: u32, N: u32, M: u32): i32 {
  return selectNm(s, r, n, cols, N, M);
}

/** Number of kept units of the last structured kernel (0 for N:M and after -1/-2). */
export function sg_unit_count(): u32 {
  return unitCount;
}

/** The kept unit numbers (u32, ascending) of the last structured kernel; valid until the next call. */
export function sg_unit_indices(): usize {
  return unitPtr;
}

/**
 * The unit scores of the last successful sg_block / sg_channel / sg_head / sg_rows call: one f32 per
 * unit, by unit number (the score whose bits rank the units: sum |acc|, sum acc², or max |acc|;
 * +Inf after overflow). With score 3 (importance) it holds the importance ranking keys (u32)
 * instead. Valid until the next structured kernel; not written by sg_nm.
 */
export function sg_unit_scores(): usize {
  return keyPtr;
}
