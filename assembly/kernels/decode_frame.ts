/**
 * Hardened frame decoder (docs/wire-format.md, "Validation"): any byte string either decodes or
 * fails with a FormatError code and byte offset, identical to ts-api/codec/frame_decode.ts, because
 * the checks run in the documented order. Every read is checked against the tensor area end before
 * it happens (all offset arithmetic in 64 bits); a section's k-sized outputs are allocated only
 * after its payload lengths were checked against the exact sizes for k and against the bytes
 * present; every loop advances through payload bytes or produces one of at most k indices, so the
 * work is O(bytes + Σk).
 *
 * Results: a table of TENSOR_WORDS u32 per tensor (layout in assembly/codec_abi.ts) and, per
 * tensor, k indices (u32) and k values (f32) in their own blocks, valid until the next decode or
 * decodeRelease. Offsets in the table are from the frame's first byte.
 */
import {
  E_CHECKSUM, E_CODE, E_COUNT, E_LENGTH, E_LIMIT, E_MAGIC, E_NAME, E_PARAM, E_RESERVED, E_SHAPE, E_TRAILING,
  E_TRUNCATED, E_VERSION, formatClear, formatFail,
} from '../util/format_errors';
import { nameHash, namesAdd, namesContains, namesReset, utf8Valid } from '../util/utf8_names';
import { crc32c } from './checksum_crc32c';
import { cooDecode } from './decode_coo';
import { csrDecode } from './decode_csr';
import { bitmapDecode } from './decode_bitmap';
import { rleDecode } from './decode_rle';
import { varintIndexDecode } from './decode_varint';
import { riceDecode } from './decode_rice';
import { f32Decode } from './decode_f32';
import { f16Decode } from './decode_f16';
import { bf16Decode } from './decode_bf16';
import { int8Decode } from './decode_int8';
import { ternaryDecode } from './decode_ternary';
import { nmDecode } from './decode_nm';
import { nmCount, rectCount, rectEmit, rectGridDim, rectSetup } from '../util/unit_grid';
import { dimsProduct, methodUnit, valueBytes } from '../util/frame_rules';

/** u32 words per tensor record. */
export const TENSOR_WORDS: u32 = 27;
// Record fields (u32 word index).
export const T_NAME_OFF: u32 = 0;
export const T_NAME_LEN: u32 = 1;
export const T_METHOD: u32 = 2;
export const T_HAS_SHAPE: u32 = 3;
export const T_INDEX_CODE: u32 = 4;
export const T_VALUE_CODE: u32 = 5;
export const T_RANK: u32 = 6;
export const T_DIMS_OFF: u32 = 7;
export const T_LENGTH: u32 = 8;
export const T_K: u32 = 9;
export const T_INDEX_PARAM: u32 = 10;
export const T_VALUE_PARAM_BITS: u32 = 11;
export const T_INDEX_BYTES: u32 = 12;
export const T_VALUE_BYTES: u32 = 13;
export const T_SECTION_OFF: u32 = 14;
export const T_SECTION_BYTES: u32 = 15;
export const T_INDICES_PTR: u32 = 16;
export const T_VALUES_PTR: u32 = 17;
export const T_INDEX_OFF: u32 = 18;
export const T_VALUE_OFF: u32 = 19;
export const T_UNIT: u32 = 20;
export const T_FLAGS: u32 = 21;
export const T_UNIT_DIMS_OFF: u32 = 22;
export const T_UNIT_COUNT: u32 = 23;
export const T_UNITS_PTR: u32 = 24;
export const T_NM_N: u32 = 25;
export const T_NM_M: u32 = 26;

const HEADER: u32 = 20;
const MIN_SECTION: u64 = 25;

/** Tensor records of the last successful decode (and of the sections decoded before a failure). */
export let decTable: usize = 0;
let tableCap: u32 = 0;
/** Number of tensor records. */
export let decCount: u32 = 0;
/** Header fields of the last successful decode. */
export let decStep: u32 = 0;
export let decTotal: u32 = 0;
export let decChecksum: u32 = 0;

/** The decoder's set of names seen in the frame. */
const NAMES: usize = memory.data(16, 8);

let base: usize = 0;
let areaEnd: u32 = 0;
let elements: f64 = 0;
let maxElems: f64 = 0;
let allowNonFinite = false;

/** Pointer of the last decoded input (names and dims are read from it). */
export function decodeInputBase(): usize {
  return base;
}

