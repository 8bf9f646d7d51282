/**
 * Decoder of index code `csr` (id 1; docs/wire-format.md, "csr") for a rank-2 shape [R, C] (the
 * frame has checked index_bytes = 4(R + 1) + 4k and that they are present). Row pointers first, in
 * order: ptr[0] ≠ 0 or a decrease → E_INDEX_ORDER at that pointer; ptr[R] ≠ k → E_COUNT at ptr[R];
 * then columns row by row: col ≥ C → E_INDEX_RANGE, not increasing within the row →
 * E_INDEX_ORDER, at the column's offset. Index = r·C + col.
 */
import { E_COUNT, E_INDEX_ORDER, E_INDEX_RANGE, formatFail } from '../util/format_errors';

/** Decodes a csr payload at offset `start` into `out`; 0 or an error code. */
export function csrDecode(base: usize, start: u32, rows: u32, cols: u32, k: u32, out: usize): i32 {
  const src = base + <usize>start;
  let prev: u32 = 0;
  for (let r: u32 = 0; r <= rows; r++) {
    const v = load<u32>(src + (<usize>r << 2));
    if (r == 0 ? v != 0 : v < prev) return formatFail(E_INDEX_ORDER, start + (r << 2));
    prev = v;
  }
  if (prev != k) return formatFail(E_COUNT, start + (rows << 2));
  const colStart = start + ((rows + 1) << 2);
  let j: u32 = 0;
  for (let r: u32 = 0; r < rows; r++) {
    const end = load<u32>(src + (<usize>(r + 1) << 2));
    const rowBase = r * cols; // < n: fits
    let prevCol: i64 = -1;
    for (; j < end; j++) {
      const at = colStart + (j << 2);
      const c = load<u32>(base + <usize>at);
      if (c >= cols) return formatFail(E_INDEX_RANGE, at);
      if (<i64>c <= prevCol) return formatFail(E_INDEX_ORDER, at);
      store<u32>(out + (<usize>j << 2), rowBase + c);
      prevCol = c;
    }
  }
  return 0;
}
