/**
 * Index code `rle` (id 3; docs/wire-format.md, "rle"): the kept positions as maximal runs
 * [s_t, s_t + len_t), each written as two canonical varints z_t (z_0 = s_0, then the dropped
 * positions between runs minus one) and o_t = len_t - 1.
 *
 * Exact size without walking runs one by one: with d_j = i_j - i_{j-1}, a run starts at j = 0 and
 * wherever d_j ≥ 2 (z = d_j - 2 there); Σ varintSize(o_t) = (#runs) + Σ_T #{runs with len > T}
 * over the varint thresholds T = 2^7, 2^14, 2^21, 2^28, and a run is longer than T iff the element
 * T places after its start is still in it: #{j ≥ T : i_j - i_{j-T} = T and j - T starts a run}.
 * Each term is a SIMD pass, run only when enough adjacent pairs exist for such a run.
 */
import { varintSize, writeVarintFast } from '../util/varint_leb128';
import { clampDeltas, sumLanes, varintGapBytesLanes } from './encode_varint';

/** Number of runs longer than `t` (t < k) in ascending `idx[0, k)`. */
function runsLongerThan(idx: usize, k: u32, t: u32): u64 {
  const back = <usize>t << 2;
  // j = t: j - t = 0 always starts a run.
  let count: u64 = load<u32>(idx + back) - load<u32>(idx) == t ? 1 : 0;
  let j: u32 = t + 1;
  if (ASC_FEATURE_SIMD) {
    const tv = i32x4.splat(t);
    const one = i32x4.splat(1);
    let acc = i32x4.splat(0);
    for (; <u64>j + 4 <= <u64>k; j += 4) {
      const p = idx + (<usize>j << 2);
      const a = v128.load(p - back);
      const inRun = i32x4.eq(i32x4.sub(v128.load(p), a), tv);
      const starts = v128.not(i32x4.eq(i32x4.sub(a, v128.load(p - back - 4)), one)); // d ≥ 1, so d > 1 ⇔ d ≠ 1
      acc = i32x4.sub(acc, v128.and(inRun, starts));
    }
    count += sumLanes(acc);
  }
  for (; j < k; j++) {
    const p = idx + (<usize>j << 2);
    const a = load<u32>(p - back);
    if (load<u32>(p) - a == t && a - load<u32>(p - back - 4) >= 2) count++;
  }
  return count;
}

/** Four lanes of clamped deltas (see clampDeltas): all ones where a run starts (d ≥ 2). */
// @ts-ignore: decorator
@inline export function rleStartLanes(dc: v128): v128 {
  return i32x4.gt_s(dc, i32x4.splat(1));
}

/** Varint bytes of z = d - 2 in four lanes of clamped deltas (meaningful where a run starts). */
// @ts-ignore: decorator
@inline export function rleZBytesLanes(dc: v128): v128 {
  return varintGapBytesLanes(dc, 1);
}

/**
 * Exact `rle` payload bytes from the z bytes and the run count of a scan of `idx[0, k)`: adds the
 * o bytes, #runs + Σ_T #{runs longer than T}. A run longer than T holds at least T adjacent pairs,
 * so a threshold pass runs only when there are k - runs ≥ T adjacent pairs in all.
 */
export function rleSizeFromScan(idx: usize, k: u32, zBytes: u64, runs: u64): u64 {
  if (k == 0) return 0;
  const pairs = <u64>k - runs;
  let o = runs;
  if (pairs >= 0x80) o += runsLongerThan(idx, k, 0x80);
  if (pairs >= 0x4000) o += runsLongerThan(idx, k, 0x4000);
  if (pairs >= 0x200000) o += runsLongerThan(idx, k, 0x200000);
  if (pairs >= 0x10000000) o += runsLongerThan(idx, k, 0x10000000);
  return zBytes + o;
}

/** Exact payload bytes of `rle` for ascending (already validated) `idx[0, k)`. */
export function rleSize(idx: usize, k: u32): u64 {
  if (k == 0) return 0;
  let zBytes: u64 = <u64>varintSize(load<u32>(idx));
  let runs: u64 = 1;
  let j: u32 = 1;
  if (ASC_FEATURE_SIMD) {
    let zAcc = i32x4.splat(0);
    let rAcc = i32x4.splat(0);
    for (; j + 4 <= k; j += 4) {
      const p = idx + (<usize>j << 2);
      const d = clampDeltas(i32x4.sub(v128.load(p), v128.load(p - 4)));
      const start = rleStartLanes(d);
      zAcc = i32x4.add(zAcc, v128.and(rleZBytesLanes(d), start));
      rAcc = i32x4.sub(rAcc, start);
    }
    zBytes += sumLanes(zAcc);
    runs += sumLanes(rAcc);
  }
  for (; j < k; j++) {
    const p = idx + (<usize>j << 2);
    const d = load<u32>(p) - load<u32>(p - 4);
    if (d >= 2) {
      zBytes += <u64>varintSize(d - 2);
      runs++;
    }
  }
  return rleSizeFromScan(idx, k, zBytes, runs);
}

/** Writes the run pairs of ascending `idx[0, k)` at `dst` (8 bytes of slack needed); returns the end. */
export function rleEncode(dst: usize, idx: usize, k: u32): usize {
  let p = dst;
  let j: u32 = 0;
  let after: u32 = 0;
  while (j < k) {
    const s = load<u32>(idx + (<usize>j << 2));
    let e = j + 1;
    while (e < k && load<u32>(idx + (<usize>e << 2)) == load<u32>(idx + (<usize>(e - 1) << 2)) + 1) e++;
    p = writeVarintFast(p, j == 0 ? s : s - after - 1);
    p = writeVarintFast(p, e - j - 1);
    after = s + (e - j);
    j = e;
  }
  return p;
}
