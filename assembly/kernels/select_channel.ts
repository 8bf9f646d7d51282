/**
 * Channel sparsification with fused error feedback: output channel c of a conv weight
 * [out, in, kh, kw] is the contiguous slice of inner = in·kh·kw elements starting at c·inner; the k
 * channels ranked first by score (L1, squared L2 or max |acc|; larger first, then lower channel)
 * are kept whole. It is the rectangle kernel with 1×inner units over [out, inner], so the score
 * order is util/unit_score.ts's: element j of the channel goes to lane j mod 4.
 * (Channel-level gradient sparsity: Wen et al., "Learning Structured Sparsity in Deep Neural
 * Networks", NeurIPS 2016; He, Zhang and Sun, "Channel Pruning for Accelerating Very Deep Neural
 * Networks", ICCV 2017.) docs/selection.md, "Structured methods", is normative.
 */
import { selectBlock } from './select_block';

/** Top-k output channels of [out, inner]; see selectRects for results and return values. */
export function selectChannel(s: usize, r: usize, out: u32, inner: u32, score: u32, k: u32): i32 {
  return selectBlock(s, r, out, inner, 1, inner, score, k);
}
