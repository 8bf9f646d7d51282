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
import { ternaryEncode, ternaryMagnitude } from './encode_ternary';
import { nameHash, namesAdd, namesContains, namesReset, utf8Valid } from '../util/utf8_names';
import { nmMismatch, rectGridDim, rectMismatch, rectSetup } from '../util/unit_grid';
import { dimsProduct, methodUnit, valueBytes } from '../util/frame_rules';

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
/** The method's unit and the unit set by frameNextRect / frameNextNm / frameNextMask disagree. */
export const ENC_UNIT: i32 = 13;
/** Unit geometry: rect without a shape or with a unit dim of 0; nm with M ∉ [1, 32] or N > M. */
export const ENC_UNIT_GEOMETRY: i32 = 14;
/** Unit numbers not strictly increasing or ≥ U (j = the position). */
export const ENC_UNITS: i32 = 15;
/** Element indices that are not the kept units' elements (j = the first differing position). */
export const ENC_UNIT_ELEMENTS: i32 = 16;
/** An N:M group that does not keep min(N, g) elements (j = the group's first element). */
export const ENC_NM_PATTERN: i32 = 17;

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
// The unit of the next frameAddTensor (set by frameNext*, consumed by frameAddTensor).
let nextUnit: u32 = 0;
let nextUnitDims: usize = 0;
let nextUnits: usize = 0;
let nextUnitCount: u32 = 0;
let nextN: u32 = 0;
let nextM: u32 = 0;
let nextSendMask = false;

/** The next tensor is a unit-1 (rect) section: `unitDims` (u32, one per shape dim) and its kept unit numbers. */
export function frameNextRect(unitDims: usize, units: usize, count: u32): void {
  nextUnit = 1;
  nextUnitDims = unitDims;
  nextUnits = units;
  nextUnitCount = count;
}

/** The next tensor is a unit-2 (N:M) section keeping N of every M. */
export function frameNextNm(N: u32, M: u32): void {
  nextUnit = 2;
  nextN = N;
  nextM = M;
}

/** The next tensor is a unit-3 (mask) section, with or without its mask. */
export function frameNextMask(send: bool): void {
  nextUnit = 3;
  nextSendMask = send;
}

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
  nextUnit = 0;
  ensure(0);
  namesReset(NAMES);
}

function fail(code: i32, j: u32): i32 {
  status = code;
  encErrorIndex = j;
  return code;
}

/**
 * Checks one tensor and appends its section. `rank` < 0: no shape. `indexCode` 0..5 or INDEX_AUTO;
 * `valueCode` 0..4. Returns ENC_OK or an ENC_* code (the frame is then failed until frameBegin).
 */
