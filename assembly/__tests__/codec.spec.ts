// AssemblyScript unit tests of the wire-format helpers and kernels, run by tests/as/as_units.test.ts
// against both builds. Known answers are from docs/wire-format.md, RFC 3720 (CRC-32C vectors) and
// IEEE 754 binary16 / bfloat16 tables, computed independently of this code.
import { VARINT_BAD, VARINT_OK, VARINT_TRUNCATED, readVarint, varintNext, varintSize, varintValue, writeVarint, writeVarintFast } from '../util/varint_leb128';
import { bwFinish, bwPut, bwStart, bwZeros } from '../util/bitio_lsb';
import { f16BitsToF32Bits, f16x4ToF32, f32BitsToBf16Sat, f32BitsToF16Sat, f32x4ToBf16Sat, f32x4ToF16Sat } from '../util/f16_convert';
import { utf8Valid } from '../util/utf8_names';
import { crc32c } from '../kernels/checksum_crc32c';
import { riceEncode, riceParameter, riceSize, riceSizeFromQuotients } from '../kernels/encode_rice';
import { rleSize } from '../kernels/encode_rle';
import { SCAN_RICE, SCAN_RLE, SCAN_VARINT, scanIndices, scanRiceQ, scanRleZBytes, scanRuns, scanVarintBytes } from '../kernels/encode_index_scan';
import { varintIndexSize } from '../kernels/encode_varint';
import { firstBadIndex } from '../kernels/encode_check';
import { int8Encode, int8ScaleFromMaxBits } from '../kernels/encode_int8';
import { frameAddTensor, frameBegin, frameBytes, frameFinish, frameNextNm, frameNextRect } from '../kernels/encode_frame';
import { nmCount, nmMismatch, rectCount, rectEmit, rectMismatch, rectSetup } from '../util/unit_grid';
import { decodeFrame, decCount } from '../kernels/decode_frame';
import { formatErrorOffset } from '../util/format_errors';

function bytes(values: u8[]): usize {
  const p = heap.alloc(<usize>max<i32>(values.length, 1) + 16);
  for (let i = 0; i < values.length; i++) store<u8>(p + <usize>i, values[i]);
  return p;
}

function u32s(values: u32[]): usize {
  const p = heap.alloc(<usize>max<i32>(values.length, 1) << 2);
  for (let i = 0; i < values.length; i++) store<u32>(p + (<usize>i << 2), values[i]);
  return p;
}

function f32s(values: f32[]): usize {
  const p = heap.alloc(<usize>max<i32>(values.length, 1) << 2);
  for (let i = 0; i < values.length; i++) store<f32>(p + (<usize>i << 2), values[i]);
  return p;
}

function sameBytes(p: usize, want: u8[]): bool {
  for (let i = 0; i < want.length; i++) if (load<u8>(p + <usize>i) != want[i]) return false;
  return true;
}

export function test_varint_sizes(): void {
  assert(varintSize(0) == 1 && varintSize(127) == 1 && varintSize(128) == 2 && varintSize(16383) == 2);
  assert(varintSize(16384) == 3 && varintSize(0x1fffff) == 3 && varintSize(0x200000) == 4);
  assert(varintSize(0xfffffff) == 4 && varintSize(0x10000000) == 5 && varintSize(0xffffffff) == 5);
  // Every bit length: ceil(bits / 7).
  for (let b: u32 = 1; b <= 32; b++) {
    const v: u32 = b == 32 ? 0x80000000 : <u32>1 << (b - 1);
    assert(varintSize(v) == (b + 6) / 7);
  }
}

export function test_varint_known_encodings(): void {
  const p = heap.alloc(64);
  // docs/wire-format.md: 0 -> 00; 127 -> 7F; 128 -> 80 01; 300 -> AC 02; 2^32-1 -> FF FF FF FF 0F.
  assert(writeVarint(p, 300) == p + 2 && sameBytes(p, [0xac, 0x02]));
  assert(writeVarintFast(p, 300) == p + 2 && sameBytes(p, [0xac, 0x02]));
  assert(writeVarintFast(p, 0) == p + 1 && sameBytes(p, [0x00]));
  assert(writeVarintFast(p, 127) == p + 1 && sameBytes(p, [0x7f]));
  assert(writeVarintFast(p, 128) == p + 2 && sameBytes(p, [0x80, 0x01]));
  assert(writeVarintFast(p, 0xffffffff) == p + 5 && sameBytes(p, [0xff, 0xff, 0xff, 0xff, 0x0f]));
  assert(writeVarint(p, 0xffffffff) == p + 5 && sameBytes(p, [0xff, 0xff, 0xff, 0xff, 0x0f]));
}

