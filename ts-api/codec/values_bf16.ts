/**
 * Value code `bf16` (id 2): bfloat16 (the upper half of an f32), u16 LE, round to nearest even,
 * finite overflow saturated to ±0x7F7F (docs/wire-format.md, "bf16"). Lossy: the sender treats
 * {@link bf16Quantize}'s result as the value sent. Payload: exactly 2·k bytes.
 */
import { fail, readU16, writeU16 } from './bytes.ts';
import { bf16BitsToF32, f32ToBf16BitsSat, isBf16NonFinite } from './f16.ts';

/** Exact payload bytes of `bf16` for `k` values. */
export function bf16Size(k: number): number {
  return 2 * k;
}

/** The values a receiver decodes from `bf16`: f32(bf16(v)) with saturation. */
export function bf16Quantize(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let j = 0; j < values.length; j++) out[j] = bf16BitsToF32(f32ToBf16BitsSat(values[j]));
  return out;
}

/** Write `values` as bfloat16 at `pos`; returns the end. */
export function bf16Encode(values: Float32Array, out: Uint8Array, pos: number): number {
  let p = pos;
  for (let j = 0; j < values.length; j++) p = writeU16(out, p, f32ToBf16BitsSat(values[j]));
  return p;
}

/** Decode `k` bfloat16 values at `start`. NaN/±Inf → E_NONFINITE_VALUE at the value's offset unless allowed. */
export function bf16Decode(b: Uint8Array, start: number, k: number, allowNonFinite: boolean): Float32Array {
  const out = new Float32Array(k);
  for (let j = 0, p = start; j < k; j++, p += 2) {
    const h = readU16(b, p);
    if (!allowNonFinite && isBf16NonFinite(h)) fail('E_NONFINITE_VALUE', p, `value ${j} is NaN or infinite`);
    out[j] = bf16BitsToF32(h);
  }
  return out;
}
