/**
 * CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value 0xFFFFFFFF, final XOR
 * 0xFFFFFFFF. G. Castagnoli, S. Bräuer, M. Herrmann, "Optimization of cyclic redundancy-check codes
 * with 24 and 32 parity bits", IEEE Trans. Communications 41(6), 1993. Check value:
 * crc32c("123456789") = 0xE3069283. Implemented slice-by-8 (eight 256-entry tables).
 */

/** The reflected CRC-32C polynomial. */
export const CRC32C_POLY = 0x82f63b78;

const TABLES: Uint32Array = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ CRC32C_POLY : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let s = 1; s < 8; s++) {
      const prev = t[(s - 1) * 256 + i];
      t[s * 256 + i] = (t[prev & 0xff] ^ (prev >>> 8)) >>> 0;
    }
  }
  return t;
}

/**
 * Continue a CRC-32C over `bytes[start, end)` from a running (pre-final-XOR) state.
 * Use {@link crc32c} unless you are hashing in pieces.
 * @param state running state: 0xFFFFFFFF for a fresh CRC.
 * @returns the new running state (XOR with 0xFFFFFFFF to finish).
 */
export function crc32cUpdate(state: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = TABLES;
  let c = state >>> 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    c =
      t[7 * 256 + (lo & 0xff)] ^
      t[6 * 256 + ((lo >>> 8) & 0xff)] ^
      t[5 * 256 + ((lo >>> 16) & 0xff)] ^
      t[4 * 256 + (lo >>> 24)] ^
      t[3 * 256 + bytes[i + 4]] ^
      t[2 * 256 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

/**
 * CRC-32C of `bytes[start, end)` (Castagnoli 1993), as an unsigned 32-bit number.
 * @example crc32c(new TextEncoder().encode('123456789')) === 0xe3069283
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return (crc32cUpdate(0xffffffff, bytes, start, end) ^ 0xffffffff) >>> 0;
}
