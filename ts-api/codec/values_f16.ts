/**
 * Value code `f16` (id 1): IEEE 754-2008 binary16, u16 LE, round to nearest even, subnormals kept,
 * finite overflow saturated to ±65504 (docs/wire-format.md, "f16"). Lossy: the sender treats
 * {@link f16Quantize}'s result as the value sent. Payload: exactly 2·k bytes.
 */
import { fail, readU16, writeU16 } from './bytes.ts';
import { f16BitsToF32, f32ToF16BitsSat, isF16NonFinite } from './f16.ts';

/** Exact payload bytes of `f16` for `k` values. */
export function f16Size(k: number): number {
  return 2 * k;
}

/** The values a receiver decodes from `f16`: f32(f16(v)) with saturation. */
export function f16Quantize(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let j = 0; j < values.length; j++) out[j] = f16BitsToF32(f32ToF16BitsSat(values[j]));
  return out;
}

/** Write `values` as binary16 at `pos`; returns the end. */
export function f16Encode(values: Float32Array, out: Uint8Array, pos: number): number {
  let p = pos;
  for (let j = 0; j < values.length; j++) p = writeU16(out, p, f32ToF16BitsSat(values[j]));
  return p;
}

/** Decode `k` binary16 values at `start`. NaN/±Inf → E_NONFINITE_VALUE at the value's offset unless allowed. */
export function f16Decode(b: Uint8Array, start: number, k: number, allowNonFinite: boolean): Float32Array {
  const out = new Float32Array(k);
  for (let j = 0, p = start; j < k; j++, p += 2) {
    const h = readU16(b, p);
    if (!allowNonFinite && isF16NonFinite(h)) fail('E_NONFINITE_VALUE', p, `value ${j} is NaN or infinite`);
    out[j] = f16BitsToF32(h);
  }
  return out;
}