export function test_varint_reader_is_canonical_and_bounded(): void {
  const ok = bytes([0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0, 0, 0, 0]);
  assert(readVarint(ok, 0, 12) == VARINT_OK && varintValue == 300 && varintNext == 2);
  assert(readVarint(ok, 2, 12) == VARINT_OK && varintValue == 0xffffffff && varintNext == 7);
  assert(readVarint(ok, 2, 7) == VARINT_OK && varintValue == 0xffffffff); // exactly at the end
  assert(readVarint(ok, 2, 6) == VARINT_TRUNCATED);
  assert(readVarint(ok, 0, 1) == VARINT_TRUNCATED);
  const overlong = bytes([0x80, 0x00, 0, 0, 0, 0]);
  assert(readVarint(overlong, 0, 6) == VARINT_BAD && readVarint(overlong, 0, 2) == VARINT_BAD);
  const big = bytes([0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0]);
  assert(readVarint(big, 0, 8) == VARINT_BAD && readVarint(big, 0, 5) == VARINT_BAD);
  const sixth = bytes([0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0]);
  assert(readVarint(sixth, 0, 8) == VARINT_BAD);
  const zero5 = bytes([0x80, 0x80, 0x80, 0x80, 0x00, 0, 0, 0]);
  assert(readVarint(zero5, 0, 8) == VARINT_BAD);
}

export function test_bit_writer_lsb_first(): void {
  // The worked example's rice stream (b = 1): 0 1 1 | 0 1 1 | 1 0 | 0 0 0 0 1 0 -> 0x76 0x10.
  const p = heap.alloc(32);
  bwStart(p);
  bwPut(0b110, 3);
  bwPut(0b110, 3);
  bwPut(0b01, 2);
  bwZeros(4);
  bwPut(0b01, 2);
  assert(bwFinish() == p + 2 && sameBytes(p, [0x76, 0x10]));
  // 100 zero bits then a one: bit 100 = byte 12, bit 4.
  const q = heap.alloc(64);
  memory.fill(q, 0xaa, 64);
  bwStart(q);
  bwZeros(100);
  bwPut(1, 1);
  assert(bwFinish() == q + 13 && load<u8>(q + 12) == 0x10 && load<u64>(q) == 0 && load<u32>(q + 8) == 0);
}

export function test_rice_parameter_known_answers(): void {
  assert(riceParameter(u32s([3, 7, 8, 17]), 4) == 1); // worked example: S = 14, k = 4
  assert(riceParameter(u32s([]), 0) == 0);
  assert(riceParameter(u32s([0, 1, 2]), 3) == 0); // S = 0 < k
  assert(riceParameter(u32s([12345, 300000, 999999]), 3) == 18); // 3·2^18 ≤ 999997 < 3·2^19
  assert(riceParameter(u32s([0xfffffffe]), 1) == 31); // clamped at 31
  assert(riceParameter(u32s([1, 3]), 2) == 0); // S = 2 = k·2^0, k·2^1 = 4 > 2
  assert(riceParameter(u32s([3, 7]), 2) == 1); // S = 6: 2·2 ≤ 6 < 2·4
}

export function test_rice_encoding_worked_example(): void {
  const idx = u32s([3, 7, 8, 17]);
  assert(riceSize(idx, 4, 1) == 2);
  const p = heap.alloc(32);
  assert(riceEncode(p, idx, 4, 1) == p + 2 && sameBytes(p, [0x76, 0x10]));
  // A long unary part (b = 0, gap 200): 200 zeros then a one at bit 200 = byte 25, bit 0.
  const q = heap.alloc(64);
  assert(riceEncode(q, u32s([200]), 1, 0) == q + 26 && load<u8>(q + 25) == 1 && load<u8>(q + 24) == 0);
}

