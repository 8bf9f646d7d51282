/**
 * CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value 0xFFFFFFFF, final XOR
 * 0xFFFFFFFF (G. Castagnoli, S. Bräuer, M. Herrmann, "Optimization of cyclic redundancy-check
 * codes with 24 and 32 parity bits", IEEE Trans. Communications 41(6), 1993; the iSCSI CRC of
 * RFC 3720). Check value: crc32c("123456789") = 0xE3069283.
 *
 * Slicing-by-16 (M. E. Kounavis, F. L. Berry, "A systematic approach to building high performance
 * software-based CRC generators", ISCC 2005): sixteen 256-entry tables, 16 input bytes per step
 * with two 8-byte loads; table s maps a byte to its CRC contribution s bytes ahead. Wasm has no
 * carry-less multiply, so the SIMD and scalar builds share this table code and give the same bits.
 */

/** Reflected CRC-32C polynomial. */
const POLY: u32 = 0x82f63b78;
/** 16 tables of 256 u32 (16 KiB) in static memory; built on first use. */
const TAB: usize = memory.data(16 * 256 * 4, 64);
let ready = false;

function buildTables(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    store<u32>(TAB + (<usize>i << 2), c);
  }
  for (let s: u32 = 1; s < 16; s++) {
    for (let i: u32 = 0; i < 256; i++) {
      const prev = load<u32>(TAB + ((<usize>(s - 1) * 256 + <usize>i) << 2));
      const next = load<u32>(TAB + (<usize>(prev & 0xff) << 2)) ^ (prev >>> 8);
      store<u32>(TAB + ((<usize>s * 256 + <usize>i) << 2), next);
    }
  }
  ready = true;
}

// @ts-ignore: decorator
@inline function t(s: u32, b: u32): u32 {
  return load<u32>(TAB + (<usize>s << 10) + (<usize>b << 2));
}

/**
 * Continues a CRC-32C over `p[0, len)` from a running (pre-final-XOR) state; 0xFFFFFFFF starts a
 * fresh CRC. Returns the new running state (XOR with 0xFFFFFFFF to finish).
 */
export function crc32cUpdate(state: u32, p: usize, len: u32): u32 {
  if (!ready) buildTables();
  let c = state;
  let i: u32 = 0;
  for (; <u64>i + 16 <= <u64>len; i += 16) {
    const a = load<u64>(p + <usize>i);
    const b = load<u64>(p + <usize>i, 8);
    const lo = <u32>a ^ c;
    const hi = <u32>(a >> 32);
    const b0 = <u32>b;
    const b1 = <u32>(b >> 32);
    c =
      t(15, lo & 0xff) ^ t(14, (lo >> 8) & 0xff) ^ t(13, (lo >> 16) & 0xff) ^ t(12, lo >> 24) ^
      t(11, hi & 0xff) ^ t(10, (hi >> 8) & 0xff) ^ t(9, (hi >> 16) & 0xff) ^ t(8, hi >> 24) ^
      t(7, b0 & 0xff) ^ t(6, (b0 >> 8) & 0xff) ^ t(5, (b0 >> 16) & 0xff) ^ t(4, b0 >> 24) ^
      t(3, b1 & 0xff) ^ t(2, (b1 >> 8) & 0xff) ^ t(1, (b1 >> 16) & 0xff) ^ t(0, b1 >> 24);
  }
  for (; i < len; i++) c = t(0, (c ^ <u32>load<u8>(p + <usize>i)) & 0xff) ^ (c >>> 8);
  return c;
}

/** CRC-32C of `p[0, len)`. */
export function crc32c(p: usize, len: u32): u32 {
  return crc32cUpdate(0xffffffff, p, len) ^ 0xffffffff;
}
