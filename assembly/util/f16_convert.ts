/**
 * f32 <-> IEEE 754-2008 binary16 (f16) and f32 <-> bfloat16 (bf16) on bit patterns, round to
 * nearest, ties to even, with the wire format's saturation (docs/wire-format.md, "f16", "bf16"):
 * a finite f32 that would round to ±Inf becomes the largest finite value of the format.
 * Scalar and SIMD (four lanes of i32) forms compute the same thing in the same way, so the SIMD and
 * scalar builds give identical bits. Inputs of the encoders are finite (callers check first).
 */

/** |x| at or above this pattern (65520 = 65504 + half an ulp, a tie that rounds to even = Inf) saturates. */
const F16_SAT_ABS: u32 = 0x477ff000;
/** Smallest |x| that is an f16 normal (2^-14). */
const F16_MIN_NORMAL_ABS: u32 = 0x38800000;
/** 0.5f: adding it rounds |x| < 2^-14 to a multiple of 2^-24 (the f16 subnormal spacing), RNE. */
const HALF_BITS: u32 = 0x3f000000;
/** Rebias of the exponent from f32 (127) to f16 (15), in f32 exponent position. */
const REBIAS: u32 = 0x38000000;

/** f16 bits of the finite f32 with pattern `x`: RNE, subnormals kept, overflow saturated to ±65504. */
// @ts-ignore: decorator
@inline export function f32BitsToF16Sat(x: u32): u32 {
  const sign = (x >> 16) & 0x8000;
  const a = x & 0x7fffffff;
  let h: u32;
  if (a >= F16_SAT_ABS) h = 0x7bff;
  else if (a >= F16_MIN_NORMAL_ABS) h = (a - REBIAS + 0x0fff + ((a >> 13) & 1)) >> 13;
  else h = reinterpret<u32>(reinterpret<f32>(a) + reinterpret<f32>(HALF_BITS)) - HALF_BITS;
  return sign | h;
}

/** f32 bits of f16 bits `h` (exact; ±Inf and NaN widen with their payload). */
// @ts-ignore: decorator
@inline export function f16BitsToF32Bits(h: u32): u32 {
  const sign = (h & 0x8000) << 16;
  const em = h & 0x7fff;
  let bits: u32;
  if (em >= 0x7c00) bits = 0x7f800000 | ((em & 0x3ff) << 13);
  else if (em >= 0x400) bits = (em << 13) + REBIAS;
  else bits = reinterpret<u32>(<f32>em * reinterpret<f32>(0x33800000)); // m · 2^-24, exact
  return sign | bits;
}

/** bf16 bits of the finite f32 with pattern `x`: RNE on the low 16 bits, overflow saturated to ±0x7F7F. */
// @ts-ignore: decorator
@inline export function f32BitsToBf16Sat(x: u32): u32 {
  const h = (x + 0x7fff + ((x >> 16) & 1)) >> 16;
  return (h & 0x7fff) == 0x7f80 ? h - 1 : h;
}

/** Four lanes of f32BitsToF16Sat: i32 lanes in, i32 lanes (f16 bits) out. */
// @ts-ignore: decorator
@inline export function f32x4ToF16Sat(x: v128): v128 {
  const sign = v128.and(i32x4.shr_u(x, 16), i32x4.splat(0x8000));
  const a = v128.and(x, i32x4.splat(0x7fffffff));
  const lsb = v128.and(i32x4.shr_u(a, 13), i32x4.splat(1));
  // Normal range, and saturation: the formula grows with a, so min(…, 0x7BFF) saturates exactly
  // the inputs at or above F16_SAT_ABS (a < 2^31: the signed min and compare are exact).
  const normal = i32x4.min_s(i32x4.shr_u(i32x4.add(i32x4.sub(a, i32x4.splat(REBIAS - 0x0fff)), lsb), 13), i32x4.splat(0x7bff));
  const half = i32x4.splat(HALF_BITS);
  const sub = i32x4.sub(f32x4.add(a, half), half);
  const isNormal = i32x4.gt_s(a, i32x4.splat(F16_MIN_NORMAL_ABS - 1));
  return v128.or(sign, v128.bitselect(normal, sub, isNormal));
}

/** Four lanes of f16BitsToF32Bits: i32 lanes (f16 bits) in, i32 lanes (f32 bits) out. */
// @ts-ignore: decorator
@inline export function f16x4ToF32(h: v128): v128 {
  const sign = i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16);
  const em = v128.and(h, i32x4.splat(0x7fff));
  const inf = v128.or(i32x4.splat(0x7f800000), i32x4.shl(v128.and(em, i32x4.splat(0x3ff)), 13));
  const normal = i32x4.add(i32x4.shl(em, 13), i32x4.splat(REBIAS));
  const sub = f32x4.mul(f32x4.convert_i32x4_s(em), f32x4.splat(reinterpret<f32>(0x33800000)));
  const isInf = i32x4.gt_s(em, i32x4.splat(0x7bff));
  const isNormal = i32x4.gt_s(em, i32x4.splat(0x3ff));
  return v128.or(sign, v128.bitselect(inf, v128.bitselect(normal, sub, isNormal), isInf));
}

/** f16x4ToF32 for lanes known to be finite (exponent < 31): no Inf/NaN path. */
// @ts-ignore: decorator
@inline export function f16x4ToF32Finite(h: v128): v128 {
  const sign = i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16);
  const em = v128.and(h, i32x4.splat(0x7fff));
  const normal = i32x4.add(i32x4.shl(em, 13), i32x4.splat(REBIAS));
  const sub = f32x4.mul(f32x4.convert_i32x4_s(em), f32x4.splat(reinterpret<f32>(0x33800000)));
  return v128.or(sign, v128.bitselect(normal, sub, i32x4.gt_s(em, i32x4.splat(0x3ff))));
}

/** Four lanes of f32BitsToBf16Sat: i32 lanes in, i32 lanes (bf16 bits) out. */
// @ts-ignore: decorator
@inline export function f32x4ToBf16Sat(x: v128): v128 {
  const lsb = v128.and(i32x4.shr_u(x, 16), i32x4.splat(1));
  const h = i32x4.shr_u(i32x4.add(i32x4.add(x, i32x4.splat(0x7fff)), lsb), 16);
  const sat = i32x4.eq(v128.and(h, i32x4.splat(0x7fff)), i32x4.splat(0x7f80));
  return i32x4.add(h, sat); // sat lanes are -1
}
