/**
 * Crafted invalid frames, one or more per validation rule of docs/wire-format.md, each with the
 * FormatError code and byte offset a conforming decoder must report. Used by errors.test.ts and
 * written to tests/vectors/invalid/ by tests/vectors/generate.ts.
 *
 * The base frame (65 bytes): one tensor 'w', topk, no shape, coo, f32, n = 10, k = 2,
 * indices [3, 7], values [1, -2]. Offsets: name length 20, name 22, method 23, unit 24, flags 25,
 * index code 26, value code 27, rank 28, n 29, k 33, index bytes 37, value bytes 41,
 * index payload 45, value payload 53, CRC 61.
 */
import type { DecodeLimits } from '../../ts-api/codec/frame.ts';
import { Bytes, rawFrame, rawSection, type RawSection } from './helpers.ts';

/** One invalid frame and the error it must produce. */
export interface InvalidCase {
  name: string;
  bytes: Uint8Array;
  code: string;
  offset: number;
  limits?: DecodeLimits;
  /** The decoder's mask store before decoding (tensor name → mask indices), if any. */
  masks?: Record<string, number[]>;
}

const u32s = (...v: number[]): number[] => v.flatMap((x) => new Bytes().u32(x).a);
const f32s = (...v: number[]): number[] => v.flatMap((x) => new Bytes().f32(x).a);

/** The base section, with overrides. */
export function base(over: Partial<RawSection> = {}): Uint8Array {
  return rawSection({ length: 10, k: 2, indexPayload: u32s(3, 7), valuePayload: f32s(1, -2), ...over });
}

/**
 * A rect (unit 1) section: 'w', block, shape [5, 7], unit dims [2, 3] (grid [3, 3], U = 9), coo,
 * f32, k = 2 units [0, 8] (6 + 1 elements). Offsets in a one-section frame: method 23, unit 24,
 * flags 25, index code 26, value code 27, rank 28, dims 29, unit_rank 37, unit dims 38, n 46, k 50,
 * index bytes 54, value bytes 58, index payload 62, value payload 70, CRC 98.
 */
export function rectBase(over: Partial<RawSection> = {}): Uint8Array {
  return rawSection({
    method: 16, unit: 1, dims: [5, 7], unitBytes: [2, ...u32s(2, 3)], length: 35, k: 2,
    indexPayload: u32s(0, 8), valuePayload: f32s(1, 2, 3, 7, 8, 9, 34), ...over,
  });
}

/**
 * An nm (unit 2) section: 'w', nm, shape [2, 6], 2:4 (groups 4 + 2 per row, k = 8), bitmap, f32,
 * kept [0, 3, 4, 5, 7, 8, 10, 11]. Offsets: N 37, M 38, n 39, k 43, index bytes 47, value bytes 51,
 * index payload 55, value payload 57, CRC 89.
 */
export function nmBase(over: Partial<RawSection> = {}): Uint8Array {
  return rawSection({
    method: 21, unit: 2, indexCode: 2, dims: [2, 6], unitBytes: [2, 4], length: 12, k: 8,
    indexPayload: [0xb9, 0x0d], valuePayload: f32s(1, 2, 3, 4, 5, 6, 7, 8), ...over,
  });
}

/**
 * A mask (unit 3) section sent without its mask: 'w', mask, no shape, n = 10, k = 2, no index
 * payload, f32 values [5, 6]. Offsets: unit 24, flags 25, index code 26, n 29, k 33, index bytes 37,
 * value bytes 41, value payload 45, CRC 53.
 */
export function maskBase(over: Partial<RawSection> = {}): Uint8Array {
  return rawSection({ method: 22, unit: 3, length: 10, k: 2, indexPayload: [], valuePayload: f32s(5, 6), ...over });
}