/** Frees the outputs of the last decode. */
export function decodeRelease(): void {
  for (let t: u32 = 0; t < decCount; t++) {
    const rec = decTable + <usize>(t * TENSOR_WORDS << 2);
    const ip = <usize>load<u32>(rec, T_INDICES_PTR << 2);
    const vp = <usize>load<u32>(rec, T_VALUES_PTR << 2);
    const up = <usize>load<u32>(rec, T_UNITS_PTR << 2);
    if (ip) heap.free(ip);
    if (vp) heap.free(vp);
    if (up) heap.free(up);
  }
  decCount = 0;
}

function newRecord(): usize {
  if (decCount == tableCap) {
    const c = tableCap ? tableCap << 1 : 16;
    const bytes = <usize>(c * TENSOR_WORDS) << 2;
    decTable = decTable ? heap.realloc(decTable, bytes) : heap.alloc(bytes);
    tableCap = c;
  }
  const rec = decTable + <usize>(decCount * TENSOR_WORDS << 2);
  memory.fill(rec, 0, <usize>TENSOR_WORDS << 2);
  decCount++;
  return rec;
}

// @ts-ignore: decorator
@inline function u8at(o: u32): u32 {
  return <u32>load<u8>(base + <usize>o);
}
// @ts-ignore: decorator
@inline function u32at(o: u32): u32 {
  return load<u32>(base + <usize>o);
}
// @ts-ignore: decorator
@inline function fits(p: u64, size: u64): bool {
  return p + size <= <u64>areaEnd;
}
// @ts-ignore: decorator
@inline function set(rec: usize, field: u32, v: u32): void {
  store<u32>(rec + (<usize>field << 2), v);
}

