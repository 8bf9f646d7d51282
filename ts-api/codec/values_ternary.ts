/**
 * Value code `ternary` (id 4): Sparse Ternary Compression (F. Sattler, S. Wiedemann, K.-R. Müller,
 * W. Samek, "Robust and Communication-Efficient Federated Learning from Non-IID Data", IEEE TNNLS
 * 31(9), 2020; arXiv:1903.02891, 2019). One f32 magnitude per tensor,
 * `mu = f32(blockedSum(|v|) / f32(k))` (blockedSum of docs/selection.md "Reductions" over the k kept
 * values in index order; `mu = 0` for k = 0; an overflow to +Inf saturates to the largest finite
 * f32), then one sign bit per value, LSB-first
 * (bit j = sign bit of v_j's f32 pattern). Decoded value: `-mu` if the bit is set, else `mu`.
 * Lossy: the sender treats {@link ternaryQuantize}'s result as the value sent. Payload: exactly
 * ceil(k / 8) bytes, pad bits zero (docs/wire-format.md, "ternary").
 */
import { f32Bits, fail } from './bytes.ts';

/** Elements per block of the blocked sum (docs/selection.md, "Reductions"). */
const BLOCK = 65536;
/** Largest finite f32. */
const F32_MAX = 3.4028234663852886e38;

/** blockedSum of |v| (docs/selection.md "Reductions"): 4 f32 lanes per 65536-block, blocks in order. */
export function blockedAbsSum(values: Float32Array): number {
  let total = 0;
  for (let start = 0; start < values.length; start += BLOCK) {
    const end = Math.min(values.length, start + BLOCK);
    let l0 = 0;
    let l1 = 0;
    let l2 = 0;
    let l3 = 0;
    for (let i = start; i < end; i++) {
      const a = Math.abs(values[i]);
      switch (i & 3) {
        case 0: l0 = Math.fround(l0 + a); break;
        case 1: l1 = Math.fround(l1 + a); break;
        case 2: l2 = Math.fround(l2 + a); break;
        default: l3 = Math.fround(l3 + a);
      }
    }
    total = Math.fround(total + Math.fround(Math.fround(l0 + l1) + Math.fround(l2 + l3)));
  }
  return total;
}

/** The STC magnitude `mu` of `values` (see the module comment). */
export function ternaryMagnitude(values: Float32Array): number {
  const k = values.length;
  if (k === 0) return 0;
  const mu = Math.fround(blockedAbsSum(values) / Math.fround(k));
  return Number.isFinite(mu) ? mu : F32_MAX;
}

/** Exact payload bytes of `ternary` for `k` values (the magnitude is the value parameter). */
export function ternarySize(k: number): number {
  return Math.ceil(k / 8);
}

/** The values a receiver decodes from `ternary` with magnitude `mu` (default: {@link ternaryMagnitude}). */
export function ternaryQuantize(values: Float32Array, mu: number = ternaryMagnitude(values)): Float32Array {
  const out = new Float32Array(values.length);
  for (let j = 0; j < values.length; j++) out[j] = f32Bits(values[j]) >>> 31 ? -mu : mu;
  return out;
}

/** Write the sign bits of `values` at `pos`; returns the end. */
export function ternaryEncode(values: Float32Array, out: Uint8Array, pos: number): number {
  const size = ternarySize(values.length);
  out.fill(0, pos, pos + size);
  for (let j = 0; j < values.length; j++) if (f32Bits(values[j]) >>> 31) out[pos + (j >>> 3)] |= 1 << (j & 7);
  return pos + size;
}

/** Decode `k` sign bits at `start` with magnitude `mu`. Set pad bits → E_RESERVED at the last byte. */
export function ternaryDecode(b: Uint8Array, start: number, k: number, mu: number): Float32Array {
  const out = new Float32Array(k);
  const size = ternarySize(k);
  if (k % 8 !== 0 && b[start + size - 1] >>> k % 8 !== 0) fail('E_RESERVED', start + size - 1, 'non-zero pad bits after the last sign bit');
  for (let j = 0; j < k; j++) out[j] = (b[start + (j >>> 3)] >>> (j & 7)) & 1 ? -mu : mu;
  return out;
}
