/**
 * Decoder of value code `ternary` (id 4; docs/wire-format.md, "ternary") with a validated
 * magnitude mu: non-zero pad bits → E_RESERVED at the last byte (checked first); value j is −mu
 * when sign bit j is set, else mu. SIMD: one payload byte gives eight values (two lane masks).
 */
import { E_RESERVED, formatFail } from '../util/format_errors';

/** Decodes k sign bits at offset `start` with magnitude bits `muBits` into `out`; 0 or an error code. */
export function ternaryDecode(base: usize, start: u32, k: u32, muBits: u32, out: usize): i32 {
  const src = base + <usize>start;
  const size = <u32>((<u64>k + 7) >> 3);
  const rem = k & 7;
  if (rem != 0 && (<u32>load<u8>(src + <usize>(size - 1)) >> rem) != 0) return formatFail(E_RESERVED, start + size - 1);
  let j: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const mu = i32x4.splat(muBits);
    const sign = i32x4.splat(0x80000000);
    const bitsLo = v128(1, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0);
    const bitsHi = v128(16, 0, 0, 0, 32, 0, 0, 0, 64, 0, 0, 0, -128, 0, 0, 0);
    for (; j + 8 <= k; j += 8) {
      const byte = i32x4.splat(<i32>load<u8>(src + <usize>(j >> 3)));
      const setLo = v128.not(i32x4.eq(v128.and(byte, bitsLo), i32x4.splat(0)));
      const setHi = v128.not(i32x4.eq(v128.and(byte, bitsHi), i32x4.splat(0)));
      const d = out + (<usize>j << 2);
      v128.store(d, v128.or(mu, v128.and(setLo, sign)));
      v128.store(d, v128.or(mu, v128.and(setHi, sign)), 16);
    }
  }
  for (; j < k; j++) {
    const bit = (<u32>load<u8>(src + <usize>(j >> 3)) >> (j & 7)) & 1;
    store<u32>(out + (<usize>j << 2), muBits | (bit << 31));
  }
  return 0;
}
