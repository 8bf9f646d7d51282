/**
 * Decoder of index code `bitmap` (id 2; docs/wire-format.md, "bitmap"): ceil(n/8) bytes holding
 * exactly k set bits (length checked by the frame). Set bits are visited in increasing position: at
 * a bit ≥ n → E_INDEX_RANGE, at the (k+1)-th → E_COUNT, both at its byte; fewer than k →
 * E_COUNT at the payload end. Whole 8-byte words before the last byte are taken at once (popcount
 * first, so a word that would exceed k goes to the byte-exact path).
 */
import { E_COUNT, E_INDEX_RANGE, formatFail } from '../util/format_errors';

/** Decodes a bitmap over n positions at offset `start` into `out`; 0 or an error code. */
export function bitmapDecode(base: usize, start: u32, n: u32, k: u32, out: usize): i32 {
  const size = <u32>((<u64>n + 7) >> 3);
  const src = base + <usize>start;
  let c: u32 = 0;
  let q: u32 = 0;
  // Words that end before the last byte cannot hold a position >= n.
  if (size > 0) {
    const last = size - 1;
    while (q + 8 <= last) {
      let w = load<u64>(src + <usize>q);
      if (w != 0) {
        if (c + <u32>popcnt<u64>(w) > k) break;
        const bitBase = q << 3;
        while (w != 0) {
          store<u32>(out + (<usize>c << 2), bitBase + <u32>ctz<u64>(w));
          c++;
          w &= w - 1;
        }
      }
      q += 8;
    }
  }
  for (; q < size; q++) {
    let byte = <u32>load<u8>(src + <usize>q);
    while (byte != 0) {
      const i = (q << 3) + ctz<u32>(byte);
      if (i >= n) return formatFail(E_INDEX_RANGE, start + q);
      if (c == k) return formatFail(E_COUNT, start + q);
      store<u32>(out + (<usize>c << 2), i);
      c++;
      byte &= byte - 1;
    }
  }
  if (c < k) return formatFail(E_COUNT, start + size);
  return 0;
}
