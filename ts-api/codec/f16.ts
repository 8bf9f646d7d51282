/**
 * f32 ↔ IEEE 754-2008 binary16 ("f16") and f32 ↔ bfloat16 ("bf16") conversions, round to nearest,
 * ties to even (IEEE 754-2008, §4.3.1 roundTiesToEven). Subnormal f16 results are kept as IEEE
 * subnormals. The `*Sat` variants are the wire-format encoders (docs/wire-format.md, "f16" and
 * "bf16"): a finite input whose rounded result would be ±Inf saturates to the largest finite value
 * of the format instead (f16: ±65504 = 0x7BFF/0xFBFF; bf16: ±(2 - 2^-7)·2^127 = 0x7F7F/0xFF7F).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * IEEE binary16 bits of `x` (first rounded to f32), round-to-nearest-even; overflow gives ±Inf
 * (0x7C00/0xFC00), NaN gives a quiet NaN (0x7E00 | sign), ±0 keeps its sign.
 */
export function f32ToF16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return mant !== 0 ? sign | 0x7e00 : sign | 0x7c00;
  const e = exp - 112; // biased f16 exponent (127 - 15 = 112)
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // f16 subnormal (or zero): M = full · 2^(e - 14), full = 1.mant as a 24-bit integer.
    if (exp === 0 || e < -10) return sign; // |x| < 2^-25: below half the smallest subnormal
    const full = mant | 0x800000;
    const shift = 14 - e; // 14..24
    let m = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (m & 1) === 1)) m++;
    return sign | m; // m = 0x400 is the smallest normal: correct encoding
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // carry into the exponent is correct
  return sign | h; // h = 0x7C00 after a carry from 0x7BFF: overflow to Inf
}

/** Like {@link f32ToF16Bits}, but a finite input that would round to ±Inf gives ±65504 (wire encoder). */
export function f32ToF16BitsSat(x: number): number {
  const h = f32ToF16Bits(x);
  if ((h & 0x7fff) === 0x7c00 && Number.isFinite(Math.fround(x))) return (h & 0x8000) | 0x7bff;
  return h;
}

/** The value of IEEE binary16 bits `h` (exact in f32 and f64). */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 5.960464477539063e-8; // m · 2^-24
  if (e === 31) return m !== 0 ? NaN : sign * Infinity;
  return sign * (1024 + m) * 2 ** (e - 25);
}

/**
 * bfloat16 bits of `x` (first rounded to f32): the upper 16 bits of the f32 pattern after
 * round-to-nearest-even on the lower 16. Overflow gives ±Inf; NaN gives a quiet NaN (0x7FC0 | sign).
 */
export function f32ToBf16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) & 0x8000) | 0x7fc0;
  return Math.floor((b + 0x7fff + ((b >>> 16) & 1)) / 65536) & 0xffff;
}

/** Like {@link f32ToBf16Bits}, but a finite input that would round to ±Inf gives ±max finite (wire encoder). */
export function f32ToBf16BitsSat(x: number): number {
  const h = f32ToBf16Bits(x);
  if ((h & 0x7fff) === 0x7f80 && Number.isFinite(Math.fround(x))) return (h & 0x8000) | 0x7f7f;
  return h;
}

/** The value of bfloat16 bits `h` (the f32 with bit pattern `h << 16`). */
export function bf16BitsToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/** True when f16 bits `h` are NaN or ±Inf. */
export function isF16NonFinite(h: number): boolean {
  return (h & 0x7c00) === 0x7c00;
}

/** True when bf16 bits `h` are NaN or ±Inf. */
export function isBf16NonFinite(h: number): boolean {
  return (h & 0x7f80) === 0x7f80;
}
