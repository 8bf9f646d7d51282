/**
 * Attention-head sparsification with fused error feedback over a projection [R, C] with H heads.
 * Layout 0 ('rows'): head h owns rows [h·R/H, (h+1)·R/H) (e.g. the q/k/v projection, [H·d, model]);
 * layout 1 ('cols'): head h owns columns [h·C/H, (h+1)·C/H) (e.g. the output projection,
 * [model, H·d]). The head count must divide that dimension. Heads are ranked by their score
 * (SCORE_L2: the squared gradient norm; SCORE_L1, SCORE_MAX also accepted) or by caller-supplied
 * importance (SCORE_IMPORTANCE: H finite f32 values, e.g. attention entropy; larger first), ties by
 * the lower head; the k first are kept whole. (Head importance: Michel, Levy and Neubig, "Are
 * Sixteen Heads Really Better than One?", NeurIPS 2019; Voita et al., "Analyzing Multi-Head
 * Self-Attention", ACL 2019.) docs/selection.md, "Structured methods", is normative.
 */
import { INVALID, selectRects } from './select_block';
import { resultReserve } from '../util/scratch';
import { unitReserve } from '../util/unit_result';

/** Head h owns a band of R/H rows. */
export const LAYOUT_ROWS: u32 = 0;
/** Head h owns a band of C/H columns. */
export const LAYOUT_COLS: u32 = 1;

/** Top-k heads; see selectRects for results and return values. */
export function selectHead(
  s: usize, r: usize, R: u32, C: u32, H: u32, layout: u32, score: u32, importance: usize, k: u32,
): i32 {
  if (H != 0 && layout == LAYOUT_ROWS && R % H == 0) return selectRects(s, r, R, C, R / H, C, score, importance, k);
  if (H != 0 && layout == LAYOUT_COLS && C % H == 0) return selectRects(s, r, R, C, R, C / H, score, importance, k);
  unitReserve(0);
  resultReserve(0);
  return INVALID;
}
