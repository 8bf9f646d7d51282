/**
 * Index code `bitmap` (id 2): one bit per dense position, LSB-first (docs/wire-format.md, "bitmap"):
 * position `i` is bit `i mod 8` (value `1 << (i mod 8)`) of byte `floor(i / 8)`; set = kept.
 * Payload: exactly ceil(n / 8) bytes; bits at positions ≥ n are zero.
 */
import { fail } from './bytes.ts';

/** Exact payload bytes of `bitmap` for a dense length `n`. */
export function bitmapSize(n: number): number {
  return Math.ceil(n / 8);
}

/** Write the bitmap of ascending `indices` over `n` positions at `pos`; returns the end. */
export function bitmapEncode(indices: Uint32Array, n: number, out: Uint8Array, pos: number): number {
  const size = bitmapSize(n);
  out.fill(0, pos, pos + size);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    out[pos + Math.floor(i / 8)] |= 1 << (i % 8);
  }
  return pos + size;
}

/**
 * Decode a bitmap of ceil(n/8) bytes at `start` holding exactly `k` set bits. Set bits are visited in
 * ascending position: one at a position ≥ n → E_INDEX_RANGE, the (k+1)-th → E_COUNT, both at the
 * byte's offset; fewer than k → E_COUNT at the payload end.
 */
export function bitmapDecode(b: Uint8Array, start: number, n: number, k: number): Uint32Array {
  const out = new Uint32Array(k);
  const size = bitmapSize(n);
  let c = 0;
  for (let q = 0; q < size; q++) {
    let byte = b[start + q];
    while (byte !== 0) {
      const t = 31 - Math.clz32(byte & -byte);
      const i = q * 8 + t;
      if (i >= n) fail('E_INDEX_RANGE', start + q, `bitmap bit ${i} >= length ${n}`);
      if (c === k) fail('E_COUNT', start + q, `bitmap has more than k = ${k} set bits`);
      out[c++] = i;
      byte &= byte - 1;
    }
  }
  if (c < k) fail('E_COUNT', start + size, `bitmap has ${c} set bits, k = ${k}`);
  return out;
}
