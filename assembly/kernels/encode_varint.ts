/**
 * Index code `varint` (id 4; docs/wire-format.md, "varint"): delta + LEB128. With i_{-1} = -1 the
 * gap g_j = i_j - i_{j-1} - 1 is written as a canonical varint, j = 0 … k-1.
 * Sizing is SIMD (varint length from four threshold compares per lane); writing uses one
 * unaligned 8-byte store per varint (the destination needs 8 bytes of slack).
 */
import { varintSize, writeVarintFast } from '../util/varint_leb128';

/** Exact payload bytes of `varint` for ascending (already validated) `idx[0, k)`. */
export function varintIndexSize(idx: usize, k: u32): u64 {
  if (k == 0) return 0;
  let total: u64 = <u64>varintSize(load<u32>(idx));
  let j: u32 = 1;
  if (ASC_FEATURE_SIMD) {
    const one = i32x4.splat(1);
    const t1 = i32x4.splat(0x7f);
    const t2 = i32x4.splat(0x3fff);
    const t3 = i32x4.splat(0x1fffff);
    const t4 = i32x4.splat(0xfffffff);
    let acc = i32x4.splat(0);
    for (; j + 4 <= k; j += 4) {
      const p = idx + (<usize>j << 2);
      const g = i32x4.sub(i32x4.sub(v128.load(p), v128.load(p - 4)), one);
      acc = i32x4.add(acc, one);
      acc = i32x4.sub(acc, i32x4.gt_u(g, t1));
      acc = i32x4.sub(acc, i32x4.gt_u(g, t2));
      acc = i32x4.sub(acc, i32x4.gt_u(g, t3));
      acc = i32x4.sub(acc, i32x4.gt_u(g, t4));
    }
    total +=
      <u64><u32>i32x4.extract_lane(acc, 0) + <u64><u32>i32x4.extract_lane(acc, 1) +
      <u64><u32>i32x4.extract_lane(acc, 2) + <u64><u32>i32x4.extract_lane(acc, 3);
  }
  for (; j < k; j++) {
    const p = idx + (<usize>j << 2);
    total += <u64>varintSize(load<u32>(p) - load<u32>(p - 4) - 1);
  }
  return total;
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