/** Decodes the section at offset `start`; returns 0 (the record's T_SECTION_BYTES says where it ends) or an error code. */
function decodeSection(start: u32): i32 {
  let p = start;
  if (!fits(p, 2)) return formatFail(E_TRUNCATED, p);
  const nameLen = <u32>load<u16>(base + <usize>p);
  if (nameLen == 0 || nameLen > 1024) return formatFail(E_NAME, p);
  p += 2;
  if (!fits(p, nameLen)) return formatFail(E_TRUNCATED, p);
  if (!utf8Valid(base + <usize>p, nameLen)) return formatFail(E_NAME, p);
  const h = nameHash(base + <usize>p, nameLen);
  if (namesContains(NAMES, base, base + <usize>p, nameLen, h)) return formatFail(E_NAME, p);
  namesAdd(NAMES, p, nameLen, h);
  const nameOff = p;
  const o = p + nameLen;
  if (!fits(o, 6)) return formatFail(E_TRUNCATED, o);
  const method = u8at(o);
  const unit = u8at(o + 1);
  const flags = u8at(o + 2);
  const ic = u8at(o + 3);
  const vc = u8at(o + 4);
  const rank = u8at(o + 5);
  const mUnit = methodUnit(method);
  if (mUnit > 3) return formatFail(E_CODE, o);
  if (unit != mUnit) return formatFail(E_CODE, o + 1);
  if ((flags & ~(unit == 3 ? 3 : 1)) != 0) return formatFail(E_RESERVED, o + 2);
  const storedMask = unit == 3 && (flags & 2) == 0;
  if (ic > 5 || (unit == 2 && ic != 2) || (storedMask && ic != 0)) return formatFail(E_CODE, o + 3);
  if (vc > 4) return formatFail(E_CODE, o + 4);
  const hasShape = (flags & 1) != 0;
  if (!hasShape && rank != 0) return formatFail(E_SHAPE, o + 5);
  if (rank > 16) return formatFail(E_SHAPE, o + 5);
  if (unit == 1 && !hasShape) return formatFail(E_SHAPE, o + 5);
  if (ic == 1 && (!hasShape || rank != 2)) return formatFail(E_SHAPE, o + 5);
  p = o + 6;
  if (!fits(p, rank << 2)) return formatFail(E_TRUNCATED, p);
  const dimsOff = p;
  p += rank << 2;
  let unitDimsOff: u32 = 0;
  let nmN: u32 = 0;
  let nmM: u32 = 0;
  if (unit == 1) {
    if (!fits(p, 1)) return formatFail(E_TRUNCATED, p);
    if (u8at(p) != rank) return formatFail(E_SHAPE, p);
    p += 1;
    if (!fits(p, rank << 2)) return formatFail(E_TRUNCATED, p);
    for (let d: u32 = 0; d < rank; d++) if (u32at(p + (d << 2)) == 0) return formatFail(E_SHAPE, p + (d << 2));
    unitDimsOff = p;
    p += rank << 2;
  } else if (unit == 2) {
    if (!fits(p, 2)) return formatFail(E_TRUNCATED, p);
    nmN = u8at(p);
    nmM = u8at(p + 1);
    if (nmM == 0 || nmM > 32) return formatFail(E_PARAM, p + 1);
    if (nmN > nmM) return formatFail(E_PARAM, p);
    p += 2;
  }
  const a = p;
  if (!fits(a, 8)) return formatFail(E_TRUNCATED, a);
  const n = u32at(a);
  if (hasShape && dimsProduct(base + <usize>dimsOff, rank) != <u64>n) return formatFail(E_SHAPE, a);
  const k = u32at(a + 4);
  // Unit 1: the grid (U ≤ n, since the dims' product is n); indices are unit numbers below U.
  const U = unit == 1 ? rectSetup(base + <usize>dimsOff, base + <usize>unitDimsOff, rank) : n;
  if (k > U) return formatFail(E_COUNT, a + 4);
  const cols: u32 = unit == 2 ? (hasShape && rank >= 1 ? u32at(dimsOff + ((rank - 1) << 2)) : n) : 0;
  if (unit == 2 && <u64>k != nmCount(n, cols, nmN, nmM)) return formatFail(E_COUNT, a + 4);
  const before = elements;
  if (before + <f64>k > maxElems) return formatFail(E_LIMIT, a + 4);
  elements += <f64>k;
  p = a + 8;
  const ipb: u32 = ic == 5 ? 1 : 0;
  const vpb: u32 = vc == 3 || vc == 4 ? 4 : 0;
  if (!fits(p, ipb + vpb)) return formatFail(E_TRUNCATED, p);
  let indexParam: u32 = 0;
  if (ipb) {
    indexParam = u8at(p);
    if (indexParam > 31) return formatFail(E_PARAM, p);
    p += 1;
  }
  let vparam: u32 = 0;
  if (vpb) {
    vparam = u32at(p);
    if ((vparam & 0x7f800000) == 0x7f800000 || (vparam >> 31) != 0) return formatFail(E_PARAM, p);
    p += 4;
  }
  const e = p;
  if (!fits(e, 8)) return formatFail(E_TRUNCATED, e);
  const ib = u32at(e);
  const vb = u32at(e + 4);
  const rows = ic == 1 ? (unit == 1 ? rectGridDim(0) : u32at(dimsOff)) : 0;
  const csrCols = ic == 1 ? (unit == 1 ? rectGridDim(1) : u32at(dimsOff + 4)) : 0;
  let fixed: i64 = -1;
  if (storedMask) fixed = 0;
  else if (ic == 0) fixed = <i64>k << 2;
  else if (ic == 1) fixed = ((<i64>rows + 1) << 2) + (<i64>k << 2);
  else if (ic == 2) fixed = (<i64>U + 7) >> 3;
  if (fixed >= 0 && <i64>ib != fixed) return formatFail(E_COUNT, e);
  const vExpected = valueBytes(vc, <u64>k);
  if (unit == 1 ? <u64>vb < vExpected : <u64>vb != vExpected) return formatFail(E_COUNT, e + 4);
  p = e + 8;
  if (!fits(p, ib)) return formatFail(E_TRUNCATED, p);
  const vStart = p + ib;
  if (!fits(vStart, vb)) return formatFail(E_TRUNCATED, vStart);

  const rec = newRecord();
  set(rec, T_NAME_OFF, nameOff);
  set(rec, T_NAME_LEN, nameLen);
  set(rec, T_METHOD, method);
  set(rec, T_HAS_SHAPE, hasShape ? 1 : 0);
  set(rec, T_INDEX_CODE, ic);
  set(rec, T_VALUE_CODE, vc);
  set(rec, T_RANK, rank);
  set(rec, T_DIMS_OFF, dimsOff);
  set(rec, T_LENGTH, n);
  set(rec, T_K, k);
  set(rec, T_INDEX_PARAM, indexParam);
  set(rec, T_VALUE_PARAM_BITS, vparam);
  set(rec, T_INDEX_BYTES, ib);
  set(rec, T_VALUE_BYTES, vb);
  set(rec, T_SECTION_OFF, start);
  set(rec, T_SECTION_BYTES, vStart + vb - start);
  set(rec, T_INDEX_OFF, p);
  set(rec, T_VALUE_OFF, vStart);
  set(rec, T_UNIT, unit);
  set(rec, T_FLAGS, flags);
  set(rec, T_UNIT_DIMS_OFF, unitDimsOff);
  set(rec, T_NM_N, nmN);
  set(rec, T_NM_M, nmM);
  // k ≤ 8·(bytes present) here: value_bytes matched (unit 1: at least) its exact size for k and is present.
  const bytes = <usize>k << 2;
  const ip = k && !storedMask ? heap.alloc(bytes) : 0;
  if (unit == 1) {
    set(rec, T_UNIT_COUNT, k);
    set(rec, T_UNITS_PTR, <u32>ip);
  } else set(rec, T_INDICES_PTR, <u32>ip);

  let st: i32 = 0;
  if (unit == 2) st = nmDecode(base, p, n, cols, nmN, nmM, ip);
  else if (storedMask) st = 0; // the host resolves the indices from its mask store (docs/wire-format.md, rule 11)
  else if (ic == 0) st = cooDecode(base, p, U, k, ip);
  else if (ic == 1) st = csrDecode(base, p, rows, csrCols, k, ip);
  else if (ic == 2) st = bitmapDecode(base, p, U, k, ip);
  else if (ic == 3) st = rleDecode(base, p, vStart, U, k, ip);
  else if (ic == 4) st = varintIndexDecode(base, p, vStart, U, k, ip);
  else st = riceDecode(base, p, vStart, U, k, indexParam, ip);
  if (st != 0) return st;
  let count = k;
  if (unit == 1) {
    // m: the elements of the kept units, checked against maxElements and value_bytes before allocating.
    const m = rectCount(ip, k);
    if (before + <f64>m > maxElems) return formatFail(E_LIMIT, a + 4);
    elements = before + <f64>m;
    if (<u64>vb != valueBytes(vc, m)) return formatFail(E_COUNT, e + 4);
    count = <u32>m;
    set(rec, T_K, count);
    const ep = count ? heap.alloc(<usize>count << 2) : 0;
    set(rec, T_INDICES_PTR, <u32>ep);
    rectEmit(ip, k, ep);
  }
  const vp = count ? heap.alloc(<usize>count << 2) : 0;
  set(rec, T_VALUES_PTR, <u32>vp);
  if (vc == 0) st = f32Decode(base, vStart, count, allowNonFinite, vp);
  else if (vc == 1) st = f16Decode(base, vStart, count, allowNonFinite, vp);
  else if (vc == 2) st = bf16Decode(base, vStart, count, allowNonFinite, vp);
  else if (vc == 3) st = int8Decode(base, vStart, count, reinterpret<f32>(vparam), allowNonFinite, vp);
  else st = ternaryDecode(base, vStart, count, vparam, vp);
  return st;
}

