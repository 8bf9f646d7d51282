/**
 * Decoder of index code `rle` (id 3; docs/wire-format.md, "rle"): run pairs (z, o) until k
 * indices. For the pair at offset o_p: a bad varint → E_VARINT at that varint; the payload ends
 * (inside a varint or between the two) → E_COUNT at the payload end; s + len > n → E_INDEX_RANGE
 * at o_p; more than k indices → E_COUNT at o_p; bytes left after k indices → E_COUNT at the first.
 * Runs are written four positions per SIMD store.
 */
import { E_COUNT, E_INDEX_RANGE, E_VARINT, formatFail } from '../util/format_errors';
import { VARINT_OK, VARINT_TRUNCATED, readVarint, varintNext, varintValue } from '../util/varint_leb128';

/** Decodes an rle payload in [start, end) into k indices at `out`; 0 or an error code. */
export function rleDecode(base: usize, start: u32, end: u32, n: u32, k: u32, out: usize): i32 {
  let p = start;
  let c: u32 = 0;
  let after: u64 = 0;
  while (c < k) {
    const pairAt = p;
    let st = readVarint(base, p, end);
    if (st != VARINT_OK) return st == VARINT_TRUNCATED ? formatFail(E_COUNT, end) : formatFail(E_VARINT, p);
    const s: u64 = c == 0 ? <u64>varintValue : after + 1 + <u64>varintValue;
    const p2 = varintNext;
    st = readVarint(base, p2, end);
    if (st != VARINT_OK) return st == VARINT_TRUNCATED ? formatFail(E_COUNT, end) : formatFail(E_VARINT, p2);
    const len = <u64>varintValue + 1;
    if (s + len > <u64>n) return formatFail(E_INDEX_RANGE, pairAt);
    if (<u64>c + len > <u64>k) return formatFail(E_COUNT, pairAt);
    const s32 = <u32>s;
    const l32 = <u32>len;
    const dst = out + (<usize>c << 2);
    let t: u32 = 0;
    if (ASC_FEATURE_SIMD) {
      if (l32 >= 4) {
        let v = i32x4.add(i32x4.splat(s32), v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0));
        const four = i32x4.splat(4);
        for (; t + 4 <= l32; t += 4) {
          v128.store(dst + (<usize>t << 2), v);
          v = i32x4.add(v, four);
        }
      }
    }
    for (; t < l32; t++) store<u32>(dst + (<usize>t << 2), s32 + t);
    c += l32;
    after = s + len;
    p = varintNext;
  }
  if (p < end) return formatFail(E_COUNT, p);
  return 0;
}
