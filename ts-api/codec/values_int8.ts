/**
 * Value code `int8` (id 3): one f32 scale per tensor plus one signed byte per value
 * (docs/wire-format.md, "int8"). Every step is one f32 operation:
 * `maxabs = max_j |v_j|` (exact), `scale = f32(maxabs / 127)` (one ulp less if `f32(127 · scale)`
 * overflows); if `scale = 0` every `q_j = 0`,
 * else `q_j = clamp(roundHalfEven(f32(v_j / scale)), -127, 127)`. Decoded value: `f32(q_j · scale)`.
 * Lossy: the sender treats {@link int8Quantize}'s result as the value sent. Payload: exactly k bytes;
 * the byte 0x80 (-128) never occurs.
 */
import { fail } from './bytes.ts';

/** Round an f32-valued number to the nearest integer, ties to even (±0 results are +0). */
export function roundHalfEven(x: number): number {
  let r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) r -= 1;
  return r === 0 ? 0 : r;
}

const cell = new Float32Array(1);
const cellBits = new Uint32Array(cell.buffer);

/**
 * The tensor's int8 scale: `f32(maxabs / 127)` over `values` (0 for no values), lowered by one ulp
 * when `f32(127 · scale)` would overflow (maxabs = the f32 maximum), so that every level decodes to
 * a finite value.
 */
export function int8Scale(values: Float32Array): number {
  let m = 0;
  for (let j = 0; j < values.length; j++) {
    const a = Math.abs(values[j]);
    if (a > m) m = a;
  }
  const scale = Math.fround(m / 127);
  if (Number.isFinite(Math.fround(127 * scale))) return scale;
  cell[0] = scale;
  cellBits[0] -= 1;
  return cell[0];
}

/** The signed level `q` of value `v` under `scale`. */
export function int8Level(v: number, scale: number): number {
  if (scale === 0) return 0;
  const q = roundHalfEven(Math.fround(v / scale));
  return q > 127 ? 127 : q < -127 ? -127 : q;
}

/** Exact payload bytes of `int8` for `k` values (the scale is the value parameter). */
export function int8Size(k: number): number {
  return k;
}

/** The values a receiver decodes from `int8` with `scale` (default: {@link int8Scale}). */
export function int8Quantize(values: Float32Array, scale: number = int8Scale(values)): Float32Array {
  const out = new Float32Array(values.length);
  for (let j = 0; j < values.length; j++) out[j] = Math.fround(int8Level(values[j], scale) * scale);
  return out;
}

/** Write the levels of `values` under `scale` at `pos`; returns the end. */
export function int8Encode(values: Float32Array, scale: number, out: Uint8Array, pos: number): number {
  let p = pos;
  for (let j = 0; j < values.length; j++) out[p++] = int8Level(values[j], scale) & 0xff;
  return p;
}

/**
 * Decode `k` levels at `start` under `scale` (already validated finite and ≥ +0). Byte 0x80 →
 * E_VALUE; a product that overflows to ±Inf → E_NONFINITE_VALUE (unless allowed); at the byte.
 */
export function int8Decode(b: Uint8Array, start: number, k: number, scale: number, allowNonFinite: boolean): Float32Array {
  const out = new Float32Array(k);
  for (let j = 0, p = start; j < k; j++, p++) {
    const q = (b[p] << 24) >> 24;
    if (q === -128) fail('E_VALUE', p, `int8 level -128 (value ${j}) is not allowed`);
    const v = Math.fround(q * scale);
    if (!allowNonFinite && !Number.isFinite(v)) fail('E_NONFINITE_VALUE', p, `value ${j} overflows to infinity`);
    out[j] = v;
  }
  return out;
}
