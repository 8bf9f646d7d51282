/**
 * Frame encoder (docs/wire-format.md, "Frame", "Tensor section", "Encoder rules"). A frame is
 * built in one growing buffer: frameBegin reserves the 20-byte header, each frameAddTensor checks
 * its tensor, picks the index code, and appends the whole section at once (so the caller's index
 * and value arrays need to live only for that call), frameFinish writes the header and the CRC-32C.
 * Checks run in the order of ts-api/codec/frame.ts (name, method, shape, then per element: index,
 * value; then value code, index code, sizes), so every failure maps to the same TypeScript error.
 */
import { crc32c } from './checksum_crc32c';
import { firstNonFinite, maxAbsBits } from './encode_check';
import { SCAN_RICE, SCAN_RLE, SCAN_VARINT, scanIndices, scanRiceQ, scanRleZBytes, scanRuns, scanVarintBytes } from './encode_index_scan';
import { bitmapEncode, bitmapSize } from './encode_bitmap';
import { cooEncode, cooSize } from './encode_coo';
import { csrEncode, csrSize } from './encode_csr';
import { rleEncode, rleSizeFromScan } from './encode_rle';
import { riceEncode, riceParameter, riceSizeFromQuotients } from './encode_rice';
import { varintIndexEncode } from './encode_varint';
import { f32Encode } from './encode_f32';
import { f16Encode } from './encode_f16';
import { bf16Encode } from './encode_bf16';
import { int8Encode, int8ScaleFromMaxBits } from './encode_int8';
import { ternaryEncode, ternaryMagnitude, ternarySize } from './encode_ternary';
import { nameHash, namesAdd, namesContains, namesReset, utf8Valid } from '../util/utf8_names';

/** frameAddTensor / frameFinish status codes (0 = ok). Part of the ABI (assembly/codec_abi.ts). */
export const ENC_OK: i32 = 0;
export const ENC_NO_FRAME: i32 = 1;
export const ENC_NAME: i32 = 2;
export const ENC_DUPLICATE_NAME: i32 = 3;
export const ENC_METHOD: i32 = 4;
export const ENC_SHAPE: i32 = 5;
export const ENC_INDEX: i32 = 6;
export const ENC_NONFINITE: i32 = 7;
export const ENC_VALUE_CODE: i32 = 8;
export const ENC_INDEX_CODE: i32 = 9;
export const ENC_CSR_SHAPE: i32 = 10;
export const ENC_PAYLOAD_TOO_LARGE: i32 = 11;
export const ENC_FRAME_TOO_LARGE: i32 = 12;

/** Index code argument meaning `auto` (the exactly smallest applicable code, ties to the lower id). */
export const INDEX_AUTO: u32 = 255;
const CODE_COO: u32 = 0;
const CODE_CSR: u32 = 1;
const CODE_BITMAP: u32 = 2;
const CODE_RLE: u32 = 3;
const CODE_VARINT: u32 = 4;
const CODE_RICE: u32 = 5;
const V_F32: u32 = 0;
const V_F16: u32 = 1;
const V_BF16: u32 = 2;
const V_INT8: u32 = 3;
const V_TERNARY: u32 = 4;

const HEADER: u64 = 20;
const U32_MAX: u64 = 0xffffffff;
/** Bytes of slack after the write position (8-byte stores of the varint and bit writers). */
const SLACK: u64 = 16;

/** The encoder's set of names in the frame being built. */
const NAMES: usize = memory.data(16, 8);

let out: usize = 0;
let cap: u64 = 0;
/** Bytes of the frame so far (header + written sections). */
let len: u64 = 0;
/** Bytes the frame would have with every accepted section (differs from len once too large). */
let total: u64 = 0;
let count: u32 = 0;
let step: u32 = 0;
let active = false;
let status: i32 = 0;
/** Element position of the last ENC_INDEX / ENC_NONFINITE. */
export let encErrorIndex: u32 = 0;
/** Index code, parameter and payload bytes chosen for the last accepted tensor. */
export let encLastIndexCode: u32 = 0;
export let encLastIndexParam: u32 = 0;
export let encLastIndexBytes: u32 = 0;

function ensure(extra: u64): void {
  const need = len + extra + SLACK + 4;
  if (need <= cap) return;
  let c = max<u64>(need, cap << 1);
  if (c < 4096) c = 4096;
  out = out ? heap.realloc(out, <usize>c) : heap.alloc(<usize>c);
  cap = c;
}

/** Starts a frame for `stepNo` (discards any unfinished one; the last finished bytes stay until then). */
export function frameBegin(stepNo: u32): void {
  step = stepNo;
  len = HEADER;
  total = HEADER + 4;
  count = 0;
  status = 0;
  active = true;
  ensure(0);
  namesReset(NAMES);
}