/**
 * Decodes and validates the frame `ptr[0, len)`. Limits: `maxElements` (sum of k) and `maxBytes`
 * (frame length) as f64, +Infinity for none. Returns 0, or an error code with its offset in
 * formatErrorOffset. The input must stay unchanged while the results are used (names and dims
 * are read from it).
 */
export function decodeFrame(ptr: usize, len: u32, maxElements: f64, maxBytes: f64, allow: bool): i32 {
  decodeRelease();
  formatClear();
  base = ptr;
  if (<f64>len > maxBytes) return formatFail(E_LIMIT, 0);
  if (len < 24) return formatFail(E_TRUNCATED, len);
  if (load<u32>(ptr) != 0x44475053) return formatFail(E_MAGIC, 0);
  if (load<u16>(ptr, 4) != 1) return formatFail(E_VERSION, 4);
  const total = load<u32>(ptr, 16);
  if (total < 24) return formatFail(E_LENGTH, 16);
  if (total > len) return formatFail(E_TRUNCATED, len);
  if (total < len) return formatFail(E_TRAILING, total);
  const end = total - 4;
  const stored = load<u32>(ptr + <usize>end);
  if (crc32c(ptr, end) != stored) return formatFail(E_CHECKSUM, end);
  if (load<u16>(ptr, 6) != 0) return formatFail(E_RESERVED, 6);
  const count = load<u32>(ptr, 12);
  if (<u64>count * MIN_SECTION > <u64>(end - HEADER)) return formatFail(E_COUNT, 12);
  areaEnd = end;
  elements = 0;
  maxElems = maxElements;
  allowNonFinite = allow;
  namesReset(NAMES);
  let p = HEADER;
  for (let t: u32 = 0; t < count; t++) {
    const st = decodeSection(p);
    if (st != 0) return st;
    p += load<u32>(decTable + <usize>((decCount - 1) * TENSOR_WORDS << 2), T_SECTION_BYTES << 2);
  }
  if (p != end) return formatFail(E_TRAILING, p);
  decStep = load<u32>(ptr, 8);
  decTotal = total;
  decChecksum = stored;
  return 0;
}
