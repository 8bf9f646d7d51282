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
}

const u32s = (...v: number[]): number[] => v.flatMap((x) => new Bytes().u32(x).a);
const f32s = (...v: number[]): number[] => v.flatMap((x) => new Bytes().f32(x).a);

/** The base section, with overrides. */
export function base(over: Partial<RawSection> = {}): Uint8Array {
  return rawSection({ length: 10, k: 2, indexPayload: u32s(3, 7), valuePayload: f32s(1, -2), ...over });
}

/** Every invalid case. */
export function invalidCases(): InvalidCase[] {
  const ok = rawFrame([base()]);
  const c: InvalidCase[] = [];
  const add = (name: string, bytes: Uint8Array, code: string, offset: number, limits?: DecodeLimits): void => {
    c.push({ name, bytes, code, offset, ...(limits ? { limits } : {}) });
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
  add('method_reserved_block', rawFrame([base({ method: 16 })]), 'E_CODE', 23);
  add('unit_reserved', rawFrame([base({ unit: 1 })]), 'E_CODE', 24);
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
  return c;
}
