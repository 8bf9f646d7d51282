/**
 * The fused error-feedback and scoring pass of the rectangle-unit kernels (block, channel, head,
 * row, column; docs/selection.md, "Structured methods", "Unit scores"). The tensor is a row-major
 * [R, C] matrix cut into a grid of bh×bw rectangles (edge units clipped), numbered row-major over
 * the grid. In one streaming pass over the rows it writes acc = s + r over s (r = 0: s is acc and
 * is not written), tracks the largest magnitude key (non-finite check) and accumulates the score of
 * every unit. A NaN or ±Inf in acc makes its unit's score NaN or +Inf (the terms are non-negative,
so nothing cancels), so the finiteness check looks at the scores first and scans acc only when a
score is not finite (a true non-finite, or a finite sum that overflowed). The documented order: four lane accumulators per unit start at +0; the unit's rows
 * are visited top to bottom, each row left to right, and the element at column offset x (from the
 * unit's left edge) goes to lane x mod 4; L1 adds |acc|, L2 adds acc·acc (one f32 multiply, one f32
 * add), max keeps the largest magnitude key. The sum score is (l0 + l1) + (l2 + l3).
 * SIMD: units at least 4 wide take four consecutive columns per vector, whose lanes are exactly the
 * unit's lanes 0..3 (unaligned loads), then a scalar tail; narrower units keep one accumulator per
 * column (each lane then holds exactly one column, summed top to bottom), vectorized along the row.
 * Both give the documented per-lane order, so the SIMD and scalar builds agree to the bit.
 */
import { ABS_MASK, NONFINITE_KEY, accStore } from './key';
import { reportFirstNonFinite } from './scratch';
import { unitLanes } from './unit_result';

/** Score: sum of |acc| over the unit. */
export const SCORE_L1: u32 = 0;
/** Score: sum of acc·acc over the unit (the squared L2 norm; no square root). */
export const SCORE_L2: u32 = 1;
/** Score: the largest |acc| of the unit (its magnitude key). */
export const SCORE_MAX: u32 = 2;

/** ceil(a / b) for b >= 1, without overflow. */
// @ts-ignore: decorator
@inline export function ceilDiv(a: u32, b: u32): u32 {
  return a / b + (a % b != 0 ? 1 : 0);
}

/** Adds one element's term to the lane accumulator at p (f32 sum, or u32 max key). */
// @ts-ignore: decorator
@inline function addLane(p: usize, a: f32, mode: u32): void {
  if (mode == SCORE_MAX) store<u32>(p, max<u32>(load<u32>(p), reinterpret<u32>(a) & ABS_MASK));
  else if (mode == SCORE_L1) store<f32>(p, load<f32>(p) + abs<f32>(a));
  else store<f32>(p, load<f32>(p) + a * a);
}

/** Four lanes combined into the unit's score key. */
// @ts-ignore: decorator
@inline function laneKey(l0: u32, l1: u32, l2: u32, l3: u32, mode: u32): u32 {
  if (mode == SCORE_MAX) return max<u32>(max<u32>(l0, l1), max<u32>(l2, l3));
  const f = (reinterpret<f32>(l0) + reinterpret<f32>(l1)) + (reinterpret<f32>(l2) + reinterpret<f32>(l3));
  return reinterpret<u32>(f);
}

// @ts-ignore: decorator
@inline function accVec(s: usize, r: usize, o: usize): v128 {
  if (r) {
    const a = f32x4.add(v128.load(s + o), v128.load(r + o));
    v128.store(s + o, a);
    return a;
  }
  return v128.load(s + o);
}

// @ts-ignore: decorator
@inline function addVec(lanes: v128, a: v128, mode: u32): v128 {
  if (mode == SCORE_MAX) return i32x4.max_u(lanes, v128.and(a, i32x4.splat(ABS_MASK)));
  if (mode == SCORE_L1) return f32x4.add(lanes, v128.and(a, i32x4.splat(ABS_MASK)));
  return f32x4.add(lanes, f32x4.mul(a, a));
}

