/**
 * Index code `varint` (id 4; docs/wire-format.md, "varint"): delta + LEB128. With i_{-1} = -1 the
 * gap g_j = i_j - i_{j-1} - 1 is written as a canonical varint, j = 0 … k-1.
 * Sizing is SIMD (varint length from four threshold compares per lane); writing uses one
 * unaligned 8-byte store per varint (the destination needs 8 bytes of slack).
 */
import { varintSize, writeVarintFast } from '../util/varint_leb128';

/**
 * Varint bytes of g = d - 1 - skip in four lanes of deltas d = i_j - i_{j-1} (skip 0: the gaps of
 * this code; skip 1: rle's z = d - 2, see rleZBytesLanes): 1 + [d > 2^7 + skip] + [d > 2^14 + skip]
 * + [d > 2^21 + skip] + [d > 2^28 + skip]. `dc` is d clamped to ≤ 2^28 + 2 (clampDeltas), which
 * keeps the signed compares (native on every SIMD target) exact. `skip` is a constant at every call,
 * so the thresholds fold into vector constants.
 */
// @ts-ignore: decorator
@inline export function varintGapBytesLanes(dc: v128, skip: i32): v128 {
  let n = i32x4.splat(1);
  n = i32x4.sub(n, i32x4.gt_s(dc, i32x4.splat(0x80 + skip)));
  n = i32x4.sub(n, i32x4.gt_s(dc, i32x4.splat(0x4000 + skip)));
  n = i32x4.sub(n, i32x4.gt_s(dc, i32x4.splat(0x200000 + skip)));
  return i32x4.sub(n, i32x4.gt_s(dc, i32x4.splat(0x10000000 + skip)));
}

/** Deltas clamped to 2^28 + 2 for the signed compares of the size lanes (every threshold is below). */
// @ts-ignore: decorator
@inline export function clampDeltas(d: v128): v128 {
  return i32x4.min_u(d, i32x4.splat(0x10000002));
}

/** Exact payload bytes of `varint` for ascending (already validated) `idx[0, k)`. */
export function varintIndexSize(idx: usize, k: u32): u64 {
  if (k == 0) return 0;
  let total: u64 = <u64>varintSize(load<u32>(idx));
  let j: u32 = 1;
  if (ASC_FEATURE_SIMD) {
    let acc = i32x4.splat(0);
    for (; j + 4 <= k; j += 4) {
      const p = idx + (<usize>j << 2);
      acc = i32x4.add(acc, varintGapBytesLanes(clampDeltas(i32x4.sub(v128.load(p), v128.load(p - 4))), 0));
    }
    total += sumLanes(acc);
  }
  for (; j < k; j++) {
    const p = idx + (<usize>j << 2);
    total += <u64>varintSize(load<u32>(p) - load<u32>(p - 4) - 1);
  }
  return total;
}

/** Sum of the four u32 lanes of `v`, in 64 bits. */
// @ts-ignore: decorator
@inline export function sumLanes(v: v128): u64 {
  return (
    <u64><u32>i32x4.extract_lane(v, 0) + <u64><u32>i32x4.extract_lane(v, 1) +
    <u64><u32>i32x4.extract_lane(v, 2) + <u64><u32>i32x4.extract_lane(v, 3)
  );
}

/** Writes the gap varints of ascending `idx[0, k)` at `dst`; returns the end. */
export function varintIndexEncode(dst: usize, idx: usize, k: u32): usize {
  let p = dst;
  let prev: u32 = 0xffffffff; // i_{-1} = -1
  for (let j: u32 = 0; j < k; j++) {
    const i = load<u32>(idx + (<usize>j << 2));
    p = writeVarintFast(p, i - prev - 1);
    prev = i;
  }
  return p;
}