export function frameAddTensor(
  namePtr: usize, nameLen: u32, method: u32, shapePtr: usize, rank: i32, n: u32,
  idx: usize, val: usize, k: u32, indexCode: u32, valueCode: u32,
): i32 {
  const unit = nextUnit;
  nextUnit = 0;
  if (!active) return ENC_NO_FRAME;
  if (status != 0) return status;
  if (nameLen < 1 || nameLen > 1024 || !utf8Valid(namePtr, nameLen)) return fail(ENC_NAME, 0);
  const h = nameHash(namePtr, nameLen);
  if (namesContains(NAMES, out, namePtr, nameLen, h)) return fail(ENC_DUPLICATE_NAME, 0);
  const mUnit = methodUnit(method);
  if (mUnit > 3) return fail(ENC_METHOD, 0);
  const hasShape = rank >= 0;
  const r = hasShape ? <u32>rank : 0;
  if (hasShape && (r > 16 || dimsProduct(shapePtr, r) != <u64>n)) return fail(ENC_SHAPE, 0);
  if (unit != mUnit) return fail(ENC_UNIT, 0);
  // Unit geometry (ts-api/codec/frame_units.ts checks the same before calling).
  let U: u32 = n;
  let cols: u32 = 0;
  const sendIdx = unit != 3 || nextSendMask;
  if (unit == 1) {
    if (!hasShape) return fail(ENC_UNIT_GEOMETRY, 0);
    for (let d: u32 = 0; d < r; d++) if (load<u32>(nextUnitDims + (<usize>d << 2)) == 0) return fail(ENC_UNIT_GEOMETRY, 0);
    U = rectSetup(shapePtr, nextUnitDims, r);
  } else if (unit == 2) {
    if (nextM == 0 || nextM > 32 || nextN > nextM) return fail(ENC_UNIT_GEOMETRY, 0);
    cols = hasShape && r >= 1 ? load<u32>(shapePtr + (<usize>(r - 1) << 2)) : n;
  }
  // The sequence the index code codes: element indices (units 0, 3), unit numbers (unit 1).
  const coded = unit == 1 ? nextUnits : idx;
  const kc = unit == 1 ? nextUnitCount : k;
  const nc = unit == 1 ? U : n;
  const choose = unit == 0 || unit == 1 || (unit == 3 && sendIdx);
  // Elements: the first bad index or non-finite value in element order (index j before value j).
  // The index scan also sums what the variable-size codes need for their exact sizes.
  const want: u32 = !choose ? 0
    : indexCode == INDEX_AUTO ? SCAN_VARINT | SCAN_RLE | SCAN_RICE
    : indexCode == CODE_RLE ? SCAN_RLE : indexCode == CODE_VARINT ? SCAN_VARINT : indexCode == CODE_RICE ? SCAN_RICE : 0;
  const b = want & SCAN_RICE ? riceParameter(coded, kc) : 0;
  const jI = scanIndices(idx, k, n, unit == 1 ? 0 : want, b);
  if (jI < k) {
    const jV = firstNonFinite(val, 0, jI);
    return jV < jI ? fail(ENC_NONFINITE, jV) : fail(ENC_INDEX, jI);
  }
  const maxBits = maxAbsBits(val, k);
  if (maxBits >= 0x7f800000) return fail(ENC_NONFINITE, firstNonFinite(val, 0, k));
  if (unit == 1) {
    const jU = scanIndices(coded, kc, U, want, b);
    if (jU < kc) return fail(ENC_UNITS, jU);
    const at = rectMismatch(coded, kc, idx, k);
    if (at >= 0) return fail(ENC_UNIT_ELEMENTS, <u32>at);
  } else if (unit == 2) {
    const s = nmMismatch(idx, k, n, cols, nextN, nextM);
    if (s >= 0) return fail(ENC_NM_PATTERN, <u32>s);
  }
  if (valueCode > V_TERNARY) return fail(ENC_VALUE_CODE, 0);
  if (choose && indexCode > CODE_RICE && indexCode != INDEX_AUTO) return fail(ENC_INDEX_CODE, 0);
  const csrOk = hasShape && r == 2;
  if (choose && indexCode == CODE_CSR && !csrOk) return fail(ENC_CSR_SHAPE, 0);
  const rows = csrOk ? (unit == 1 ? rectGridDim(0) : load<u32>(shapePtr)) : 0;
  const csrCols = csrOk ? (unit == 1 ? rectGridDim(1) : load<u32>(shapePtr, 4)) : 0;

  // Index code and its exact payload size (auto: the smallest parameter + payload, ties to the lower id).
  let code = indexCode;
  let param: u32 = 0;
  let ib: u64 = 0;
  if (unit == 2) {
    code = CODE_BITMAP;
    ib = bitmapSize(n);
  } else if (!choose) {
    code = CODE_COO;
  } else if (code == INDEX_AUTO) {
    code = CODE_COO;
    ib = cooSize(kc);
    let best = ib;
    if (csrOk) {
      const s = csrSize(rows, kc);
      if (s < best) { best = s; ib = s; code = CODE_CSR; }
    }
    let s = bitmapSize(nc);
    if (s < best) { best = s; ib = s; code = CODE_BITMAP; }
    // rle is at least its z bytes plus one byte per run: skip its threshold passes when that loses.
    if (scanRleZBytes + scanRuns < best) {
      s = rleSizeFromScan(coded, kc, scanRleZBytes, scanRuns);
      if (s < best) { best = s; ib = s; code = CODE_RLE; }
    }
    s = scanVarintBytes;
    if (s < best) { best = s; ib = s; code = CODE_VARINT; }
    s = riceSizeFromQuotients(kc, b, scanRiceQ);
    if (s + 1 < best) { best = s + 1; ib = s; code = CODE_RICE; param = b; }
  } else if (code == CODE_COO) ib = cooSize(kc);
  else if (code == CODE_CSR) ib = csrSize(rows, kc);
  else if (code == CODE_BITMAP) ib = bitmapSize(nc);
  else if (code == CODE_RLE) ib = rleSizeFromScan(coded, kc, scanRleZBytes, scanRuns);
  else if (code == CODE_VARINT) ib = scanVarintBytes;
  else {
    param = b;
    ib = riceSizeFromQuotients(kc, b, scanRiceQ);
  }
  const vb = valueBytes(valueCode, <u64>k);
  if (ib > U32_MAX || vb > U32_MAX) return fail(ENC_PAYLOAD_TOO_LARGE, 0);
  const ipb: u64 = code == CODE_RICE ? 1 : 0;
  const vpb: u64 = valueCode == V_INT8 || valueCode == V_TERNARY ? 4 : 0;
  const unitBytes: u64 = unit == 1 ? 1 + 4 * <u64>r : unit == 2 ? 2 : 0;
  const section: u64 = 2 + <u64>nameLen + 6 + 4 * <u64>r + unitBytes + 8 + ipb + vpb + 8 + ib + vb;
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
  store<u8>(p, <u8>unit, 1);
  store<u8>(p, (hasShape ? 1 : 0) | (unit == 3 && sendIdx ? 2 : 0), 2);
  store<u8>(p, <u8>code, 3);
  store<u8>(p, <u8>valueCode, 4);
  store<u8>(p, <u8>r, 5);
  p += 6;
  memory.copy(p, shapePtr, <usize>r << 2);
  p += <usize>r << 2;
  if (unit == 1) {
    store<u8>(p++, <u8>r);
    memory.copy(p, nextUnitDims, <usize>r << 2);
    p += <usize>r << 2;
  } else if (unit == 2) {
    store<u8>(p, <u8>nextN);
    store<u8>(p, <u8>nextM, 1);
    p += 2;
  }
  store<u32>(p, n);
  store<u32>(p, kc, 4);
  p += 8;
  if (ipb) store<u8>(p++, <u8>param);
  if (vpb) {
    store<f32>(p, vparam);
    p += 4;
  }
  store<u32>(p, <u32>ib);
  store<u32>(p, <u32>vb, 4);
  p += 8;
  if (unit == 2) p = bitmapEncode(p, idx, k, n);
  else if (!choose) {
    // a mask section without its mask: no index payload
  } else if (code == CODE_COO) p = cooEncode(p, coded, kc);
  else if (code == CODE_CSR) p = csrEncode(p, coded, kc, rows, csrCols);
  else if (code == CODE_BITMAP) p = bitmapEncode(p, coded, kc, nc);
  else if (code == CODE_RLE) p = rleEncode(p, coded, kc);
  else if (code == CODE_VARINT) p = varintIndexEncode(p, coded, kc);
  else p = riceEncode(p, coded, kc, param);
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
