/**
 * Index code `rice` (id 5; docs/wire-format.md, "rice"): Golomb-Rice code of the gaps (S. W.
 * Golomb, "Run-length encodings", IEEE Trans. Inf. Theory 12(3), 1966; R. F. Rice, "Some practical
 * universal noiseless coding techniques", JPL Publication 79-22, 1979). Gap g = q·2^b + r is
 * written as q zero bits, a one bit, then r in b bits, LSB-first, zero-padded to a byte; the
 * parameter byte b precedes the payload.
 */
import { bwAcc, bwBits, bwPtr, bwResume, bwZeros } from '../util/bitio_lsb';

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

/** Exact payload bytes (without the parameter byte) of `rice` with parameter b for valid `idx[0, k)`. */
export function riceSize(idx: usize, k: u32, b: u32): u64 {
  if (k == 0) return 0;
  let q: u64 = <u64>(load<u32>(idx) >> b);
  let j: u32 = 1;
  if (ASC_FEATURE_SIMD) {
    const one = i32x4.splat(1);
    let acc = i32x4.splat(0);
    for (; j + 4 <= k; j += 4) {
      const p = idx + (<usize>j << 2);
      const g = i32x4.sub(i32x4.sub(v128.load(p), v128.load(p - 4)), one);
      acc = i32x4.add(acc, i32x4.shr_u(g, b));
    }
    // Each lane sums gaps of one valid index list, so it stays below 2^32.
    q +=
      <u64><u32>i32x4.extract_lane(acc, 0) + <u64><u32>i32x4.extract_lane(acc, 1) +
      <u64><u32>i32x4.extract_lane(acc, 2) + <u64><u32>i32x4.extract_lane(acc, 3);
  }
  for (; j < k; j++) {
    const p = idx + (<usize>j << 2);
    q += <u64>((load<u32>(p) - load<u32>(p - 4) - 1) >> b);
  }
  const bits = q + <u64>k * (<u64>b + 1);
  return (bits + 7) >> 3;
}

/** Writes the code words of valid ascending `idx[0, k)` with parameter b at `dst` (8 bytes of slack needed); returns the end. */
export function riceEncode(dst: usize, idx: usize, k: u32, b: u32): usize {
  let p = dst;
  let acc: u64 = 0;
  let nb: u32 = 0;
  const mask: u32 = (<u32>1 << b) - 1; // b <= 31
  let prev: u32 = 0xffffffff; // i_{-1} = -1
  for (let j: u32 = 0; j < k; j++) {
    const i = load<u32>(idx + (<usize>j << 2));
    const g = i - prev - 1;
    prev = i;
    const q = g >> b;
    const tail = ((<u64>(g & mask)) << 1) | 1; // the one bit, then r
    if (q + 1 + b <= 56) {
      acc |= (tail << q) << nb;
      nb += q + 1 + b;
    } else {
      // A long unary part: hand the state to the shared bit writer for the zeros.
      bwResume(p, acc, nb);
      bwZeros(<u64>q);
      p = bwPtr;
      acc = bwAcc;
      nb = bwBits;
      acc |= tail << nb;
      nb += 1 + b;
    }
    store<u64>(p, acc);
    const whole = nb >> 3;
    p += whole;
    acc = acc >> (<u64>whole << 3);
    nb &= 7;
  }
  return nb ? p + 1 : p;
}