/** Every invalid case. */
export function invalidCases(): InvalidCase[] {
  const ok = rawFrame([base()]);
  const c: InvalidCase[] = [];
  const add = (name: string, bytes: Uint8Array, code: string, offset: number, limits?: DecodeLimits, masks?: Record<string, number[]>): void => {
    c.push({ name, bytes, code, offset, ...(limits ? { limits } : {}), ...(masks ? { masks } : {}) });
  };
  add('limit_max_bytes', ok, 'E_LIMIT', 0, { maxBytes: 64 });
  add('limit_max_elements', ok, 'E_LIMIT', 33, { maxElements: 1 });
  add('truncated_short', ok.slice(0, 10), 'E_TRUNCATED', 10);
  add('truncated_frame', ok.slice(0, 64), 'E_TRUNCATED', 64);
  add('magic', rawFrame([base()], { magic: [0x53, 0x50, 0x47, 0x45] }), 'E_MAGIC', 0);
  add('version', rawFrame([base()], { version: 2 }), 'E_VERSION', 4);
  add('length_below_minimum', rawFrame([base()], { total: 23 }), 'E_LENGTH', 16);
  add('trailing_after_frame', Uint8Array.from([...ok, 0]), 'E_TRAILING', 65);
  add('checksum', rawFrame([base()], { crc: 0x12345678 }), 'E_CHECKSUM', 61);
  add('frame_flags', rawFrame([base()], { flags: 1 }), 'E_RESERVED', 6);
  add('tensor_count_cannot_fit', rawFrame([base()], { count: 2 }), 'E_COUNT', 12);
  add('trailing_before_checksum', rawFrame([base()], { gap: [0, 0, 0] }), 'E_TRAILING', 61);
  add('tensor_count_zero_with_section', rawFrame([base()], { count: 0 }), 'E_TRAILING', 20);
  add('truncated_name', rawFrame([base({ nameLen: 60 })]), 'E_TRUNCATED', 22);
  add('truncated_value_payload', rawFrame([base({ valuePayload: f32s(1), valueBytes: 8 })]), 'E_TRUNCATED', 53);
  add('truncated_index_payload', rawFrame([base({ indexCode: 4, indexPayload: [3, 3], indexBytes: 30, valuePayload: [], valueBytes: 8 })]), 'E_TRUNCATED', 45);
  add('name_empty', rawFrame([base({ nameLen: 0, nameBytes: [] })]), 'E_NAME', 20);
  add('name_too_long', rawFrame([base({ nameBytes: new Array(1025).fill(0x61) })]), 'E_NAME', 20);
  add('name_bad_utf8', rawFrame([base({ nameBytes: [0xc3, 0x28] })]), 'E_NAME', 22);
  add('name_surrogate_utf8', rawFrame([base({ nameBytes: [0xed, 0xa0, 0x80] })]), 'E_NAME', 22);
  add('name_duplicate', rawFrame([base(), base()]), 'E_NAME', 63);
  add('method_unknown', rawFrame([base({ method: 8 })]), 'E_CODE', 23);
  add('method_reserved_15', rawFrame([base({ method: 15 })]), 'E_CODE', 23);
  add('method_reserved_23', rawFrame([base({ method: 23 })]), 'E_CODE', 23);
  add('method_block_with_unit_element', rawFrame([base({ method: 16 })]), 'E_CODE', 24);
  add('unit_reserved', rawFrame([base({ unit: 1 })]), 'E_CODE', 24);
  add('unit_unknown', rawFrame([rectBase({ unit: 4 })]), 'E_CODE', 24);
  add('unit_nm_for_mask_method', rawFrame([maskBase({ unit: 2 })]), 'E_CODE', 24);
  add('mask_flag_on_element_unit', rawFrame([base({ flags: 2 })]), 'E_RESERVED', 25);
  add('mask_flag_on_rect_unit', rawFrame([rectBase({ flags: 3 })]), 'E_RESERVED', 25);
  add('mask_unit_flag_bit2', rawFrame([maskBase({ flags: 4 })]), 'E_RESERVED', 25);
  add('tensor_flags', rawFrame([base({ flags: 2 })]), 'E_RESERVED', 25);
  add('index_code_unknown', rawFrame([base({ indexCode: 6 })]), 'E_CODE', 26);
  add('value_code_unknown', rawFrame([base({ valueCode: 5 })]), 'E_CODE', 27);
  add('rank_without_shape_flag', rawFrame([base({ flags: 0, rank: 1 })]), 'E_SHAPE', 28);
  add('rank_too_large', rawFrame([base({ dims: new Array(17).fill(1), length: 1, k: 0, indexPayload: [], valuePayload: [] })]), 'E_SHAPE', 28);
  add('csr_without_shape', rawFrame([base({ indexCode: 1 })]), 'E_SHAPE', 28);
  add('shape_product', rawFrame([base({ dims: [3, 4] })]), 'E_SHAPE', 37);
  add('shape_product_overflow', rawFrame([base({ dims: [65536, 65536, 0x10000], length: 0, k: 0, indexPayload: [], valuePayload: [] })]), 'E_SHAPE', 41);
  add('k_above_length', rawFrame([base({ k: 11 })]), 'E_COUNT', 33);
  add('index_bytes_mismatch', rawFrame([base({ indexBytes: 12 })]), 'E_COUNT', 37);
  add('value_bytes_mismatch', rawFrame([base({ valueBytes: 4 })]), 'E_COUNT', 41);
  add('bitmap_bytes_mismatch', rawFrame([base({ indexCode: 2, indexPayload: [0x88] })]), 'E_COUNT', 37);
  add('rice_parameter', rawFrame([base({ indexCode: 5, params: [32], indexPayload: [0x00] })]), 'E_PARAM', 37);
  add('int8_scale_negative', rawFrame([base({ valueCode: 3, params: f32s(-1), valuePayload: [1, 2] })]), 'E_PARAM', 37);
  add('int8_scale_negative_zero', rawFrame([base({ valueCode: 3, params: [0, 0, 0, 0x80], valuePayload: [1, 2] })]), 'E_PARAM', 37);
  add('ternary_magnitude_nan', rawFrame([base({ valueCode: 4, params: [0, 0, 0xc0, 0x7f], valuePayload: [1] })]), 'E_PARAM', 37);
  add('index_range_coo', rawFrame([base({ indexPayload: u32s(3, 10) })]), 'E_INDEX_RANGE', 49);
  add('index_order_coo', rawFrame([base({ indexPayload: u32s(7, 3) })]), 'E_INDEX_ORDER', 49);
  add('index_duplicate_coo', rawFrame([base({ indexPayload: u32s(3, 3) })]), 'E_INDEX_ORDER', 49);
  add('index_range_bitmap_pad', rawFrame([base({ indexCode: 2, indexPayload: [0x08, 0x04] })]), 'E_INDEX_RANGE', 46);
  add('count_bitmap_popcount', rawFrame([base({ indexCode: 2, indexPayload: [0x08, 0x00] })]), 'E_COUNT', 47);
  add('varint_overlong', rawFrame([base({ indexCode: 4, indexPayload: [0x83, 0x00, 0x03] })]), 'E_VARINT', 45);
  add('varint_overflow', rawFrame([base({ indexCode: 4, indexPayload: [0xff, 0xff, 0xff, 0xff, 0x1f, 0x03] })]), 'E_VARINT', 45);
  add('varint_index_range', rawFrame([base({ indexCode: 4, indexPayload: [0x03, 0x06] })]), 'E_INDEX_RANGE', 46);
  add('varint_extra_byte', rawFrame([base({ indexCode: 4, indexPayload: [0x03, 0x03, 0x00] })]), 'E_COUNT', 47);
  add('varint_too_few', rawFrame([base({ indexCode: 4, indexPayload: [0x03] })]), 'E_COUNT', 46);
  add('rle_too_many', rawFrame([base({ indexCode: 3, indexPayload: [0x03, 0x02] })]), 'E_COUNT', 45);
  add('rle_range', rawFrame([base({ indexCode: 3, indexPayload: [0x09, 0x01] })]), 'E_INDEX_RANGE', 45);
  // rice b = 2, k = 2: gaps 3 (q0 r3) and 3 -> bits 1,11 1,11 -> 0b111111 -> 0x3f; pad bits set -> 0xff
  add('rice_pad_bits', rawFrame([base({ indexCode: 5, params: [2], indexPayload: [0xff] })]), 'E_RESERVED', 46);
  add('rice_extra_byte', rawFrame([base({ indexCode: 5, params: [2], indexPayload: [0x3f, 0x00] })]), 'E_COUNT', 47);
  add('rice_unterminated', rawFrame([base({ indexCode: 5, params: [2], indexPayload: [0x07] })]), 'E_COUNT', 47);
  add('csr_column_range', rawFrame([base({ indexCode: 1, dims: [2, 5], indexPayload: u32s(0, 1, 2, 3, 5) })]), 'E_INDEX_RANGE', 69);
  add('int8_level_minus_128', rawFrame([base({ valueCode: 3, params: f32s(1), valuePayload: [1, 0x80] })]), 'E_VALUE', 58);
  add('int8_overflow', rawFrame([base({ valueCode: 3, params: f32s(3e38), valuePayload: [1, 2] })]), 'E_NONFINITE_VALUE', 58);
  add('ternary_pad_bits', rawFrame([base({ valueCode: 4, params: f32s(1), valuePayload: [0x05] })]), 'E_RESERVED', 57);
  add('f32_nan', rawFrame([base({ valuePayload: [...f32s(1), 0, 0, 0xc0, 0x7f] })]), 'E_NONFINITE_VALUE', 57);
  add('f32_inf', rawFrame([base({ valuePayload: [0, 0, 0x80, 0xff, ...f32s(1)] })]), 'E_NONFINITE_VALUE', 53);
  add('f16_inf', rawFrame([base({ valueCode: 1, valuePayload: [0, 0x3c, 0, 0x7c] })]), 'E_NONFINITE_VALUE', 55);
  add('bf16_nan', rawFrame([base({ valueCode: 2, valuePayload: [0xc0, 0x7f, 0x80, 0x3f] })]), 'E_NONFINITE_VALUE', 53);
  // Unit 1 (rect).
  add('rect_without_shape', rawFrame([rectBase({ flags: 0, rank: 0, dims: [], unitBytes: [0] })]), 'E_SHAPE', 28);
  add('rect_csr_rank3', rawFrame([rectBase({ indexCode: 1, dims: [5, 7, 1], unitBytes: [3, ...u32s(2, 3, 1)] })]), 'E_SHAPE', 28);
  add('rect_truncated_unit_dims', rawFrame([rectBase({ name: 'wwwwwwww' }).slice(0, 27)]), 'E_TRUNCATED', 45);
  add('rect_unit_rank', rawFrame([rectBase({ unitBytes: [1, ...u32s(2, 3)] })]), 'E_SHAPE', 37);
  add('rect_unit_dim_zero', rawFrame([rectBase({ unitBytes: [2, ...u32s(2, 0)] })]), 'E_SHAPE', 42);
  add('rect_shape_product', rawFrame([rectBase({ length: 36 })]), 'E_SHAPE', 46);
  add('rect_k_above_units', rawFrame([rectBase({ k: 10 })]), 'E_COUNT', 50);
  add('rect_limit_units', rawFrame([rectBase()]), 'E_LIMIT', 50, { maxElements: 1 });
  add('rect_limit_elements', rawFrame([rectBase()]), 'E_LIMIT', 50, { maxElements: 6 });
  add('rect_bitmap_bytes', rawFrame([rectBase({ indexCode: 2, indexPayload: [0x01, 0x01, 0x00, 0x00, 0x00] })]), 'E_COUNT', 54);
  add('rect_csr_grid_bytes', rawFrame([rectBase({ indexCode: 1, indexPayload: u32s(0, 1, 1, 1, 1, 1, 0, 2) })]), 'E_COUNT', 54);
  add('rect_value_bytes_below_k', rawFrame([rectBase({ valuePayload: f32s(1) })]), 'E_COUNT', 58);
  add('rect_value_bytes_not_m', rawFrame([rectBase({ valuePayload: f32s(1, 2, 3, 4, 5, 6) })]), 'E_COUNT', 58);
  add('rect_unit_range', rawFrame([rectBase({ indexPayload: u32s(0, 9) })]), 'E_INDEX_RANGE', 66);
  add('rect_unit_order', rawFrame([rectBase({ indexPayload: u32s(8, 0) })]), 'E_INDEX_ORDER', 66);
  add('rect_unit_varint_range', rawFrame([rectBase({ indexCode: 4, indexPayload: [0x00, 0x08] })]), 'E_INDEX_RANGE', 63);
  add('rect_value_nan', rawFrame([rectBase({ valuePayload: [...f32s(1, 2, 3, 7, 8, 9), 0, 0, 0xc0, 0x7f] })]), 'E_NONFINITE_VALUE', 94);
  // Unit 2 (nm).
  add('nm_index_code', rawFrame([nmBase({ indexCode: 0 })]), 'E_CODE', 26);
  add('nm_group_zero', rawFrame([nmBase({ unitBytes: [0, 0] })]), 'E_PARAM', 38);
  add('nm_group_33', rawFrame([nmBase({ unitBytes: [2, 33] })]), 'E_PARAM', 38);
  add('nm_n_above_m', rawFrame([nmBase({ unitBytes: [5, 4] })]), 'E_PARAM', 37);
  add('nm_truncated_params', rawFrame([nmBase({ name: 'wwwwwwww' }).slice(0, 25)]), 'E_TRUNCATED', 44);
  add('nm_k_mismatch', rawFrame([nmBase({ k: 7, valuePayload: f32s(1, 2, 3, 4, 5, 6, 7) })]), 'E_COUNT', 43);
  add('nm_index_bytes', rawFrame([nmBase({ indexPayload: [0xb9, 0x0d, 0x00] })]), 'E_COUNT', 47);
  // row 1's first group (elements 6..9) spans payload bytes 0 and 1; without element 8 it keeps 1:
  // E_COUNT at the byte of its first bit
  add('nm_group_count', rawFrame([nmBase({ indexPayload: [0xb9, 0x0c] })]), 'E_COUNT', 55);
  add('nm_group_count_second_byte', rawFrame([nmBase({ indexPayload: [0xb9, 0x05] })]), 'E_COUNT', 56);
  add('nm_pad_bits', rawFrame([nmBase({ indexPayload: [0xb9, 0x1d] })]), 'E_RESERVED', 56);
  // Unit 3 (mask).
  add('mask_stored_index_code', rawFrame([maskBase({ indexCode: 2 })]), 'E_CODE', 26);
  add('mask_stored_index_bytes', rawFrame([maskBase({ indexPayload: u32s(1, 5) })]), 'E_COUNT', 37);
  add('mask_sent_index_range', rawFrame([maskBase({ flags: 2, indexPayload: u32s(1, 10) })]), 'E_INDEX_RANGE', 49);
  add('mask_missing', rawFrame([maskBase()]), 'E_MASK', 20);
  add('mask_wrong_size', rawFrame([maskBase()]), 'E_MASK', 20, undefined, { w: [1, 5, 7] });
  add('mask_stored_out_of_range', rawFrame([maskBase()]), 'E_MASK', 20, undefined, { w: [1, 10] });
  add('mask_other_name', rawFrame([maskBase()]), 'E_MASK', 20, undefined, { v: [1, 5] });
  add('mask_missing_second_section', rawFrame([base({ name: 'a' }), maskBase()]), 'E_MASK', 61, undefined, { a: [1, 2] });
  add('mask_byte_errors_first', rawFrame([maskBase(), base({ name: 'b', valuePayload: [...f32s(1), 0, 0, 0xc0, 0x7f] })]), 'E_NONFINITE_VALUE', 90);
  add('mask_missing_after_sent_mask', rawFrame([maskBase({ name: 'a', flags: 2, indexPayload: u32s(1, 5) }), maskBase({ name: 'b' })]), 'E_MASK', 61, undefined, {});
  return c;
}