export function test_index_code_sizes(): void {
  const idx = u32s([2]);
  assert(varintIndexSize(idx, 1) == 1 && rleSize(idx, 1) == 2); // worked example, tensor b
  const runs = u32s([0, 1, 2, 5, 300, 301]);
  // rle: (0, 2) (2, 0) (294, 1) -> 1 + 1 + 1 + 1 + 2 + 1 bytes
  assert(rleSize(runs, 6) == 7);
  // varint gaps 0 0 0 2 294 0 -> 1 + 1 + 1 + 1 + 2 + 1
  assert(varintIndexSize(runs, 6) == 7);
  // Gaps near 2^31 (5-byte varints; SIMD lanes with deltas above 2^31):
  // rle (0,1) (2^31-3,0) (2^31-6,0) (0,0) = 2 + 6 + 6 + 2; varint 0 0 2^31-2 2^31-5 1 = 1+1+5+5+1.
  const far = u32s([0, 1, 0x80000000, 0xfffffffc, 0xfffffffe]);
  assert(rleSize(far, 5) == 16 && varintIndexSize(far, 5) == 13);
  assert(scanIndices(far, 5, 0xffffffff, SCAN_VARINT | SCAN_RLE | SCAN_RICE, 29) == 5);
  assert(scanVarintBytes == 13 && scanRleZBytes + scanRuns == 16 - 2 + 2 && scanRuns == 4);
  // rice b = 29: quotients 0 0 3 3 0 -> (6 + 5·30 + 7) / 8 bytes
  assert(riceSizeFromQuotients(5, 29, scanRiceQ) == (6 + 150 + 7) / 8);
  assert(scanIndices(far, 5, 0xfffffffe, 0, 0) == 4); // last index >= n
}

export function test_index_validation_finds_first_failure(): void {
  const ok = u32s([0, 1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 20, 30]);
  assert(firstBadIndex(ok, 13, 31) == 13);
  assert(firstBadIndex(ok, 13, 30) == 12); // 30 >= n
  const dup = u32s([0, 1, 5, 6, 7, 8, 9, 10, 10, 12, 13, 20, 30]);
  assert(firstBadIndex(dup, 13, 100) == 8);
  assert(firstBadIndex(u32s([7]), 1, 7) == 0);
}

export function test_f16_known_answers(): void {
  assert(f32BitsToF16Sat(reinterpret<u32>(<f32>1.5)) == 0x3e00);
  assert(f32BitsToF16Sat(reinterpret<u32>(<f32>-2)) == 0xc000);
  assert(f32BitsToF16Sat(reinterpret<u32>(<f32>0.25)) == 0x3400);
  assert(f32BitsToF16Sat(reinterpret<u32>(<f32>0.1)) == 0x2e66);
  assert(f32BitsToF16Sat(reinterpret<u32>(<f32>65504)) == 0x7bff);
  assert(f32BitsToF16Sat(reinterpret<u32>(<f32>65519)) == 0x7bff);
  assert(f32BitsToF16Sat(reinterpret<u32>(<f32>65520)) == 0x7bff); // would round to Inf: saturates
  assert(f32BitsToF16Sat(reinterpret<u32>(<f32>-1e30)) == 0xfbff);
  assert(f32BitsToF16Sat(0x33800000) == 0x0001); // 2^-24
  assert(f32BitsToF16Sat(0x33000000) == 0x0000); // 2^-25: tie to even (0)
  assert(f32BitsToF16Sat(0x33c00000) == 0x0002); // 3·2^-25: tie to even (2)
  assert(f32BitsToF16Sat(0x38800000) == 0x0400); // 2^-14, smallest normal
  assert(f32BitsToF16Sat(0x80000000) == 0x8000); // -0
  assert(f32BitsToF16Sat(0x3f801000) == 0x3c00); // 1 + 2^-11: tie to even
  assert(f32BitsToF16Sat(0x3f803000) == 0x3c02); // 1 + 3·2^-11: tie to even
  assert(f32BitsToF16Sat(reinterpret<u32>(<f32>2049)) == 0x6800);
  assert(f32BitsToF16Sat(reinterpret<u32>(<f32>2051)) == 0x6802);
  assert(f32BitsToF16Sat(0x00000001) == 0x0000); // f32 subnormal
  assert(f16BitsToF32Bits(0x3c00) == 0x3f800000);
  assert(f16BitsToF32Bits(0x0001) == 0x33800000);
  assert(f16BitsToF32Bits(0x03ff) == 0x387fc000);
  assert(f16BitsToF32Bits(0xfbff) == 0xc77fe000);
  assert(f16BitsToF32Bits(0x7c00) == 0x7f800000 && f16BitsToF32Bits(0xfc00) == 0xff800000);
  assert(f16BitsToF32Bits(0x8000) == 0x80000000);
}

