/**
 * Unsigned LEB128 varints of u32 values (docs/wire-format.md, "Varints"): 7 bits per byte, least
 * significant group first, bit 7 set on every byte but the last. Canonical only: at most 5 bytes, the
 * last byte of a multi-byte varint is non-zero (no over-long forms), and a 5th byte is 0x01..0x0F
 * (no value above 2^32 - 1).
 */
import { fail } from './bytes.ts';

/** Bytes of the canonical LEB128 form of a u32 `v` (1..5). */
export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Write the canonical LEB128 form of a u32 `v` at `p`; returns the next position. */
export function writeVarint(out: Uint8Array, p: number, v: number): number {
  let x = v >>> 0;
  while (x >= 0x80) {
    out[p++] = (x & 0x7f) | 0x80;
    x >>>= 7;
  }
  out[p++] = x;
  return p;
}

/**
 * Outcome of {@link readVarint}: `value`, and `pos`, the position after the varint, or -1 when the
 * payload ended inside the varint.
 */
export interface VarintResult {
  value: number;
  pos: number;
}

/**
 * Read one canonical u32 LEB128 varint from `b[p, end)`.
 * Throws FormatError E_VARINT (offset `p`) on an over-long form or a value above 2^32 - 1.
 * When `end` cuts the varint, returns `pos = -1` (the caller reports E_COUNT at its payload end).
 * The result object `r` is reused to avoid allocation.
 */
export function readVarint(b: Uint8Array, p: number, end: number, r: VarintResult): VarintResult {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    const q = p + i;
    if (q >= end) {
      r.pos = -1;
      return r;
    }
    const byte = b[q];
    if (i === 4) {
      if (byte > 0x0f) fail('E_VARINT', p, 'varint exceeds 2^32 - 1 or is longer than 5 bytes');
      if (byte === 0) fail('E_VARINT', p, 'over-long varint (last byte is zero)');
      r.value = value + byte * 0x10000000;
      r.pos = q + 1;
      return r;
    }
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) {
      if (byte === 0 && i > 0) fail('E_VARINT', p, 'over-long varint (last byte is zero)');
      r.value = value;
      r.pos = q + 1;
      return r;
    }
    shift += 7;
  }
  return fail('E_VARINT', p, 'unreachable');
}
