/**
 * Counter-based random words keyed by (seed, step, tensor id, element index), so that chunked,
 * parallel and GPU paths draw the same numbers (the idea of Salmon et al., "Parallel random numbers:
 * as easy as 1, 2, 3", SC 2011). The mixing function is "lowbias32" (C. Wellons, "Prospecting for
 * hash functions", 2018). Exact definition: docs/selection.md, "Counter-based RNG".
 */

/** lowbias32 integer hash. */
// @ts-ignore: decorator
@inline export function mix(x: u32): u32 {
  x ^= x >>> 16;
  x *= 0x7feb352d;
  x ^= x >>> 15;
  x *= 0x846ca68b;
  x ^= x >>> 16;
  return x;
}

/** First stream key of (seed, step, tensorId). */
export function streamKey0(seed: u32, step: u32, tensorId: u32): u32 {
  let h = mix(seed ^ 0x243f6a88);
  h = mix(h ^ step);
  return mix(h ^ tensorId);
}

/** Second stream key, derived from the first. */
export function streamKey1(k0: u32): u32 {
  return mix(k0 ^ 0xb7e15162);
}

/** The random word of element i. */
// @ts-ignore: decorator
@inline export function randomWord(k0: u32, k1: u32, i: u32): u32 {
  return mix(mix(i ^ k0) ^ k1);
}

/** Four random words of elements given as lanes of `idx` (SIMD twin of randomWord). */
// @ts-ignore: decorator
@inline export function randomWordX4(k0: v128, k1: v128, idx: v128): v128 {
  let x = v128.xor(idx, k0);
  x = mixX4(x);
  x = v128.xor(x, k1);
  return mixX4(x);
}

// @ts-ignore: decorator
@inline function mixX4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(<i32>0x846ca68b));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

/** Uniform f32 in [0, 1) from a random word: (w >>> 8) * 2^-24, exact. */
// @ts-ignore: decorator
@inline export function uniformOf(w: u32): f32 {
  return <f32>(w >>> 8) * 5.9604644775390625e-8;
}
