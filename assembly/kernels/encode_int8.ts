/**
 * Value code `int8` (id 3; docs/wire-format.md, "int8"): scale = f32(maxabs / 127) (one ulp less
 * when f32(127 · scale) overflows), then
 * q_j = clamp(roundHalfEven(f32(v_j / scale)), -127, 127) (all 0 when scale = 0), one signed byte
 * each. Every step is one f32 operation; `nearest` is IEEE roundTiesToEven in both builds.
 * SIMD: sixteen values per step (four divisions, round, clamp, two saturating narrows).
 */

/**
 * The int8 scale from the largest magnitude pattern (see maxAbsBits): f32(maxabs / 127), lowered
 * by one ulp when f32(127 · scale) overflows (maxabs = the f32 maximum), so every level decodes finite.
 */
export function int8ScaleFromMaxBits(maxBits: u32): f32 {
  const scale = reinterpret<f32>(maxBits) / <f32>127;
  if (isFinite<f32>(scale * <f32>127)) return scale;
  return reinterpret<f32>(reinterpret<u32>(scale) - 1);
}

// @ts-ignore: decorator
@inline function level(v: f32, scale: f32): i32 {
  return <i32>min<f32>(max<f32>(nearest<f32>(v / scale), -127), 127);
}

/** Writes the levels of finite `val[0, k)` under `scale` (≥ +0) at `dst`; returns the end. */
export function int8Encode(dst: usize, val: usize, k: u32, scale: f32): usize {
  if (scale == 0) {
    memory.fill(dst, 0, <usize>k);
    return dst + <usize>k;
  }
  let j: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(scale);
    const lo = f32x4.splat(-127);
    const hi = f32x4.splat(127);
    for (; j + 16 <= k; j += 16) {
      const p = val + (<usize>j << 2);
      const q0 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.div(v128.load(p), s)), lo), hi));
      const q1 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.div(v128.load(p, 16), s)), lo), hi));
      const q2 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.div(v128.load(p, 32), s)), lo), hi));
      const q3 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.div(v128.load(p, 48), s)), lo), hi));
      v128.store(dst + <usize>j, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3)));
    }
  }
  for (; j < k; j++) store<i8>(dst + <usize>j, <i8>level(load<f32>(val + (<usize>j << 2)), scale));
  return dst + <usize>k;
}
