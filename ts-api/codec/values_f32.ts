/**
 * Value code `f32` (id 0): each value as its IEEE-754 binary32 bit pattern, u32 LE
 * (docs/wire-format.md, "f32"). Lossless. Payload: exactly 4·k bytes.
 */
import { fail, isNonFiniteBits, readU32, writeU32 } from './bytes.ts';

/** Exact payload bytes of `f32` for `k` values. */
export function f32Size(k: number): number {
  return 4 * k;
}

/** Write the bit patterns of `values` at `pos`; returns the end. */
export function f32Encode(values: Float32Array, out: Uint8Array, pos: number): number {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let p = pos;
  for (let j = 0; j < bits.length; j++) p = writeU32(out, p, bits[j]);
  return p;
}

/**
 * Decode `k` f32 values at `start` (bit-exact, NaN payloads included). NaN/±Inf →
 * E_NONFINITE_VALUE at the value's offset unless `allowNonFinite`.
 */
export function f32Decode(b: Uint8Array, start: number, k: number, allowNonFinite: boolean): Float32Array {
  const out = new Float32Array(k);
  const bits = new Uint32Array(out.buffer);
  for (let j = 0, p = start; j < k; j++, p += 4) {
    const u = readU32(b, p);
    if (!allowNonFinite && isNonFiniteBits(u)) fail('E_NONFINITE_VALUE', p, `value ${j} is NaN or infinite`);
    bits[j] = u;
  }
  return out;
}