export function test_f16_round_trip_and_lanes(): void {
  // Every finite f16 widens and narrows back to itself; the SIMD lanes agree with the scalar form.
  for (let h: u32 = 0; h < 0x10000; h++) {
    if ((h & 0x7c00) == 0x7c00) continue;
    const x = f16BitsToF32Bits(h);
    assert(f32BitsToF16Sat(x) == h);
    if (ASC_FEATURE_SIMD) {
      const v = f16x4ToF32(i32x4.splat(h));
      assert(<u32>i32x4.extract_lane(v, 2) == x);
      assert(<u32>i32x4.extract_lane(f32x4ToF16Sat(i32x4.splat(x + 1)), 1) == f32BitsToF16Sat(x + 1));
      assert(<u32>i32x4.extract_lane(f32x4ToBf16Sat(i32x4.splat(x + 0x8000)), 3) == f32BitsToBf16Sat(x + 0x8000));
    }
  }
}

export function test_bf16_known_answers(): void {
  assert(f32BitsToBf16Sat(0x3f808000) == 0x3f80); // 1 + 2^-8: tie to even
  assert(f32BitsToBf16Sat(0x3f818000) == 0x3f82); // 1 + 3·2^-8: tie to even
  assert(f32BitsToBf16Sat(0x3f808001) == 0x3f81);
  assert(f32BitsToBf16Sat(0x7f7fffff) == 0x7f7f); // f32 max would round to Inf: saturates
  assert(f32BitsToBf16Sat(0xff7fffff) == 0xff7f);
  assert(f32BitsToBf16Sat(0x7f7f7fff) == 0x7f7f);
  assert(f32BitsToBf16Sat(0x000116c2) == 0x0001); // 1e-40, a subnormal
  assert(f32BitsToBf16Sat(0x80000000) == 0x8000);
}

export function test_int8_levels_round_half_even(): void {
  const v = f32s([127, 0.5, 1.5, 2.5, -0.5, -1.5, -126.5, 63.5, -127, 3, 0, 0, 0, 0, 0, 0, 0.5, 1.5]);
  const p = heap.alloc(32);
  int8Encode(p, v, 18, 1);
  const want: i8[] = [127, 0, 2, 2, 0, -2, -126, 64, -127, 3, 0, 0, 0, 0, 0, 0, 0, 2];
  for (let j = 0; j < 18; j++) assert(load<i8>(p + <usize>j) == want[j]);
}

export function test_int8_scale_of_the_f32_maximum(): void {
  // docs/wire-format.md, "int8": f32(maxabs / 127) = 0x7C010204 overflows 127 · scale; one ulp less.
  assert(reinterpret<u32>(int8ScaleFromMaxBits(0x7f7fffff)) == 0x7c010203);
  assert(isFinite<f32>(<f32>127 * int8ScaleFromMaxBits(0x7f7fffff)));
  assert(reinterpret<u32>(int8ScaleFromMaxBits(0x7f7ffffe)) == reinterpret<u32>(reinterpret<f32>(0x7f7ffffe) / <f32>127));
  assert(int8ScaleFromMaxBits(0x42fe0000) == 1); // 127 / 127
}

