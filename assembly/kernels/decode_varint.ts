/**
 * Decoder of index code `varint` (id 4; docs/wire-format.md, "varint"): k gap varints, i_j =
 * i_{j-1} + 1 + g_j. For the varint at offset o: not canonical → E_VARINT at o; i_j ≥ n →
 * E_INDEX_RANGE at o; the payload ends before k varints → E_COUNT at the payload end; bytes left
 * → E_COUNT at the first one.
 */
import { E_COUNT, E_INDEX_RANGE, E_VARINT, formatFail } from '../util/format_errors';
import { VARINT_OK, VARINT_TRUNCATED, readVarint, varintNext, varintValue } from '../util/varint_leb128';

/** Decodes a varint payload in [start, end) into k indices at `out`; 0 or an error code. */
export function varintIndexDecode(base: usize, start: u32, end: u32, n: u32, k: u32, out: usize): i32 {
  let p = start;
  let next: u64 = 0; // i_{j-1} + 1
  for (let j: u32 = 0; j < k; j++) {
    const st = readVarint(base, p, end);
    if (st != VARINT_OK) return st == VARINT_TRUNCATED ? formatFail(E_COUNT, end) : formatFail(E_VARINT, p);
    const i = next + <u64>varintValue;
    if (i >= <u64>n) return formatFail(E_INDEX_RANGE, p);
    store<u32>(out + (<usize>j << 2), <u32>i);
    next = i + 1;
    p = varintNext;
  }
  if (p < end) return formatFail(E_COUNT, p);
  return 0;
}
