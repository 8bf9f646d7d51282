/**
 * Value code `f16` (id 1; docs/wire-format.md, "f16"): IEEE binary16, RNE, subnormals kept, finite
 * overflow saturated to ±65504. SIMD: eight values per step (two 4-lane conversions narrowed into
 * one 16-byte store); the scalar tail and the scalar build use the same bit algorithm.
 */
import { f32BitsToF16Sat, f32x4ToF16Sat } from '../util/f16_convert';

/** Writes the f16 bits of finite `val[0, k)` at `dst`; returns the end. */
export function f16Encode(dst: usize, val: usize, k: u32): usize {
  let j: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 8 <= k; j += 8) {
      const p = val + (<usize>j << 2);
      const h0 = f32x4ToF16Sat(v128.load(p));
      const h1 = f32x4ToF16Sat(v128.load(p, 16));
      v128.store(dst + (<usize>j << 1), i16x8.narrow_i32x4_u(h0, h1));
    }
  }
  for (; j < k; j++) store<u16>(dst + (<usize>j << 1), <u16>f32BitsToF16Sat(load<u32>(val + (<usize>j << 2))));
  return dst + (<usize>k << 1);
}