export function test_rect_grid_of_the_wire_format(): void {
  // docs/wire-format.md, "A rect section": [5, 7] in [2, 3] units, grid [3, 3], units 0 2 5 6 8.
  const U = rectSetup(u32s([5, 7]), u32s([2, 3]), 2);
  assert(U == 9);
  const units = u32s([0, 2, 5, 6, 8]);
  assert(rectCount(units, 5) == 14);
  const out = heap.alloc(14 << 2);
  rectEmit(units, 5, out);
  const want: u32[] = [0, 1, 2, 6, 7, 8, 9, 13, 20, 27, 28, 29, 30, 34];
  for (let j = 0; j < 14; j++) assert(load<u32>(out + (<usize>j << 2)) == want[j]);
  assert(rectMismatch(units, 5, out, 14) == -1);
  assert(rectMismatch(units, 5, out, 13) == 13); // a proper prefix differs at its end
  assert(rectMismatch(units, 4, out, 14) == 13); // one element too many
  store<u32>(out + 20, 10);
  assert(rectMismatch(units, 5, out, 14) == 5);
  // Rank 3: columns of [2, 3, 4] (unit dims [2, 1, 1]); rank 0: one unit.
  assert(rectSetup(u32s([2, 3, 4]), u32s([2, 1, 1]), 3) == 12);
  const c = u32s([0, 5, 11]);
  assert(rectCount(c, 3) == 6);
  rectEmit(c, 3, out);
  const wc: u32[] = [0, 5, 11, 12, 17, 23];
  for (let j = 0; j < 6; j++) assert(load<u32>(out + (<usize>j << 2)) == wc[j]);
  assert(rectSetup(0, 0, 0) == 1 && rectCount(u32s([0]), 1) == 1);
  assert(rectSetup(u32s([0, 5]), u32s([2, 2]), 2) == 0);
}

export function test_nm_pattern(): void {
  assert(nmCount(12, 6, 2, 4) == 8 && nmCount(10, 10, 3, 4) == 8 && nmCount(0, 0, 2, 4) == 0 && nmCount(9, 3, 0, 3) == 0);
  assert(nmMismatch(u32s([0, 3, 4, 5, 7, 8, 10, 11]), 8, 12, 6, 2, 4) == -1);
  assert(nmMismatch(u32s([0, 3, 4, 5, 7, 10, 11]), 7, 12, 6, 2, 4) == 6);
  assert(nmMismatch(u32s([0, 3, 4]), 3, 12, 6, 2, 4) == 4);
}

