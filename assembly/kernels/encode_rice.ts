/**
 * Index code `rice` (id 5; docs/wire-format.md, "rice"): Golomb-Rice code of the gaps (S. W.
 * Golomb, "Run-length encodings", IEEE Trans. Inf. Theory 12(3), 1966; R. F. Rice, "Some practical
 * universal noiseless coding techniques", JPL Publication 79-22, 1979). Gap g = q·2^b + r is
 * written as q zero bits, a one bit, then r in b bits, LSB-first, zero-padded to a byte; the
 * parameter byte b precedes the payload.
 */
import { bwAcc, bwBits, bwPtr, bwPut, bwResume, bwZeros } from '../util/bitio_lsb';
import { sumLanes } from './encode_varint';

/** Largest Rice parameter. */
export const RICE_MAX_B: u32 = 31;

/**
 * The encoder's parameter: with S = i_{k-1} + 1 - k (the sum of the gaps), the largest b in 0..31
 * with k·2^b ≤ S, else 0 (integers only; Kiely, IPN Progress Report 42-159, 2004).
 */
export function riceParameter(idx: usize, k: u32): u32 {
  if (k == 0) return 0;
  const s = <u64>load<u32>(idx + (<usize>(k - 1) << 2)) + 1 - <u64>k;
  let b: u32 = 0;
  while (b < RICE_MAX_B && (<u64>k << (<u64>b + 1)) <= s) b++;
  return b;
}

/** Rice quotients q = (d - 1) >> b of four lanes of deltas d = i_j - i_{j-1}. */
// @ts-ignore: decorator
@inline export function riceQuotientLanes(d: v128, b: u32): v128 {
  return i32x4.shr_u(i32x4.sub(d, i32x4.splat(1)), b);
}

/** Exact payload bytes from the sum of the quotients: ceil((Σq + k·(1 + b)) / 8). */
export function riceSizeFromQuotients(k: u32, b: u32, q: u64): u64 {
  return (q + <u64>k * (<u64>b + 1) + 7) >> 3;
}

/** Exact payload bytes (without the parameter byte) of `rice` with parameter b for valid `idx[0, k)`. */
export function riceSize(idx: usize, k: u32, b: u32): u64 {
  if (k == 0) return 0;
  let q: u64 = <u64>(load<u32>(idx) >> b);
  let j: u32 = 1;
  if (ASC_FEATURE_SIMD) {
    let acc = i32x4.splat(0);
    for (; j + 4 <= k; j += 4) {
      const p = idx + (<usize>j << 2);
      acc = i32x4.add(acc, riceQuotientLanes(i32x4.sub(v128.load(p), v128.load(p - 4)), b));
    }
    // Each lane sums quotients of gaps of one valid index list, so it stays below 2^32.
    q += sumLanes(acc);
  }
  for (; j < k; j++) {
    const p = idx + (<usize>j << 2);
    q += <u64>((load<u32>(p) - load<u32>(p - 4) - 1) >> b);
  }
  return riceSizeFromQuotients(k, b, q);
}

/** Appends one code word (gap g) through the shared bit writer (any quotient); state in bw*. */
function putWordSlow(g: u32, b: u32): void {
  bwZeros(<u64>(g >> b));
  bwPut(((<u64>(g & ((<u32>1 << b) - 1))) << 1) | 1, 1 + b);
}

/**
 * Writes the code words of valid ascending `idx[0, k)` with parameter b at `dst` (8 bytes of
 * slack needed); returns the end. Two code words are combined per 8-byte store when they fit in
 * 56 bits (the common case); longer ones go through the shared bit writer.
 */
export function riceEncode(dst: usize, idx: usize, k: u32, b: u32): usize {
  let p = dst;
  let acc: u64 = 0;
  let nb: u32 = 0;
  const mask: u32 = (<u32>1 << b) - 1; // b <= 31
  let prev: u32 = 0xffffffff; // i_{-1} = -1
  let j: u32 = 0;
  for (; j + 2 <= k; j += 2) {
    const a = idx + (<usize>j << 2);
    const i0 = load<u32>(a);
    const i1 = load<u32>(a, 4);
    const g0 = i0 - prev - 1;
    const g1 = i1 - i0 - 1;
    prev = i1;
    const q0 = g0 >> b;
    const q1 = g1 >> b;
    const u0 = q0 + 1 + b;
    const u1 = q1 + 1 + b;
    if (u0 + u1 <= 56) {
      const w0 = (((<u64>(g0 & mask)) << 1) | 1) << q0;
      const w1 = (((<u64>(g1 & mask)) << 1) | 1) << q1;
      acc |= (w0 | (w1 << u0)) << nb;
      nb += u0 + u1;
    } else {
      bwResume(p, acc, nb);
      putWordSlow(g0, b);
      putWordSlow(g1, b);
      p = bwPtr;
      acc = bwAcc;
      nb = bwBits;
      continue;
    }
    store<u64>(p, acc);
    const whole = nb >> 3;
    p += whole;
    acc = acc >> (<u64>whole << 3);
    nb &= 7;
  }
  if (j < k) {
    bwResume(p, acc, nb);
    putWordSlow(load<u32>(idx + (<usize>j << 2)) - prev - 1, b);
    p = bwPtr;
    nb = bwBits;
  }
  return nb ? p + 1 : p;
}
