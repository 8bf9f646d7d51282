/**
 * Wire-format ABI (docs/wire-format.md): frame encoding, hardened decoding and CRC-32C, with
 * pointers and lengths only. Re-exported by assembly/index.ts. ts-api/backends/wasm/codec.ts wraps
 * it with the same types and errors as ts-api/codec (encodeFrame / decodeFrame).
 *
 * ## Conventions
 * All pointers are byte offsets into this module's memory (get blocks with sg_alloc / sg_free).
 * Integers are u32 unless noted; `f64` limits use +Infinity for "no limit". Ids: methods 0..7
 * (element-wise) and 16..22 (block, channel, head, row, column, nm, mask), index codes 0 coo,
 * 1 csr, 2 bitmap, 3 rle, 4 varint, 5 rice (255 = auto: the exactly smallest applicable code, ties
 * to the lower id), value codes 0 f32, 1 f16, 2 bf16, 3 int8, 4 ternary; units 0 element, 1 rect,
 * 2 nm, 3 mask (each method has one: 0..7 → 0, 16..20 → 1, 21 → 2, 22 → 3).
 *
 * ## Encoding (one frame at a time per instance)
 * ```
 * sg_frame_begin(step)
 * [sg_frame_next_rect(unitDimsPtr, unitsPtr, unitCount) | sg_frame_next_nm(N, M) | sg_frame_next_mask(send)]
 * sg_frame_add_tensor(namePtr, nameLen, method, shapePtr, rank, length, idxPtr, valPtr, k,
 *                     indexCode, valueCode) -> status        (repeat per tensor, in frame order)
 * sg_frame_finish() -> frame byte length (0 on failure)
 * sg_frame_bytes() -> pointer to the frame
 * ```
 * - name: UTF-8 bytes, 1..1024, unique in the frame; rank: -1 = no shape, else 0..16 dims (u32 at
 *   shapePtr) whose product is `length`; idxPtr: k u32 element indices, strictly increasing,
 *   < length; valPtr: k f32 values, finite, in index order. The section is checked and appended
 *   during the call: the name, shape, index, value, unit-dims and unit arrays need to live only for
 *   that call (and must not point into the frame buffer of sg_frame_bytes(), which grows and
 *   moves). Lossy value codes quantise (f16/bf16 round to nearest even and saturate, int8 scale
 *   lowered by one ulp when 127·scale would overflow, ternary blocked-sum magnitude).
 * - Structured units: a method other than 0..7 needs its unit set by one sg_frame_next_* call right
 *   before sg_frame_add_tensor (which consumes it, whatever its outcome): rect methods (16..20)
 *   sg_frame_next_rect with `rank` u32 unit dims and the `unitCount` kept unit numbers (strictly
 *   increasing, < U); the tensor's idx/val/k are then the elements of those units (ascending) and
 *   their values, checked to be exactly that; `indexCode` applies to the unit numbers (csr over the
 *   grid). nm (21): sg_frame_next_nm(N, M); idx must keep min(N, g) of every group; `indexCode` is
 *   ignored (the N:M payload is a bitmap). mask (22): sg_frame_next_mask(send): send = 0 writes
 *   the values only (`indexCode` ignored).
 * - status (also sg_frame_status()): 0 ok; 1 no frame begun; 2 bad name (length or UTF-8);
 *   3 duplicate name; 4 unknown method id; 5 shape (rank > 16 or product ≠ length); 6 index j not
 *   strictly increasing or ≥ length; 7 value j NaN/±Inf (j = sg_frame_error_index(); checks run in
 *   element order, index j before value j); 8 unknown value code; 9 unknown index code; 10 csr
 *   without a rank-2 shape; 11 a payload above 2^32 - 1 bytes; 12 frame above 2^32 - 1 bytes
 *   (reported by finish; sg_frame_total() gives its size as f64); 13 the unit set by
 *   sg_frame_next_* is not the method's; 14 unit geometry (rect without a shape or with a unit dim
 *   of 0; nm with M ∉ [1, 32] or N > M); 15 unit number j not strictly increasing or ≥ U; 16 the
 *   element indices differ from the kept units' elements at position j; 17 the N:M group starting
 *   at element j does not keep min(N, g). Checks run in this order: name, method, shape, unit,
 *   elements, units, value code, index code. After a failure the frame stays failed until the next
 *   sg_frame_begin.
 * - sg_frame_last_index_code() / _param() / _bytes(): the index code, rice parameter and index
 *   payload bytes chosen for the last tensor added (useful with `auto`).
 * - The bytes stay valid until the next sg_frame_begin (the buffer is reused and grows).
 *
 * ## Decoding
 * ```
 * sg_decode(ptr, len, maxElements: f64, maxBytes: f64, allowNonFinite) -> 0 or an error code
 * sg_decode_error_offset() -> byte offset of the failure
 * ```
 * Error codes (docs/wire-format.md, "Error codes"): 1 E_LIMIT, 2 E_TRUNCATED, 3 E_MAGIC,
 * 4 E_VERSION, 5 E_LENGTH, 6 E_TRAILING, 7 E_CHECKSUM, 8 E_RESERVED, 9 E_COUNT, 10 E_NAME,
 * 11 E_CODE, 12 E_SHAPE, 13 E_PARAM, 14 E_INDEX_RANGE, 15 E_INDEX_ORDER, 16 E_VARINT, 17 E_VALUE,
 * 18 E_NONFINITE_VALUE, 19 E_MASK (never returned by sg_decode: see "Mask store"). Checks run in
 * the spec's order, so code and offset equal the TypeScript decoder's for every input. Reads never
 * leave [ptr, ptr + len); k-sized blocks are allocated only after the section's payload lengths
 * were checked against the bytes present (k ≤ 8·len), and a rect section's m-sized element blocks
 * only after m was checked against maxElements and value_bytes; time is O(len + Σk + Σm).
 *
 * After success: sg_decode_step(), sg_decode_total_length(), sg_decode_checksum(),
 * sg_decode_tensor_count(), and per tensor t (0-based): sg_decode_indices(t) (k u32 element
 * indices), sg_decode_values(t) (k f32, dequantised), sg_decode_k(t) (the number of elements),
 * sg_decode_length(t), sg_decode_name(t) / sg_decode_name_len(t) (a pointer into the input),
 * sg_decode_method(t), sg_decode_index_code(t), sg_decode_value_code(t), sg_decode_rank(t)
 * (-1: no shape), sg_decode_dim(t, d), sg_decode_unit(t), sg_decode_unit_dim(t, d),
 * sg_decode_units(t) / sg_decode_unit_count(t), or sg_decode_field(t, f) for any record field.
 * The whole table is at sg_decode_tensors(): sg_decode_tensor_words() (= 27) u32 per tensor,
 * fields 0 name offset, 1 name length, 2 method, 3 has shape, 4 index code, 5 value code, 6 rank,
 * 7 dims offset, 8 length, 9 k (elements: for a rect section the derived m), 10 index parameter
 * (rice b), 11 value parameter (f32 bits), 12 index bytes, 13 value bytes, 14 section offset,
 * 15 section bytes, 16 indices pointer, 17 values pointer, 18 index payload offset, 19 value
 * payload offset, 20 unit, 21 tensor flags byte (bit 1: the mask was sent), 22 unit dims offset
 * (rect), 23 kept units (rect: the section's k), 24 unit numbers pointer (rect), 25 N, 26 M (nm)
 * (offsets from the frame's first byte). Results live until the next sg_decode or
 * sg_decode_release(); the input must not change meanwhile (names and dims are read from it).
 *
 * ## Mask store (unit 3)
 * The module keeps no receiver state. A mask section sent without its mask (unit 3, flags bit 1
 * clear) decodes to its k values with indices pointer 0; the host applies rule 11 of the spec
 * after sg_decode succeeded: for each such section in frame order, its stored mask (by name) must
 * hold exactly k strictly increasing indices below the length, else E_MASK at the section offset
 * (field 14); then it stores the mask of every unit-3 section with flags bit 1. So the same bytes
 * give the same result in every host, and no mask crosses into Wasm memory. (ts-api/backends/wasm/
 * codec.ts and interop/c/sg_decode.c do this.)
 *
 * ## Other
 * sg_crc32c(ptr, len) -> CRC-32C; sg_codec_seed(lo, hi) keys the hash of the name sets (any
 * value; the TypeScript wrapper passes random bits, so crafted names cannot force collisions).
 *
 * Encoder and decoder state are independent (one frame being built and one decoded result per
 * instance; they may interleave). The SIMD and scalar builds give identical bytes and results.
 * Memory exhaustion (a block Wasm memory cannot grow to hold) traps, as every sg_alloc does; use
 * `maxElements` / `maxBytes` to bound what untrusted frames may ask for.
 */
