/**
 * Decoder of the N:M payload of a unit-2 section (docs/wire-format.md, "Unit 2"): ceil(n/8) bytes,
 * stream bit i set iff element i is kept. Groups in row-major order (rows of C elements, groups of
 * M, the last group of a row g = C mod M when not 0); a group starting at stream bit s without
 * exactly min(N, g) set bits → E_COUNT at start + floor(s / 8); then non-zero pad bits →
 * E_RESERVED at the last byte. Writes the k kept indices (k = the N:M count, checked by the frame).
 */
import { E_COUNT, E_RESERVED, formatFail } from '../util/format_errors';

// @ts-ignore: decorator
@inline function bitsAt(src: usize, s: u64, g: u32): u32 {
  // g ≤ 32 bits from stream bit s: up to 5 bytes, read bytewise (the payload holds them: s + g ≤ n).
  let v: u64 = 0;
  const first = s >> 3;
  const last = (s + <u64>g - 1) >> 3;
  for (let q = first; q <= last; q++) v |= <u64>load<u8>(src + <usize>q) << ((q - first) << 3);
  v >>= s & 7;
  return <u32>(g == 32 ? v : v & ((<u64>1 << g) - 1));
}

/** Decodes the N:M bits over n elements at offset `start` into `out`; 0 or an error code. */
export function nmDecode(base: usize, start: u32, n: u32, C: u32, N: u32, M: u32, out: usize): i32 {
  const src = base + <usize>start;
  let w: u32 = 0;
  if (C > 0) {
    for (let row: u64 = 0; row < <u64>n; row += <u64>C) {
      const rowEnd = row + <u64>C;
      for (let s = row; s < rowEnd; s += <u64>M) {
        const g = <u32>(min<u64>(s + <u64>M, rowEnd) - s);
        let bits = bitsAt(src, s, g);
        if (<u32>popcnt<u32>(bits) != min<u32>(N, g)) return formatFail(E_COUNT, start + <u32>(s >> 3));
        while (bits != 0) {
          store<u32>(out + (<usize>w << 2), <u32>s + ctz<u32>(bits));
          w++;
          bits &= bits - 1;
        }
      }
    }
  }
  const size = <u32>((<u64>n + 7) >> 3);
  if ((n & 7) != 0 && (<u32>load<u8>(src + <usize>(size - 1)) >> (n & 7)) != 0) return formatFail(E_RESERVED, start + size - 1);
  return 0;
}