function fail(code: i32, j: u32): i32 {
  status = code;
  encErrorIndex = j;
  return code;
}

/** Exact product of the dims, saturated at 2^32 (0 if any dim is 0). */
function dimsProduct(shape: usize, rank: u32): u64 {
  let prod: u64 = 1;
  for (let d: u32 = 0; d < rank; d++) {
    const v = <u64>load<u32>(shape + (<usize>d << 2));
    if (v == 0) return 0;
    prod *= v;
    if (prod > U32_MAX) prod = U32_MAX + 1;
  }
  return prod;
}

/**
 * Checks one tensor and appends its section. `rank` < 0: no shape. `indexCode` 0..5 or INDEX_AUTO;
 * `valueCode` 0..4. Returns ENC_OK or an ENC_* code (the frame is then failed until frameBegin).
 */
export function frameAddTensor(
  namePtr: usize, nameLen: u32, method: u32, shapePtr: usize, rank: i32, n: u32,
  idx: usize, val: usize, k: u32, indexCode: u32, valueCode: u32,
): i32 {
  if (!active) return ENC_NO_FRAME;
  if (status != 0) return status;
  if (nameLen < 1 || nameLen > 1024 || !utf8Valid(namePtr, nameLen)) return fail(ENC_NAME, 0);
  const h = nameHash(namePtr, nameLen);
  if (namesContains(NAMES, out, namePtr, nameLen, h)) return fail(ENC_DUPLICATE_NAME, 0);
  if (method > 7) return fail(ENC_METHOD, 0);
  const hasShape = rank >= 0;
  const r = hasShape ? <u32>rank : 0;
  if (hasShape && (r > 16 || dimsProduct(shapePtr, r) != <u64>n)) return fail(ENC_SHAPE, 0);
  // Elements: the first bad index or non-finite value in element order (index j before value j).
  // The index scan also sums what the variable-size codes need for their exact sizes.
  const want: u32 =
    indexCode == INDEX_AUTO ? SCAN_VARINT | SCAN_RLE | SCAN_RICE
    : indexCode == CODE_RLE ? SCAN_RLE : indexCode == CODE_VARINT ? SCAN_VARINT : indexCode == CODE_RICE ? SCAN_RICE : 0;
  const b = want & SCAN_RICE ? riceParameter(idx, k) : 0;
  const jI = scanIndices(idx, k, n, want, b);
  if (jI < k) {
    const jV = firstNonFinite(val, 0, jI);
    return jV < jI ? fail(ENC_NONFINITE, jV) : fail(ENC_INDEX, jI);
  }
  const maxBits = maxAbsBits(val, k);
  if (maxBits >= 0x7f800000) return fail(ENC_NONFINITE, firstNonFinite(val, 0, k));
  if (valueCode > V_TERNARY) return fail(ENC_VALUE_CODE, 0);
  if (indexCode > CODE_RICE && indexCode != INDEX_AUTO) return fail(ENC_INDEX_CODE, 0);
  const csrOk = hasShape && r == 2;
  if (indexCode == CODE_CSR && !csrOk) return fail(ENC_CSR_SHAPE, 0);
  const rows = csrOk ? load<u32>(shapePtr) : 0;
  const cols = csrOk ? load<u32>(shapePtr, 4) : 0;

  // Index code and its exact payload size (auto: the smallest parameter + payload, ties to the lower id).
  let code = indexCode;
  let param: u32 = 0;
  let ib: u64 = 0;
  if (code == INDEX_AUTO) {
    code = CODE_COO;
    ib = cooSize(k);
    let best = ib;
    if (csrOk) {
      const s = csrSize(rows, k);
      if (s < best) { best = s; ib = s; code = CODE_CSR; }
    }
    let s = bitmapSize(n);
    if (s < best) { best = s; ib = s; code = CODE_BITMAP; }
    // rle is at least its z bytes plus one byte per run: skip its threshold passes when that loses.
    if (scanRleZBytes + scanRuns < best) {
      s = rleSizeFromScan(idx, k, scanRleZBytes, scanRuns);
      if (s < best) { best = s; ib = s; code = CODE_RLE; }
    }
    s = scanVarintBytes;
    if (s < best) { best = s; ib = s; code = CODE_VARINT; }
    s = riceSizeFromQuotients(k, b, scanRiceQ);
    if (s + 1 < best) { best = s + 1; ib = s; code = CODE_RICE; param = b; }
  } else if (code == CODE_COO) ib = cooSize(k);
  else if (code == CODE_CSR) ib = csrSize(rows, k);
  else if (code == CODE_BITMAP) ib = bitmapSize(n);
  else if (code == CODE_RLE) ib = rleSizeFromScan(idx, k, scanRleZBytes, scanRuns);
  else if (code == CODE_VARINT) ib = scanVarintBytes;
  else {
    param = b;
    ib = riceSizeFromQuotients(k, b, scanRiceQ);
  }
  const vb: u64 =
    valueCode == V_F32 ? <u64>k << 2 : valueCode == V_INT8 ? <u64>k : valueCode == V_TERNARY ? ternarySize(k) : <u64>k << 1;
  if (ib > U32_MAX || vb > U32_MAX) return fail(ENC_PAYLOAD_TOO_LARGE, 0);
  const ipb: u64 = code == CODE_RICE ? 1 : 0;
  const vpb: u64 = valueCode == V_INT8 || valueCode == V_TERNARY ? 4 : 0;
  const section: u64 = 2 + <u64>nameLen + 6 + 4 * <u64>r + 8 + ipb + vpb + 8 + ib + vb;
  total += section;
  if (total > U32_MAX) return ENC_OK; // reported by frameFinish, after every tensor was checked

  // Value parameter.
  let vparam: f32 = 0;
  if (valueCode == V_INT8) vparam = int8ScaleFromMaxBits(maxBits);
  else if (valueCode == V_TERNARY) vparam = ternaryMagnitude(val, k);

  ensure(section);
  const start = out + <usize>len;
  let p = start;
  store<u16>(p, <u16>nameLen);
  memory.copy(p + 2, namePtr, nameLen);
  p += 2 + <usize>nameLen;
  store<u8>(p, <u8>method);
  store<u8>(p, 0, 1);
  store<u8>(p, hasShape ? 1 : 0, 2);
  store<u8>(p, <u8>code, 3);
  store<u8>(p, <u8>valueCode, 4);
  store<u8>(p, <u8>r, 5);
  p += 6;
  memory.copy(p, shapePtr, <usize>r << 2);
  p += <usize>r << 2;
  store<u32>(p, n);
  store<u32>(p, k, 4);
  p += 8;
  if (ipb) store<u8>(p++, <u8>param);
  if (vpb) {
    store<f32>(p, vparam);
    p += 4;
  }
  store<u32>(p, <u32>ib);
  store<u32>(p, <u32>vb, 4);
  p += 8;
  if (code == CODE_COO) p = cooEncode(p, idx, k);
  else if (code == CODE_CSR) p = csrEncode(p, idx, k, rows, cols);
  else if (code == CODE_BITMAP) p = bitmapEncode(p, idx, k, n);
  else if (code == CODE_RLE) p = rleEncode(p, idx, k);
  else if (code == CODE_VARINT) p = varintIndexEncode(p, idx, k);
  else p = riceEncode(p, idx, k, param);
  if (valueCode == V_F32) p = f32Encode(p, val, k);
  else if (valueCode == V_F16) p = f16Encode(p, val, k);
  else if (valueCode == V_BF16) p = bf16Encode(p, val, k);
  else if (valueCode == V_INT8) p = int8Encode(p, val, k, vparam);
  else p = ternaryEncode(p, val, k);
  assert(<u64>(p - start) == section, 'section size');
  namesAdd(NAMES, <u32>len + 2, nameLen, h);
  len += section;
  count++;
  encLastIndexCode = code;
  encLastIndexParam = param;
  encLastIndexBytes = <u32>ib;
  return ENC_OK;
}

/** Writes the header and checksum. Returns the frame's byte length, or 0 on failure (see frameStatus). */
export function frameFinish(): u32 {
  if (!active) {
    status = ENC_NO_FRAME;
    return 0;
  }
  active = false;
  if (status != 0) return 0;
  if (total > U32_MAX) {
    status = ENC_FRAME_TOO_LARGE;
    return 0;
  }
  store<u32>(out, 0x44475053); // "SPGD"
  store<u16>(out, 1, 4);
  store<u16>(out, 0, 6);
  store<u32>(out, step, 8);
  store<u32>(out, count, 12);
  const size = <u32>len + 4;
  store<u32>(out, size, 16);
  store<u32>(out + <usize>len, crc32c(out, <u32>len));
  return size;
}

/** Status of the frame being built / the last finish (0 ok, else ENC_*). */
export function frameStatus(): i32 {
  return status;
}

/** Bytes the frame would have (for a too-large frame: the size that does not fit). */
export function frameTotal(): f64 {
  return <f64>total;
}

/** Pointer to the frame bytes (valid until the next frameBegin / frameAddTensor). */
export function frameBytes(): usize {
  return out;
}
