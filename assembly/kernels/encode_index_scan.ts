/**
 * One pass over the encoder's index list: validation (strictly increasing, below n) fused with
 * the exact-size sums of the variable-size index codes that are wanted (varint bytes, rle z bytes
 * and run count, rice quotients), so that `auto` reads the indices once before writing. The lane
 * formulas live in each code's encode_ file; this loop only combines them. SIMD: four deltas per
 * step (a vector with an invalid index hands over to the scalar loop, which finds the first one).
 */
import { varintSize } from '../util/varint_leb128';
import { clampDeltas, sumLanes, varintGapBytesLanes } from './encode_varint';
import { rleStartLanes, rleZBytesLanes } from './encode_rle';
import { riceQuotientLanes } from './encode_rice';

/** Wanted sums (flags). */
export const SCAN_VARINT: u32 = 1;
export const SCAN_RLE: u32 = 2;
export const SCAN_RICE: u32 = 4;

/** Results of the last scan: varint payload bytes, rle z bytes and runs, Σ rice quotients. */
export let scanVarintBytes: u64 = 0;
export let scanRleZBytes: u64 = 0;
export let scanRuns: u64 = 0;
export let scanRiceQ: u64 = 0;

// @ts-ignore: decorator
@inline function scan(idx: usize, k: u32, n: u32, b: u32, doV: bool, doR: bool, doQ: bool): u32 {
  scanVarintBytes = 0;
  scanRleZBytes = 0;
  scanRuns = 0;
  scanRiceQ = 0;
  if (k == 0) return 0;
  const i0 = load<u32>(idx);
  if (i0 >= n) return 0;
  let v: u64 = doV ? <u64>varintSize(i0) : 0;
  let z: u64 = doR ? <u64>varintSize(i0) : 0;
  let runs: u64 = 1;
  let q: u64 = doQ ? <u64>(i0 >> b) : 0;
  let j: u32 = 1;
  if (ASC_FEATURE_SIMD) {
    const nv = i32x4.splat(n);
    const one = i32x4.splat(1);
    let vAcc = i32x4.splat(0);
    let zAcc = i32x4.splat(0);
    let rAcc = i32x4.splat(0);
    let qAcc = i32x4.splat(0);
    for (; j + 4 <= k; j += 4) {
      const p = idx + (<usize>j << 2);
      const cur = v128.load(p);
      const prev = v128.load(p - 4);
      // prev < cur < n  ⇔  cur - prev - 1 < n - prev - 1 (u32, given prev < n): one unsigned compare.
      const d = i32x4.sub(cur, prev);
      if (!i32x4.all_true(i32x4.lt_u(i32x4.sub(d, one), i32x4.sub(i32x4.sub(nv, prev), one)))) break;
      const dc = doV || doR ? clampDeltas(d) : d;
      if (doV) vAcc = i32x4.add(vAcc, varintGapBytesLanes(dc, 0));
      if (doR) {
        const start = rleStartLanes(dc);
        zAcc = i32x4.add(zAcc, v128.and(rleZBytesLanes(dc), start));
        rAcc = i32x4.sub(rAcc, start);
      }
      if (doQ) qAcc = i32x4.add(qAcc, riceQuotientLanes(d, b));
    }
    v += sumLanes(vAcc);
    z += sumLanes(zAcc);
    runs += sumLanes(rAcc);
    q += sumLanes(qAcc);
  }
  let prev = load<u32>(idx + (<usize>(j - 1) << 2));
  for (; j < k; j++) {
    const i = load<u32>(idx + (<usize>j << 2));
    if (i >= n || i <= prev) return j;
    const d = i - prev;
    if (doV) v += <u64>varintSize(d - 1);
    if (doR && d >= 2) {
      z += <u64>varintSize(d - 2);
      runs++;
    }
    if (doQ) q += <u64>((d - 1) >> b);
    prev = i;
  }
  scanVarintBytes = v;
  scanRleZBytes = z;
  scanRuns = runs;
  scanRiceQ = q;
  return k;
}

/**
 * Validates ascending `idx[0, k)` against n and computes the sums in `want` (SCAN_* flags; rice
 * with parameter b). Returns the first invalid position, or k when all are valid (sums valid then).
 */
export function scanIndices(idx: usize, k: u32, n: u32, want: u32, b: u32): u32 {
  if (want == 0) return scan(idx, k, n, b, false, false, false);
  if (want == SCAN_VARINT) return scan(idx, k, n, b, true, false, false);
  if (want == SCAN_RLE) return scan(idx, k, n, b, false, true, false);
  if (want == SCAN_RICE) return scan(idx, k, n, b, false, false, true);
  return scan(idx, k, n, b, true, true, true);
}