import {
  frameAddTensor, frameBegin, frameBytes, frameFinish, frameNextMask, frameNextNm, frameNextRect, frameStatus, frameTotal,
  encErrorIndex, encLastIndexBytes, encLastIndexCode, encLastIndexParam,
} from './kernels/encode_frame';
import {
  TENSOR_WORDS, T_DIMS_OFF, T_HAS_SHAPE, T_INDEX_CODE, T_INDICES_PTR, T_K, T_LENGTH, T_METHOD, T_NAME_LEN, T_NAME_OFF,
  T_RANK, T_UNIT, T_UNITS_PTR, T_UNIT_COUNT, T_UNIT_DIMS_OFF, T_VALUES_PTR, T_VALUE_CODE, decChecksum, decCount, decStep,
  decTable, decTotal, decodeFrame, decodeInputBase, decodeRelease,
} from './kernels/decode_frame';
import { crc32c } from './kernels/checksum_crc32c';
import { formatErrorOffset } from './util/format_errors';
import { namesSeed } from './util/utf8_names';

/** Version of the wire format these kernels speak. */
export function sg_wire_version(): u32 {
  return 1;
}

/** Starts a frame for `step`. */
export function sg_frame_begin(step: u32): void {
  frameBegin(step);
}

/** The next tensor is a rect section: `rank` u32 unit dims at `unitDimsPtr`, `unitCount` kept unit numbers at `unitsPtr`. */
export function sg_frame_next_rect(unitDimsPtr: usize, unitsPtr: usize, unitCount: u32): void {
  frameNextRect(unitDimsPtr, unitsPtr, unitCount);
}

