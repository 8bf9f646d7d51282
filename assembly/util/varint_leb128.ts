/**
 * Unsigned LEB128 varints of u32 values (docs/wire-format.md, "Conventions", Varints): 7 bits per
 * byte, least significant group first, bit 7 set on every byte but the last. Only the canonical form
 * is valid: at most 5 bytes, no trailing 0x00 byte after the first, a 5th byte in 0x01..0x0F.
 */

/** readVarint status: the varint is complete and canonical (see varintValue / varintNext). */
export const VARINT_OK: i32 = 0;
/** readVarint status: the payload ends inside the varint (callers report E_COUNT at the end). */
export const VARINT_TRUNCATED: i32 = 1;
/** readVarint status: over-long form or a value above 2^32 - 1 (callers report E_VARINT). */
export const VARINT_BAD: i32 = 2;

/** Value of the last varint read successfully. */
export let varintValue: u32 = 0;
/** Offset just after the last varint read successfully. */
export let varintNext: u32 = 0;

/** Bytes of the canonical LEB128 form of `v` (1..5): ceil(bitlength / 7), bitlength of 0 taken as 1. */
// @ts-ignore: decorator
@inline export function varintSize(v: u32): u32 {
  const bits = 32 - clz<u32>(v | 1);
  return ((bits + 6) * 37) >> 8; // = floor((bits + 6) / 7) for bits in 1..32
}

/**
 * Writes the canonical LEB128 form of `v` at `p` with one unaligned 8-byte store (the 8 bytes at `p`
 * must be writable; bytes after the varint are overwritten with zeros). Returns `p + varintSize(v)`.
 */
// @ts-ignore: decorator
@inline export function writeVarintFast(p: usize, v: u32): usize {
  const x = <u64>v;
  const spread =
    (x & 0x7f) | ((x & 0x3f80) << 1) | ((x & 0x1fc000) << 2) | ((x & 0xfe00000) << 3) | ((x & 0xf0000000) << 4);
  const size = varintSize(v);
  const cont: u64 = 0x80808080 & ((<u64>1 << (<u64>(size - 1) << 3)) - 1);
  store<u64>(p, spread | cont);
  return p + size;
}

/** Writes the canonical LEB128 form of `v` at `p` byte by byte (exact: writes only its own bytes). */
export function writeVarint(p: usize, v: u32): usize {
  let x = v;
  while (x >= 0x80) {
    store<u8>(p++, (x & 0x7f) | 0x80);
    x >>>= 7;
  }
  store<u8>(p++, x);
  return p;
}

/**
 * Reads one canonical varint at offset `p` of the buffer at `base`, never reading at or past
 * offset `end`. Returns VARINT_OK (value in varintValue, next offset in varintNext),
 * VARINT_TRUNCATED or VARINT_BAD, checking each byte for the end before looking at it, in the
 * order of ts-api/codec/varint.ts.
 */
// @ts-ignore: decorator
@inline export function readVarint(base: usize, p: u32, end: u32): i32 {
  if (<u64>p + 5 <= <u64>end) {
    // Fast path: all five bytes are inside the payload.
    const a = base + <usize>p;
    const b0 = <u32>load<u8>(a);
    if (b0 < 0x80) {
      varintValue = b0;
      varintNext = p + 1;
      return VARINT_OK;
    }
    const b1 = <u32>load<u8>(a, 1);
    if (b1 < 0x80) {
      if (b1 == 0) return VARINT_BAD;
      varintValue = (b0 & 0x7f) | (b1 << 7);
      varintNext = p + 2;
      return VARINT_OK;
    }
    const b2 = <u32>load<u8>(a, 2);
    if (b2 < 0x80) {
      if (b2 == 0) return VARINT_BAD;
      varintValue = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | (b2 << 14);
      varintNext = p + 3;
      return VARINT_OK;
    }
    const b3 = <u32>load<u8>(a, 3);
    if (b3 < 0x80) {
      if (b3 == 0) return VARINT_BAD;
      varintValue = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | ((b2 & 0x7f) << 14) | (b3 << 21);
      varintNext = p + 4;
      return VARINT_OK;
    }
    const b4 = <u32>load<u8>(a, 4);
    if (b4 > 0x0f || b4 == 0) return VARINT_BAD;
    varintValue = (b0 & 0x7f) | ((b1 & 0x7f) << 7) | ((b2 & 0x7f) << 14) | ((b3 & 0x7f) << 21) | (b4 << 28);
    varintNext = p + 5;
    return VARINT_OK;
  }
  return readVarintTail(base, p, end);
}

/** readVarint near the end of a payload: checks the end before every byte. */
export function readVarintTail(base: usize, p: u32, end: u32): i32 {
  let value: u32 = 0;
  for (let i: u32 = 0; i < 5; i++) {
    const q = p + i;
    if (q >= end) return VARINT_TRUNCATED;
    const byte = <u32>load<u8>(base + <usize>q);
    if (i == 4) {
      if (byte > 0x0f || byte == 0) return VARINT_BAD;
      varintValue = value | (byte << 28);
      varintNext = q + 1;
      return VARINT_OK;
    }
    value |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      if (byte == 0 && i > 0) return VARINT_BAD;
      varintValue = value;
      varintNext = q + 1;
      return VARINT_OK;
    }
  }
  return VARINT_BAD; // unreachable: the loop returns at i == 4
}
