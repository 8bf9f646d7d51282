/**
 * Index code `csr` (id 1), for tensors declared with a rank-2 shape `[R, C]` (docs/wire-format.md,
 * "csr"): R + 1 row pointers (u32 LE; `ptr[0] = 0`, `ptr[r + 1]` = number of kept indices below
 * `(r + 1)·C`, `ptr[R] = k`), then k column indices (u32 LE, `index mod C`), row by row.
 * Payload: exactly 4·(R + 1) + 4·k bytes.
 */
import { fail, readU32, writeU32 } from './bytes.ts';

/** Exact payload bytes of `csr` for `rows` rows and `k` indices. */
export function csrSize(rows: number, k: number): number {
  return 4 * (rows + 1) + 4 * k;
}

/** Write the row pointers and column indices of ascending `indices` in an R×C tensor; returns the end. */
export function csrEncode(indices: Uint32Array, rows: number, cols: number, out: Uint8Array, pos: number): number {
  const k = indices.length;
  let p = pos;
  let j = 0;
  for (let r = 0; r < rows; r++) {
    p = writeU32(out, p, j);
    const limit = (r + 1) * cols;
    while (j < k && indices[j] < limit) j++;
  }
  p = writeU32(out, p, k);
  for (let t = 0; t < k; t++) p = writeU32(out, p, indices[t] % cols);
  return p;
}

/**
 * Decode a `csr` payload at `start` (the frame has checked its byte length, 4·(R + 1) + 4·k).
 * Row pointers: `ptr[0] ≠ 0` or a decrease → E_INDEX_ORDER at that pointer; `ptr[R] ≠ k` → E_COUNT
 * at `ptr[R]`. Columns: `col ≥ C` → E_INDEX_RANGE, not strictly increasing within a row →
 * E_INDEX_ORDER, at the column's offset.
 */
export function csrDecode(b: Uint8Array, start: number, rows: number, cols: number, k: number): Uint32Array {
  let prev = 0;
  for (let r = 0; r <= rows; r++) {
    const p = start + 4 * r;
    const v = readU32(b, p);
    if (r === 0 ? v !== 0 : v < prev) fail('E_INDEX_ORDER', p, `row pointer ${r} is ${v} after ${prev}`);
    prev = v;
  }
  if (prev !== k) fail('E_COUNT', start + 4 * rows, `last row pointer ${prev} != k ${k}`);
  const out = new Uint32Array(k);
  const colStart = start + 4 * (rows + 1);
  let j = 0;
  for (let r = 0; r < rows; r++) {
    const end = readU32(b, start + 4 * (r + 1));
    let prevCol = -1;
    for (; j < end; j++) {
      const p = colStart + 4 * j;
      const c = readU32(b, p);
      if (c >= cols) fail('E_INDEX_RANGE', p, `column ${c} >= ${cols} in row ${r}`);
      if (c <= prevCol) fail('E_INDEX_ORDER', p, `column ${c} after ${prevCol} in row ${r}`);
      out[j] = r * cols + c;
      prevCol = c;
    }
  }
  return out;
}
