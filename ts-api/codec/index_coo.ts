/**
 * Index code `coo` (id 0): each kept index as a u32, little-endian, ascending
 * (docs/wire-format.md, "coo"). Payload: exactly 4·k bytes.
 */
import { fail, readU32, writeU32 } from './bytes.ts';

/** Exact payload bytes of `coo` for `k` indices. */
export function cooSize(k: number): number {
  return 4 * k;
}

/** Write `indices` as u32 LE at `pos`; returns the position after the payload. */
export function cooEncode(indices: Uint32Array, out: Uint8Array, pos: number): number {
  let p = pos;
  for (let j = 0; j < indices.length; j++) p = writeU32(out, p, indices[j]);
  return p;
}

/**
 * Decode `k` u32 indices from `b[start, start + 4k)` (the frame has checked the byte length).
 * Throws E_INDEX_RANGE (index ≥ n) or E_INDEX_ORDER (not strictly increasing) at the index's offset.
 */
export function cooDecode(b: Uint8Array, start: number, n: number, k: number): Uint32Array {
  const out = new Uint32Array(k);
  let prev = -1;
  for (let j = 0, p = start; j < k; j++, p += 4) {
    const i = readU32(b, p);
    if (i >= n) fail('E_INDEX_RANGE', p, `index ${i} >= length ${n}`);
    if (i <= prev) fail('E_INDEX_ORDER', p, `index ${i} after ${prev}: not strictly increasing`);
    out[j] = i;
    prev = i;
  }
  return out;
}
