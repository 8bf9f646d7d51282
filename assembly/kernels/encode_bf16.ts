/**
 * Value code `bf16` (id 2; docs/wire-format.md, "bf16"): the upper half of the f32 pattern after
 * round-to-nearest-even on the lower half, finite overflow saturated to ±0x7F7F. SIMD: eight
 * values per step; the scalar path uses the same integer formula.
 */
import { f32BitsToBf16Sat, f32x4ToBf16Sat } from '../util/f16_convert';

/** Writes the bf16 bits of finite `val[0, k)` at `dst`; returns the end. */
export function bf16Encode(dst: usize, val: usize, k: u32): usize {
  let j: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 8 <= k; j += 8) {
      const p = val + (<usize>j << 2);
      const h0 = f32x4ToBf16Sat(v128.load(p));
      const h1 = f32x4ToBf16Sat(v128.load(p, 16));
      v128.store(dst + (<usize>j << 1), i16x8.narrow_i32x4_u(h0, h1));
    }
  }
  for (; j < k; j++) store<u16>(dst + (<usize>j << 1), <u16>f32BitsToBf16Sat(load<u32>(val + (<usize>j << 2))));
  return dst + (<usize>k << 1);
}
