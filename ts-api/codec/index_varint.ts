/**
 * Index code `varint` (id 4): delta + LEB128 (docs/wire-format.md, "varint"). With `i_{-1} = -1`,
 * gap `g_j = i_j - i_{j-1} - 1` (≥ 0) is written as a canonical LEB128 varint, j = 0 … k-1.
 * So the first varint is `i_0` itself and a run of adjacent indices costs one 0x00 byte each.
 */
import { fail } from './bytes.ts';
import { readVarint, varintSize, writeVarint, type VarintResult } from './varint.ts';

/** Exact payload bytes of `varint` for ascending `indices`. */
export function varintIndexSize(indices: Uint32Array): number {
  let s = 0;
  let prev = -1;
  for (let j = 0; j < indices.length; j++) {
    s += varintSize(indices[j] - prev - 1);
    prev = indices[j];
  }
  return s;
}

/** Write the gap varints of ascending `indices` at `pos`; returns the end. */
export function varintIndexEncode(indices: Uint32Array, out: Uint8Array, pos: number): number {
  let p = pos;
  let prev = -1;
  for (let j = 0; j < indices.length; j++) {
    p = writeVarint(out, p, indices[j] - prev - 1);
    prev = indices[j];
  }
  return p;
}

/**
 * Decode exactly `k` gap varints from `b[start, end)`. Bad varint → E_VARINT at its first byte;
 * an index ≥ n → E_INDEX_RANGE at its varint; the payload ends before k indices → E_COUNT at `end`;
 * bytes left after k indices → E_COUNT at the first one.
 */
export function varintIndexDecode(b: Uint8Array, start: number, end: number, n: number, k: number): Uint32Array {
  const out = new Uint32Array(k);
  const r: VarintResult = { value: 0, pos: 0 };
  let p = start;
  let prev = -1;
  for (let j = 0; j < k; j++) {
    readVarint(b, p, end, r);
    if (r.pos < 0) fail('E_COUNT', end, `index payload ends after ${j} of k = ${k} indices`);
    const i = prev + 1 + r.value;
    if (i >= n) fail('E_INDEX_RANGE', p, `index ${i} >= length ${n}`);
    out[j] = i;
    prev = i;
    p = r.pos;
  }
  if (p < end) fail('E_COUNT', p, `${end - p} index payload bytes left after k = ${k} indices`);
  return out;
}
