/**
 * The one documented reduction order (docs/selection.md, "Reductions"): blocks of 65536 elements;
 * inside a block four f32 lane accumulators take element i in lane i mod 4, in index order; a block
 * sums to (l0 + l1) + (l2 + l3); block sums add up in block order. The SIMD and scalar builds, the
 * TypeScript reference and the GPU path all follow it, so sums agree to the bit.
 */
import { ABS_MASK, loadF32 } from './key';

/** Block length of the documented reduction. */
export const SUM_BLOCK: u32 = 65536;

/** Terms of the blocked sum: |x|, |x| with c·|x| >= 1 counted as +0, or x² (rounded to f32). */
const TERM_ABS: i32 = 0;
const TERM_ABS_UNSATURATED: i32 = 1;
const TERM_SQUARE: i32 = 2;

/** The documented blocked lane sum of one kind of term (see the module comment). */
function blockedSum(s: usize, n: u32, term: i32, c: f32): f32 {
  let total: f32 = 0;
  for (let b: u32 = 0; b < n; b += SUM_BLOCK) {
    const end = min<u32>(n, b + SUM_BLOCK);
    let l0: f32 = 0, l1: f32 = 0, l2: f32 = 0, l3: f32 = 0;
    let i = b;
    if (ASC_FEATURE_SIMD) {
      let acc = f32x4.splat(0);
      const cv = f32x4.splat(c);
      const one = f32x4.splat(1);
      const mask = i32x4.splat(ABS_MASK);
      for (; i + 4 <= end; i += 4) {
        let v = v128.load(s + (<usize>i << 2));
        if (term == TERM_SQUARE) {
          v = f32x4.mul(v, v);
        } else {
          v = v128.and(v, mask);
          if (term == TERM_ABS_UNSATURATED) v = v128.and(v, f32x4.lt(f32x4.mul(cv, v), one));
        }
        acc = f32x4.add(acc, v);
      }
      l0 = f32x4.extract_lane(acc, 0);
      l1 = f32x4.extract_lane(acc, 1);
      l2 = f32x4.extract_lane(acc, 2);
      l3 = f32x4.extract_lane(acc, 3);
    }
    for (; i < end; i++) {
      const x = loadF32(s, i);
      let v: f32;
      if (term == TERM_SQUARE) {
        v = x * x;
      } else {
        v = abs<f32>(x);
        if (term == TERM_ABS_UNSATURATED && c * v >= 1) v = 0;
      }
      const lane = i & 3;
      if (lane == 0) l0 += v;
      else if (lane == 1) l1 += v;
      else if (lane == 2) l2 += v;
      else l3 += v;
    }
    total += (l0 + l1) + (l2 + l3);
  }
  return total;
}

/**
 * Sum of |s[i]| over i in [0, n); with `filtered`, elements with c·|s[i]| >= 1 count as +0
 * (the unsaturated part used by probabilistic sampling).
 */
export function blockedSumAbs(s: usize, n: u32, c: f32, filtered: bool): f32 {
  return blockedSum(s, n, filtered ? TERM_ABS_UNSATURATED : TERM_ABS, c);
}

/** Sum of s[i]² in the documented order (products rounded to f32, then the blocked lane sum). */
export function blockedSumSquares(s: usize, n: u32): f32 {
  return blockedSum(s, n, TERM_SQUARE, 0);
}

/** Number of i with c·|s[i]| >= 1 (f32 product). */
export function countSaturated(s: usize, n: u32, c: f32): u32 {
  let m: u32 = 0;
  for (let i: u32 = 0; i < n; i++) if (c * abs<f32>(loadF32(s, i)) >= 1) m++;
  return m;
}