/**
 * The fused pass over the [R, C] matrix at s (residual r, 0 for none) with units of bh×bw
 * (R, C, bh, bw >= 1, R·C < 2^32): writes acc over s and the score key of every unit to keys
 * (U = ceil(R/bh)·ceil(C/bw) u32, unit number = by·ceil(C/bw) + bx). A score key is the bit pattern
 * of the non-negative f32 score (+Inf after overflow). Returns false (error recorded) when acc has
 * a NaN or ±Inf.
 */
export function scoreRects(s: usize, r: usize, R: u32, C: u32, bh: u32, bw: u32, mode: u32, keys: usize): bool {
  const nbx = ceilDiv(C, bw);
  const nby = ceilDiv(R, bh);
  const narrow = bw <= 4;
  const laneWords = narrow ? C : nbx << 2;
  let bigScore = false;
  for (let by: u32 = 0; by < nby; by++) {
    const y0 = by * bh;
    const y1 = R - y0 > bh ? y0 + bh : R;
    const lanes = unitLanes(laneWords);
    for (let y = y0; y < y1; y++) {
      const row = y * C;
      const sr = s + (<usize>row << 2);
      const rr = r ? r + (<usize>row << 2) : 0;
      if (narrow) {
        // One accumulator per column: lane t of a unit is column x0 + t, summed top to bottom.
        let x: u32 = 0;
        if (ASC_FEATURE_SIMD) {
          for (; x + 4 <= C; x += 4) {
            const o = <usize>x << 2;
            const a = accVec(sr, rr, o);
            v128.store(lanes + o, addVec(v128.load(lanes + o), a, mode));
          }
        }
        for (; x < C; x++) {
          const a = accStore(sr, rr, x);
          addLane(lanes + (<usize>x << 2), a, mode);
        }
      } else {
        // Four lanes per unit: column offset q of the unit goes to lane q mod 4.
        for (let bx: u32 = 0; bx < nbx; bx++) {
          const x0 = bx * bw;
          const w = C - x0 > bw ? bw : C - x0;
          const lp = lanes + (<usize>bx << 4);
          let q: u32 = 0;
          if (ASC_FEATURE_SIMD) {
            let L = v128.load(lp);
            for (; q + 4 <= w; q += 4) {
              const a = accVec(sr, rr, <usize>(x0 + q) << 2);
                L = addVec(L, a, mode);
            }
            v128.store(lp, L);
          }
          for (; q < w; q++) {
            const a = accStore(sr, rr, x0 + q);
              addLane(lp + (<usize>(q & 3) << 2), a, mode);
          }
        }
      }
    }
    // The band's unit scores.
    for (let bx: u32 = 0; bx < nbx; bx++) {
      let l0: u32, l1: u32 = 0, l2: u32 = 0, l3: u32 = 0;
      if (narrow) {
        const x0 = bx * bw;
        const w = C - x0 > bw ? bw : C - x0;
        const lp = lanes + (<usize>x0 << 2);
        l0 = load<u32>(lp);
        if (w > 1) l1 = load<u32>(lp, 4);
        if (w > 2) l2 = load<u32>(lp, 8);
        if (w > 3) l3 = load<u32>(lp, 12);
      } else {
        const lp = lanes + (<usize>bx << 4);
        l0 = load<u32>(lp);
        l1 = load<u32>(lp, 4);
        l2 = load<u32>(lp, 8);
        l3 = load<u32>(lp, 12);
      }
      const key = laneKey(l0, l1, l2, l3, mode);
      if (key >= NONFINITE_KEY) bigScore = true;
      store<u32>(keys + (<usize>(by * nbx + bx) << 2), key);
    }
  }
  return !(bigScore && reportFirstNonFinite(s, R * C));
}
