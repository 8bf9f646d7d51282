/**
 * Decoder of index code `rice` (id 5; docs/wire-format.md, "rice") with parameter b (0..31,
 * checked by the frame). For code word j, `at` is the byte holding its first bit: the stream ends
 * before the one bit or inside r → E_COUNT at the payload end; q ≥ 2^32 or i_j ≥ n →
 * E_INDEX_RANGE at `at`. After k words: non-zero pad bits → E_RESERVED at that byte; whole bytes
 * left → E_COUNT at the first one.
 *
 * Fast path: while 8 payload bytes remain, a 64-bit buffer (≥ 57 valid bits) is loaded and code
 * words are taken from it with count-trailing-zeros and shifts until the next one does not fit;
 * such a word (a long unary part) and the last bytes of the payload go through the general,
 * bit-exact path, which reads zeros past the payload end (never loading them).
 */
import { E_COUNT, E_INDEX_RANGE, E_RESERVED, formatFail } from '../util/format_errors';
import { peekBits64 } from '../util/bitio_lsb';

/** State of the decoder between the fast and the general path. */
let pos: u64 = 0; // stream bit position
let next: u64 = 0; // i_{j-1} + 1

/** Decodes one code word at `pos` the general way; 0, or an error code. */
function decodeOne(base: usize, start: u32, end: u32, n: u32, b: u32, out: usize, j: u32): i32 {
  const totalBits = <u64>(end - start) << 3;
  const at = start + <u32>(pos >> 3);
  let off = <u32>(pos & 7);
  let w = peekBits64(base, at, end) >> off;
  let q: u64 = 0;
  while (w == 0) {
    const adv = <u64>(64 - off);
    q += adv;
    pos += adv;
    if (pos >= totalBits) return formatFail(E_COUNT, end);
    off = <u32>(pos & 7);
    w = peekBits64(base, start + <u32>(pos >> 3), end) >> off;
  }
  const tz = <u32>ctz<u64>(w);
  q += tz;
  pos += <u64>tz + 1;
  if (totalBits - pos < <u64>b) return formatFail(E_COUNT, end);
  const r = (peekBits64(base, start + <u32>(pos >> 3), end) >> (pos & 7)) & ((<u64>1 << b) - 1);
  pos += b;
  if (q >= 0x100000000) return formatFail(E_INDEX_RANGE, at);
  const i = next + (q << b) + r;
  if (i >= <u64>n) return formatFail(E_INDEX_RANGE, at);
  store<u32>(out + (<usize>j << 2), <u32>i);
  next = i + 1;
  return 0;
}

/** Decodes a rice payload in [start, end) with parameter b into k indices at `out`; 0 or an error code. */
export function riceDecode(base: usize, start: u32, end: u32, n: u32, k: u32, b: u32, out: usize): i32 {
  const src = base + <usize>start;
  const plen = <u64>(end - start);
  const mask: u64 = (<u64>1 << b) - 1;
  const nn = <u64>n;
  let cur: u64 = 0; // stream bit position (local copy of `pos`)
  let nxt: u64 = 0; // local copy of `next`
  let j: u32 = 0;
  while (j < k) {
    const byte = cur >> 3;
    if (byte + 8 <= plen) {
      const off = <u32>(cur & 7);
      const w0 = load<u64>(src + <usize>byte) >> off;
      if (j + 4 <= k) {
        // Four code words from one load when they fit: one check for all four (the error path
        // re-decodes them one by one, so the first failing word is the one reported).
        const t0 = <u32>ctz<u64>(w0);
        const u0 = t0 + 1 + b;
        const w1 = w0 >> u0;
        const t1 = <u32>ctz<u64>(w1);
        const u1 = t1 + 1 + b;
        const w2 = w1 >> u1;
        const t2 = <u32>ctz<u64>(w2);
        const u2 = t2 + 1 + b;
        const w3 = w2 >> u2;
        const t3 = <u32>ctz<u64>(w3);
        const used = u0 + u1 + u2 + t3 + 1 + b;
        if (used < 64 - off && u0 < 64 && u1 < 64 && u2 < 64) {
          const i0 = nxt + (<u64>t0 << b) + ((w0 >> (t0 + 1)) & mask);
          const i1 = i0 + 1 + (<u64>t1 << b) + ((w1 >> (t1 + 1)) & mask);
          const i2 = i1 + 1 + (<u64>t2 << b) + ((w2 >> (t2 + 1)) & mask);
          const i3 = i2 + 1 + (<u64>t3 << b) + ((w3 >> (t3 + 1)) & mask);
          if (i3 < nn) {
            const o = out + (<usize>j << 2);
            store<u32>(o, <u32>i0);
            store<u32>(o, <u32>i1, 4);
            store<u32>(o, <u32>i2, 8);
            store<u32>(o, <u32>i3, 12);
            nxt = i3 + 1;
            cur += used;
            j += 4;
            continue;
          }
        }
      }
      // Code words one at a time from the same load, while they fit.
      let buf = w0;
      let avail: u32 = 64 - off;
      let p = cur;
      let nx = nxt;
      const j0 = j;
      while (j < k) {
        const tz = <u32>ctz<u64>(buf);
        const used = tz + 1 + b;
        if (used > avail) break;
        const rest = (buf >> tz) >> 1;
        const i = nx + (<u64>tz << b) + (rest & mask);
        if (i >= nn) return formatFail(E_INDEX_RANGE, start + <u32>(p >> 3));
        store<u32>(out + (<usize>j << 2), <u32>i);
        nx = i + 1;
        buf = rest >> b;
        avail -= used;
        p += used;
        j++;
      }
      cur = p;
      nxt = nx;
      if (j > j0) continue;
    }
    pos = cur;
    next = nxt;
    const st = decodeOne(base, start, end, n, b, out, j);
    if (st != 0) return st;
    cur = pos;
    nxt = next;
    j++;
  }
  let p = start + <u32>(cur >> 3);
  const bitOff = <u32>(cur & 7);
  if (bitOff != 0) {
    if ((<u32>load<u8>(base + <usize>p) >> bitOff) != 0) return formatFail(E_RESERVED, p);
    p++;
  }
  if (p < end) return formatFail(E_COUNT, p);
  return 0;
}
