/**
 * FormatError codes of the wire-format decoder (docs/wire-format.md, "Error codes") as small
 * integers, and the decoder's error slot (code + byte offset). Decoding kernels return 0 on success
 * or one of these codes after recording the offset with {@link formatFail}.
 * The numbering is part of the ABI (assembly/codec_abi.ts); it follows the order of the table in
 * the spec and of `FormatErrorCode` in ts-api/codec/bytes.ts.
 */

export const E_OK: i32 = 0;
export const E_LIMIT: i32 = 1;
export const E_TRUNCATED: i32 = 2;
export const E_MAGIC: i32 = 3;
export const E_VERSION: i32 = 4;
export const E_LENGTH: i32 = 5;
export const E_TRAILING: i32 = 6;
export const E_CHECKSUM: i32 = 7;
export const E_RESERVED: i32 = 8;
export const E_COUNT: i32 = 9;
export const E_NAME: i32 = 10;
export const E_CODE: i32 = 11;
export const E_SHAPE: i32 = 12;
export const E_PARAM: i32 = 13;
export const E_INDEX_RANGE: i32 = 14;
export const E_INDEX_ORDER: i32 = 15;
export const E_VARINT: i32 = 16;
export const E_VALUE: i32 = 17;
export const E_NONFINITE_VALUE: i32 = 18;
/** Raised by hosts (the mask store is theirs; assembly/codec_abi.ts, "Mask store"), never by the kernels. */
export const E_MASK: i32 = 19;

/** Byte offset (from the frame's first byte) of the last recorded failure. */
export let formatErrorOffset: u32 = 0;
/** Code of the last recorded failure (0: none). */
export let formatErrorCode: i32 = 0;

/** Records a failure and returns its code (so kernels can `return formatFail(E_X, at)`). */
export function formatFail(code: i32, offset: u32): i32 {
  formatErrorCode = code;
  formatErrorOffset = offset;
  return code;
}

/** Clears the error slot. */
export function formatClear(): void {
  formatErrorCode = 0;
  formatErrorOffset = 0;
}
