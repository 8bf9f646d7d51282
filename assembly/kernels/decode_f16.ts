/**
 * Decoder of value code `f16` (id 1; docs/wire-format.md, "f16"): exact widening of binary16 to
 * f32; an exponent of all ones (±Inf, NaN) → E_NONFINITE_VALUE at the value's offset unless
 * allowed. SIMD: eight values per step; a step that meets a non-finite value hands over to the
 * scalar loop, which reports the first one.
 */
import { E_NONFINITE_VALUE, formatFail } from '../util/format_errors';
import { f16BitsToF32Bits, f16x4ToF32, f16x4ToF32Finite } from '../util/f16_convert';

/** Decodes k f16 values at offset `start` into `out`; 0 or an error code. */
export function f16Decode(base: usize, start: u32, k: u32, allowNonFinite: bool, out: usize): i32 {
  const src = base + <usize>start;
  let j: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const em = i16x8.splat(0x7c00);
    if (allowNonFinite) {
      for (; j + 8 <= k; j += 8) {
        const h = v128.load(src + (<usize>j << 1));
        const d = out + (<usize>j << 2);
        v128.store(d, f16x4ToF32(i32x4.extend_low_i16x8_u(h)));
        v128.store(d, f16x4ToF32(i32x4.extend_high_i16x8_u(h)), 16);
      }
    } else {
      for (; j + 8 <= k; j += 8) {
        const h = v128.load(src + (<usize>j << 1));
        if (v128.any_true(i16x8.eq(v128.and(h, em), em))) break;
        const d = out + (<usize>j << 2);
        v128.store(d, f16x4ToF32Finite(i32x4.extend_low_i16x8_u(h)));
        v128.store(d, f16x4ToF32Finite(i32x4.extend_high_i16x8_u(h)), 16);
      }
    }
  }
  for (; j < k; j++) {
    const h = <u32>load<u16>(src + (<usize>j << 1));
    if (!allowNonFinite && (h & 0x7c00) == 0x7c00) return formatFail(E_NONFINITE_VALUE, start + (j << 1));
    store<u32>(out + (<usize>j << 2), f16BitsToF32Bits(h));
  }
  return 0;
}
