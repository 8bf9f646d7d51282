/**
 * Little-endian byte helpers and the decoder's error codes (docs/wire-format.md, "Validation").
 */
import { FormatError } from '../errors.ts';

/** Every FormatError code a decoder can raise (docs/wire-format.md, "Validation"). */
export type FormatErrorCode =
  | 'E_LIMIT'
  | 'E_TRUNCATED'
  | 'E_MAGIC'
  | 'E_VERSION'
  | 'E_LENGTH'
  | 'E_TRAILING'
  | 'E_CHECKSUM'
  | 'E_RESERVED'
  | 'E_COUNT'
  | 'E_NAME'
  | 'E_CODE'
  | 'E_SHAPE'
  | 'E_PARAM'
  | 'E_INDEX_RANGE'
  | 'E_INDEX_ORDER'
  | 'E_VARINT'
  | 'E_VALUE'
  | 'E_NONFINITE_VALUE'
  | 'E_MASK';

/** Throw `FormatError(code, offset, message)`. */
export function fail(code: FormatErrorCode, offset: number, message: string): never {
  throw new FormatError(code, offset, message);
}

/** Read a u16 LE at `p` (caller has checked bounds). */
export function readU16(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8);
}

/** Read a u32 LE at `p` (caller has checked bounds). */
export function readU32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

/** Write a u16 LE at `p`; returns `p + 2`. */
export function writeU16(b: Uint8Array, p: number, v: number): number {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  return p + 2;
}

/** Write a u32 LE at `p`; returns `p + 4`. */
export function writeU32(b: Uint8Array, p: number, v: number): number {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = (v >>> 24) & 0xff;
  return p + 4;
}

/** The IEEE-754 binary32 bit pattern of `x` rounded to f32 (NaN payloads are platform-defined). */
export { f32Bits } from '../reference/key.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The f32 value with bit pattern `bits` (as a JS number). */
export function bitsToF32(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0];
}

/** True when a u32 bit pattern is an f32 NaN or ±Inf (exponent all ones). */
export function isNonFiniteBits(bits: number): boolean {
  return (bits & 0x7f800000) === 0x7f800000;
}

/** A Uint32Array view of the same memory: the exact bit pattern of each f32 (NaN payloads included). */
export function f32ArrayBits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** True for an integer in [0, 2^32 - 1]. */
export const isU32 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff;

/** True when `s` has no lone UTF-16 surrogate (so its UTF-8 form is exact). */
export function wellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}