/** The next tensor is an N:M section. */
export function sg_frame_next_nm(N: u32, M: u32): void {
  frameNextNm(N, M);
}

/** The next tensor is a mask section; `send` = 0: values only (the receiver holds the mask). */
export function sg_frame_next_mask(send: u32): void {
  frameNextMask(send != 0);
}

/** Checks one tensor and appends its section; 0 or a status code (see the header). */
export function sg_frame_add_tensor(
  namePtr: usize, nameLen: u32, method: u32, shapePtr: usize, rank: i32, length: u32,
  idxPtr: usize, valPtr: usize, k: u32, indexCode: u32, valueCode: u32,
): i32 {
  return frameAddTensor(namePtr, nameLen, method, shapePtr, rank, length, idxPtr, valPtr, k, indexCode, valueCode);
}

/** Writes header and CRC; the frame's byte length, or 0 on failure (see sg_frame_status). */
export function sg_frame_finish(): u32 {
  return frameFinish();
}

/** Pointer to the finished frame. */
export function sg_frame_bytes(): usize {
  return frameBytes();
}

/** Status of the frame being built (0 ok). */
export function sg_frame_status(): i32 {
  return frameStatus();
}

/** Element position of the last index / value failure (status 6 / 7). */
export function sg_frame_error_index(): u32 {
  return encErrorIndex;
}

/** Size the frame would have, as f64 (for status 12). */
export function sg_frame_total(): f64 {
  return frameTotal();
}

/** Index code chosen for the last tensor added. */
export function sg_frame_last_index_code(): u32 {
  return encLastIndexCode;
}

/** Rice parameter of the last tensor added (0 for other codes). */
export function sg_frame_last_index_param(): u32 {
  return encLastIndexParam;
}

/** Index payload bytes of the last tensor added. */
export function sg_frame_last_index_bytes(): u32 {
  return encLastIndexBytes;
}

/** Decodes and validates a frame; 0 or an error code (offset: sg_decode_error_offset). */
export function sg_decode(ptr: usize, len: u32, maxElements: f64, maxBytes: f64, allowNonFinite: u32): i32 {
  return decodeFrame(ptr, len, maxElements, maxBytes, allowNonFinite != 0);
}

/** Byte offset of the last decoding failure. */
export function sg_decode_error_offset(): u32 {
  return formatErrorOffset;
}

/** Frees the results of the last decode. */
export function sg_decode_release(): void {
  decodeRelease();
}

/** Step of the last decoded frame. */
export function sg_decode_step(): u32 {
  return decStep;
}

