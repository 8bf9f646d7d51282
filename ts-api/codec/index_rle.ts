/**
 * Index code `rle` (id 3): run lengths of the 0/1 keep-mask (docs/wire-format.md, "rle").
 * The kept positions form maximal runs of adjacent indices `[s_j, s_j + len_j)`, j = 0 … m-1.
 * Each run is one pair of canonical LEB128 varints `(z_j, o_j)`:
 * `z_0 = s_0`, `z_j = s_j - (s_{j-1} + len_{j-1}) - 1` for j ≥ 1 (the zeros between runs, minus
 * the one zero that must separate them), and `o_j = len_j - 1`. The zeros after the last run are
 * implied by n. Every pair sequence is a valid, unique encoding (no non-maximal runs possible).
 */
import { fail } from './bytes.ts';
import { readVarint, varintSize, writeVarint, type VarintResult } from './varint.ts';

/** Call `visit(z, o)` for each run pair of ascending `indices`. */
function forEachRun(indices: Uint32Array, visit: (z: number, o: number) => void): void {
  const k = indices.length;
  let j = 0;
  let after = 0; // position after the previous run
  while (j < k) {
    const s = indices[j];
    let e = j + 1;
    while (e < k && indices[e] === indices[e - 1] + 1) e++;
    visit(j === 0 ? s : s - after - 1, e - j - 1);
    after = s + (e - j);
    j = e;
  }
}

/** Exact payload bytes of `rle` for ascending `indices`. */
export function rleSize(indices: Uint32Array): number {
  let s = 0;
  forEachRun(indices, (z, o) => {
    s += varintSize(z) + varintSize(o);
  });
  return s;
}

/** Write the run pairs of ascending `indices` at `pos`; returns the end. */
export function rleEncode(indices: Uint32Array, out: Uint8Array, pos: number): number {
  let p = pos;
  forEachRun(indices, (z, o) => {
    p = writeVarint(out, p, z);
    p = writeVarint(out, p, o);
  });
  return p;
}

/**
 * Decode run pairs from `b[start, end)` until `k` indices are produced. Bad varint → E_VARINT at its
 * first byte; a run reaching past n → E_INDEX_RANGE, or past k indices → E_COUNT, at the pair's first
 * byte; the payload ends before k indices → E_COUNT at `end`; bytes left → E_COUNT at the first one.
 */
export function rleDecode(b: Uint8Array, start: number, end: number, n: number, k: number): Uint32Array {
  const out = new Uint32Array(k);
  const r: VarintResult = { value: 0, pos: 0 };
  let p = start;
  let c = 0;
  let after = 0;
  while (c < k) {
    const pairAt = p;
    readVarint(b, p, end, r);
    if (r.pos < 0) fail('E_COUNT', end, `index payload ends after ${c} of k = ${k} indices`);
    const s = c === 0 ? r.value : after + 1 + r.value;
    readVarint(b, r.pos, end, r);
    if (r.pos < 0) fail('E_COUNT', end, `index payload ends after ${c} of k = ${k} indices`);
    const len = r.value + 1;
    if (s + len > n) fail('E_INDEX_RANGE', pairAt, `run [${s}, ${s + len}) exceeds length ${n}`);
    if (c + len > k) fail('E_COUNT', pairAt, `runs hold more than k = ${k} indices`);
    for (let t = 0; t < len; t++) out[c + t] = s + t;
    c += len;
    after = s + len;
    p = r.pos;
  }
  if (p < end) fail('E_COUNT', p, `${end - p} index payload bytes left after k = ${k} indices`);
  return out;
}