export function test_structured_sections_round_trip(): void {
  frameBegin(3);
  const units = u32s([0, 2, 5, 6, 8]);
  frameNextRect(u32s([2, 3]), units, 5);
  const idx = u32s([0, 1, 2, 6, 7, 8, 9, 13, 20, 27, 28, 29, 30, 34]);
  const vals = f32s([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  assert(frameAddTensor(bytes([0x62, 0x6c, 0x6b]), 3, 16, u32s([5, 7]), 2, 35, idx, vals, 14, 255, 0) == 0);
  frameNextNm(2, 4);
  assert(frameAddTensor(bytes([0x6e]), 1, 21, u32s([2, 6]), 2, 12, u32s([0, 3, 4, 5, 7, 8, 10, 11]), f32s([1, 2, 3, 4, 5, 6, 7, 8]), 8, 255, 0) == 0);
  // Without frameNextRect a structured method is refused (status 13); a bad element list is 16.
  assert(frameAddTensor(bytes([0x78]), 1, 16, u32s([5, 7]), 2, 35, idx, vals, 14, 255, 0) == 13);
  frameBegin(3);
  frameNextRect(u32s([2, 3]), units, 5);
  assert(frameAddTensor(bytes([0x62]), 1, 16, u32s([5, 7]), 2, 35, idx, vals, 13, 255, 0) == 16);
}

export function test_crc32c_rfc3720_vectors(): void {
  const s = bytes([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]);
  assert(crc32c(s, 9) == 0xe3069283);
  const z = heap.alloc(48);
  memory.fill(z, 0, 32);
  assert(crc32c(z, 32) == 0x8a9136aa); // 32 bytes of 00
  memory.fill(z, 0xff, 32);
  assert(crc32c(z, 32) == 0x62a8ab43); // 32 bytes of FF
  for (let i: u32 = 0; i < 32; i++) store<u8>(z + <usize>i, <u8>i);
  assert(crc32c(z, 32) == 0x46dd794e); // 00 01 .. 1F
  for (let i: u32 = 0; i < 32; i++) store<u8>(z + <usize>i, <u8>(31 - i));
  assert(crc32c(z, 32) == 0x113fdb5c); // 1F 1E .. 00
  assert(crc32c(z, 0) == 0);
}

export function test_utf8_validation(): void {
  assert(utf8Valid(bytes([0x66, 0x63, 0x2e, 0x77]), 4));
  assert(utf8Valid(bytes([0xc3, 0xbc]), 2)); // ü
  assert(utf8Valid(bytes([0xf0, 0x9f, 0x98, 0x80]), 4)); // U+1F600
  assert(utf8Valid(bytes([0xef, 0xbb, 0xbf]), 3)); // BOM is a valid character
  assert(!utf8Valid(bytes([0xc0, 0x80]), 2)); // overlong
  assert(!utf8Valid(bytes([0xe0, 0x80, 0x80]), 3)); // overlong
  assert(!utf8Valid(bytes([0xed, 0xa0, 0x80]), 3)); // surrogate
  assert(!utf8Valid(bytes([0xf4, 0x90, 0x80, 0x80]), 4)); // above U+10FFFF
  assert(!utf8Valid(bytes([0xe2, 0x82]), 2)); // truncated
  assert(!utf8Valid(bytes([0x80]), 1)); // lone continuation
  assert(!utf8Valid(bytes([0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0xff]), 9));
}

export function test_worked_example_frame(): void {
  // docs/wire-format.md, "Worked example": 101 bytes, CRC 0x339168B1.
  frameBegin(7);
  const shape = u32s([4, 5]);
  assert(frameAddTensor(bytes([0x66, 0x63, 0x2e, 0x77]), 4, 0, shape, 2, 20, u32s([3, 7, 8, 17]), f32s([1.5, -2, 0.25, 3]), 4, 5, 1) == 0);
  assert(frameAddTensor(bytes([0x62]), 1, 3, 0, -1, 4, u32s([2]), f32s([0.5]), 1, 255, 0) == 0);
  const len = frameFinish();
  assert(len == 101);
  const f = frameBytes();
  assert(sameBytes(f, [0x53, 0x50, 0x47, 0x44, 0x01, 0x00, 0x00, 0x00, 0x07, 0, 0, 0, 0x02, 0, 0, 0, 0x65, 0, 0, 0]));
  assert(sameBytes(f + 57, [0x76, 0x10, 0x00, 0x3e, 0x00, 0xc0, 0x00, 0x34, 0x00, 0x42]));
  assert(load<u8>(f + 73) == 2 && load<u8>(f + 92) == 0x04); // auto chose bitmap
  assert(load<u32>(f + 97) == 0x339168b1);
  assert(decodeFrame(f, len, Infinity, Infinity, false) == 0 && decCount == 2);
  store<u8>(f + 50, 0xff); // corrupt: checksum
  assert(decodeFrame(f, len, Infinity, Infinity, false) == 7 && formatErrorOffset == 97);
}

export function test_encoder_and_decoder_keep_separate_name_sets(): void {
  // Build a frame, decode another one in between, keep building: duplicates are still found.
  const fv = frameOfOneTensor();
  frameBegin(1);
  const name = bytes([0x62]); // "b", also a name in the frame decoded below
  assert(frameAddTensor(name, 1, 0, 0, -1, 4, u32s([1]), f32s([1]), 1, 0, 0) == 0);
  assert(decodeFrame(fv, 30 + 24, Infinity, Infinity, false) == 0 && decCount == 1);
  assert(frameAddTensor(bytes([0x63]), 1, 0, 0, -1, 4, u32s([1]), f32s([1]), 1, 0, 0) == 0);
  assert(frameAddTensor(name, 1, 0, 0, -1, 4, u32s([1]), f32s([1]), 1, 0, 0) == 3); // duplicate
}

/** A frame with one tensor "b" (length 4, index 2, f32 0.5, bitmap): 54 bytes. */
function frameOfOneTensor(): usize {
  frameBegin(0);
  assert(frameAddTensor(bytes([0x62]), 1, 3, 0, -1, 4, u32s([2]), f32s([0.5]), 1, 255, 0) == 0);
  const len = frameFinish();
  assert(len == 54);
  const copy = heap.alloc(len);
  memory.copy(copy, frameBytes(), len);
  return copy;
}