/** Byte length of the last decoded frame. */
export function sg_decode_total_length(): u32 {
  return decTotal;
}

/** CRC-32C of the last decoded frame. */
export function sg_decode_checksum(): u32 {
  return decChecksum;
}

/** Number of decoded tensors. */
export function sg_decode_tensor_count(): u32 {
  return decCount;
}

/** The tensor table (sg_decode_tensor_words() u32 per tensor). */
export function sg_decode_tensors(): usize {
  return decTable;
}

/** u32 words per tensor record. */
export function sg_decode_tensor_words(): u32 {
  return TENSOR_WORDS;
}

/** Field `f` (0..26) of tensor t's record. */
export function sg_decode_field(t: u32, f: u32): u32 {
  if (t >= decCount || f >= TENSOR_WORDS) return 0;
  return load<u32>(decTable + (<usize>(t * TENSOR_WORDS + f) << 2));
}

/** Decoded indices of tensor t (k u32). */
export function sg_decode_indices(t: u32): usize {
  return sg_decode_field(t, T_INDICES_PTR);
}

/** Decoded values of tensor t (k f32). */
export function sg_decode_values(t: u32): usize {
  return sg_decode_field(t, T_VALUES_PTR);
}

/** k of tensor t. */
export function sg_decode_k(t: u32): u32 {
  return sg_decode_field(t, T_K);
}

/** Dense length of tensor t. */
export function sg_decode_length(t: u32): u32 {
  return sg_decode_field(t, T_LENGTH);
}

/** Pointer to tensor t's name bytes (inside the input). */
export function sg_decode_name(t: u32): usize {
  return t < decCount ? decodeInputBase() + <usize>sg_decode_field(t, T_NAME_OFF) : 0;
}

/** Byte length of tensor t's name. */
export function sg_decode_name_len(t: u32): u32 {
  return sg_decode_field(t, T_NAME_LEN);
}

/** Method id of tensor t. */
export function sg_decode_method(t: u32): u32 {
  return sg_decode_field(t, T_METHOD);
}

/** Index code id of tensor t. */
export function sg_decode_index_code(t: u32): u32 {
  return sg_decode_field(t, T_INDEX_CODE);
}

/** Value code id of tensor t. */
export function sg_decode_value_code(t: u32): u32 {
  return sg_decode_field(t, T_VALUE_CODE);
}

/** Rank of tensor t, or -1 when no shape is declared. */
export function sg_decode_rank(t: u32): i32 {
  return sg_decode_field(t, T_HAS_SHAPE) ? <i32>sg_decode_field(t, T_RANK) : -1;
}

/** Dim d of tensor t's shape (0 when out of range). */
export function sg_decode_dim(t: u32, d: u32): u32 {
  if (t >= decCount || d >= sg_decode_field(t, T_RANK)) return 0;
  return load<u32>(decodeInputBase() + <usize>sg_decode_field(t, T_DIMS_OFF) + (<usize>d << 2));
}

/** Unit of tensor t (0 element, 1 rect, 2 nm, 3 mask). */
export function sg_decode_unit(t: u32): u32 {
  return sg_decode_field(t, T_UNIT);
}

/** Unit dim d of a rect tensor t (0 when out of range or not rect). */
export function sg_decode_unit_dim(t: u32, d: u32): u32 {
  if (t >= decCount || sg_decode_field(t, T_UNIT) != 1 || d >= sg_decode_field(t, T_RANK)) return 0;
  return load<u32>(decodeInputBase() + <usize>sg_decode_field(t, T_UNIT_DIMS_OFF) + (<usize>d << 2));
}

/** Kept unit numbers of a rect tensor t (sg_decode_unit_count(t) u32; 0 otherwise). */
export function sg_decode_units(t: u32): usize {
  return sg_decode_field(t, T_UNITS_PTR);
}

/** Number of kept units of a rect tensor t (0 otherwise). */
export function sg_decode_unit_count(t: u32): u32 {
  return sg_decode_field(t, T_UNIT_COUNT);
}

/** CRC-32C of `ptr[0, len)`. */
export function sg_crc32c(ptr: usize, len: u32): u32 {
  return crc32c(ptr, len);
}

/** Keys the name-set hash (any value). */
export function sg_codec_seed(lo: u32, hi: u32): void {
  namesSeed(lo, hi);
}
