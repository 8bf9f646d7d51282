/**
 * Decoder of value code `int8` (id 3; docs/wire-format.md, "int8") with a validated scale (finite,
 * ≥ +0): value j = f32(q_j · scale). Per value, in order: the byte 0x80 (−128) → E_VALUE; a
 * product that overflows to ±Inf → E_NONFINITE_VALUE unless allowed; both at the byte.
 * SIMD: sixteen values per step; a step with either failure goes to the scalar loop.
 */
import { E_NONFINITE_VALUE, E_VALUE, formatFail } from '../util/format_errors';

/** Decodes k int8 levels at offset `start` under `scale` into `out`; 0 or an error code. */
export function int8Decode(base: usize, start: u32, k: u32, scale: f32, allowNonFinite: bool, out: usize): i32 {
  const src = base + <usize>start;
  let j: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const m128 = i8x16.splat(-128);
    const s = f32x4.splat(scale);
    const em = i32x4.splat(0x7f800000);
    for (; j + 16 <= k; j += 16) {
      const b = v128.load(src + <usize>j);
      if (v128.any_true(i8x16.eq(b, m128))) break;
      const lo = i16x8.extend_low_i8x16_s(b);
      const hi = i16x8.extend_high_i8x16_s(b);
      const v0 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), s);
      const v1 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), s);
      const v2 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), s);
      const v3 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), s);
      if (!allowNonFinite) {
        const bad = v128.or(
          v128.or(i32x4.eq(v128.and(v0, em), em), i32x4.eq(v128.and(v1, em), em)),
          v128.or(i32x4.eq(v128.and(v2, em), em), i32x4.eq(v128.and(v3, em), em)),
        );
        if (v128.any_true(bad)) break;
      }
      const d = out + (<usize>j << 2);
      v128.store(d, v0);
      v128.store(d, v1, 16);
      v128.store(d, v2, 32);
      v128.store(d, v3, 48);
    }
  }
  for (; j < k; j++) {
    const q = <i32>load<i8>(src + <usize>j);
    if (q == -128) return formatFail(E_VALUE, start + j);
    const v = <f32>q * scale;
    if (!allowNonFinite && !isFinite<f32>(v)) return formatFail(E_NONFINITE_VALUE, start + j);
    store<f32>(out + (<usize>j << 2), v);
  }
  return 0;
}
