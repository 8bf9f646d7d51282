/**
 * Index code `rle` (id 3; docs/wire-format.md, "rle"): the kept positions as maximal runs
 * [s_t, s_t + len_t), each written as two canonical varints z_t (z_0 = s_0, then the dropped
 * positions between runs minus one) and o_t = len_t - 1.
 *
 * Exact size without walking runs one by one: with d_j = i_j - i_{j-1}, a run starts at j = 0 and
 * wherever d_j ≥ 2 (z = d_j - 2 there); Σ varintSize(o_t) = (#runs) + Σ_T #{runs with len > T}
 * over the varint thresholds T = 2^7, 2^14, 2^21, 2^28, and a run is longer than T iff the element
 * T places after its start is still in it: #{j ≥ T : i_j - i_{j-T} = T and j - T starts a run}.
 * Each term is a SIMD pass (only thresholds below k need one).
 */
import { varintSize, writeVarintFast } from '../util/varint_leb128';

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
      const starts = i32x4.gt_u(i32x4.sub(a, v128.load(p - back - 4)), one);
      acc = i32x4.sub(acc, v128.and(inRun, starts));
    }
    count +=
      <u64><u32>i32x4.extract_lane(acc, 0) + <u64><u32>i32x4.extract_lane(acc, 1) +
      <u64><u32>i32x4.extract_lane(acc, 2) + <u64><u32>i32x4.extract_lane(acc, 3);
  }
  for (; j < k; j++) {
    const p = idx + (<usize>j << 2);
    const a = load<u32>(p - back);
    if (load<u32>(p) - a == t && a - load<u32>(p - back - 4) >= 2) count++;
  }
  return count;
}

/** Exact payload bytes of `rle` for ascending (already validated) `idx[0, k)`. */
export function rleSize(idx: usize, k: u32): u64 {
  if (k == 0) return 0;
  let zBytes: u64 = <u64>varintSize(load<u32>(idx));
  let runs: u64 = 1;
  let j: u32 = 1;
  if (ASC_FEATURE_SIMD) {
    const one = i32x4.splat(1);
    const two = i32x4.splat(2);
    const t1 = i32x4.splat(0x7f);
    const t2 = i32x4.splat(0x3fff);
    const t3 = i32x4.splat(0x1fffff);
    const t4 = i32x4.splat(0xfffffff);
    let zAcc = i32x4.splat(0);
    let rAcc = i32x4.splat(0);
    for (; j + 4 <= k; j += 4) {
      const p = idx + (<usize>j << 2);
      const d = i32x4.sub(v128.load(p), v128.load(p - 4));
      const start = i32x4.gt_u(d, one);
      const z = i32x4.sub(d, two);
      let vs = one;
      vs = i32x4.sub(vs, i32x4.gt_u(z, t1));
      vs = i32x4.sub(vs, i32x4.gt_u(z, t2));
      vs = i32x4.sub(vs, i32x4.gt_u(z, t3));
      vs = i32x4.sub(vs, i32x4.gt_u(z, t4));
      zAcc = i32x4.add(zAcc, v128.and(vs, start));
      rAcc = i32x4.sub(rAcc, start);
    }
    zBytes +=
      <u64><u32>i32x4.extract_lane(zAcc, 0) + <u64><u32>i32x4.extract_lane(zAcc, 1) +
      <u64><u32>i32x4.extract_lane(zAcc, 2) + <u64><u32>i32x4.extract_lane(zAcc, 3);
    runs +=
      <u64><u32>i32x4.extract_lane(rAcc, 0) + <u64><u32>i32x4.extract_lane(rAcc, 1) +
      <u64><u32>i32x4.extract_lane(rAcc, 2) + <u64><u32>i32x4.extract_lane(rAcc, 3);
  }
  for (; j < k; j++) {
    const p = idx + (<usize>j << 2);
    const d = load<u32>(p) - load<u32>(p - 4);
    if (d >= 2) {
      zBytes += <u64>varintSize(d - 2);
      runs++;
    }
  }
  let oBytes = runs;
  if (k > 0x80) oBytes += runsLongerThan(idx, k, 0x80);
  if (k > 0x4000) oBytes += runsLongerThan(idx, k, 0x4000);
  if (k > 0x200000) oBytes += runsLongerThan(idx, k, 0x200000);
  if (k > 0x10000000) oBytes += runsLongerThan(idx, k, 0x10000000);
  return zBytes + oBytes;
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
