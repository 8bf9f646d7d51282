/**
 * Decoder of index code `coo` (id 0; docs/wire-format.md, "coo"): k u32 indices (the frame has
 * checked index_bytes = 4k and that they are present). Copies them out, then validates with the
 * SIMD scan of encode_check; at the first failure, index ≥ n → E_INDEX_RANGE, else not strictly
 * increasing → E_INDEX_ORDER, at the index's offset.
 */
import { E_INDEX_ORDER, E_INDEX_RANGE, formatFail } from '../util/format_errors';
import { firstBadIndex } from './encode_check';

/** Decodes k coo indices at offset `start` of the frame at `base` into `out`; 0 or an error code. */
export function cooDecode(base: usize, start: u32, n: u32, k: u32, out: usize): i32 {
  memory.copy(out, base + <usize>start, <usize>k << 2);
  const j = firstBadIndex(out, k, n);
  if (j == k) return 0;
  const at = start + (j << 2);
  return formatFail(load<u32>(out + (<usize>j << 2)) >= n ? E_INDEX_RANGE : E_INDEX_ORDER, at);
}
