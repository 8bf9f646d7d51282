/**
 * Hardened frame decoder (docs/wire-format.md, "Validation"). Any byte string either decodes or
 * throws FormatError(code, offset, message). Checks run in the documented order, so every
 * implementation reports the same code and offset for the same bytes. Reads stay within bounds;
 * allocations are bounded by declared counts that were first checked against the bytes present;
 * work is O(bytes + declared elements).
 */
import { bitsToF32, fail, readU16, readU32 } from './bytes.ts';
import { INDEX_CODECS, VALUE_CODECS } from './codes.ts';
import { crc32c } from './crc32c.ts';
import type { DecodedFrame, DecodedTensor, DecodeLimits, DecodeState } from './frame.ts';
import {
  FORMAT_VERSION, HEADER_BYTES, INDEX_CODE_NAMES, MAGIC, MAX_NAME_BYTES, MAX_RANK,
  MIN_FRAME_BYTES, MIN_SECTION_BYTES, TENSOR_FLAG_SHAPE, TRAILER_BYTES, U32_MAX, VALUE_CODE_NAMES, methodName,
} from './ids.ts';
import { RICE_MAX_B } from './index_rice.ts';
import {
  NM_MAX_GROUP, TENSOR_FLAG_MASK, UNIT_NAMES, maskFits, methodUnitOfId, nmCount, nmDecode, nmRowWidth, rectElementCount,
  rectElements, rectGrid, type RectGrid,
} from './units.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Mutable decoding state shared by the section parser. */
interface Cursor {
  b: Uint8Array;
  /** End of the tensor area (= total length - 4, where the CRC starts). */
  end: number;
  names: Set<string>;
  elements: number;
  maxElements: number;
  allowNonFinite: boolean;
}

function need(c: Cursor, p: number, size: number): void {
  if (p + size > c.end) fail('E_TRUNCATED', p, `field of ${size} bytes at ${p} runs past the tensor area end ${c.end}`);
}

/** Exact product of u32 dims, or -1 when it exceeds 2^32 - 1. */
function dimsProduct(dims: number[]): number {
  if (dims.includes(0)) return 0;
  let prod = 1;
  for (const d of dims) {
    prod *= d;
    if (prod > U32_MAX) return -1;
  }
  return prod;
}

function decodeSection(c: Cursor, start: number): DecodedTensor {
  const b = c.b;
  let p = start;
  need(c, p, 2);
  const nameLen = readU16(b, p);
  if (nameLen === 0 || nameLen > MAX_NAME_BYTES) fail('E_NAME', p, `name length ${nameLen} not in 1..${MAX_NAME_BYTES}`);
  p += 2;
  need(c, p, nameLen);
  let name: string;
  try {
    name = utf8.decode(b.subarray(p, p + nameLen));
  } catch {
    return fail('E_NAME', p, 'name is not valid UTF-8');
  }
  if (c.names.has(name)) fail('E_NAME', p, `duplicate tensor name '${name}'`);
  c.names.add(name);
  const o = p + nameLen;
  need(c, o, 6);
  const [mId, unit, flags, icId, vcId, rank] = [b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5]];
  const method = methodName(mId);
  if (method === undefined) fail('E_CODE', o, `unknown or reserved method id ${mId}`);
  if (unit > 3 || unit !== methodUnitOfId(mId)) fail('E_CODE', o + 1, `unit ${unit} is not the unit of method ${method} (${methodUnitOfId(mId)})`);
  const allowed = unit === 3 ? TENSOR_FLAG_SHAPE | TENSOR_FLAG_MASK : TENSOR_FLAG_SHAPE;
  if ((flags & ~allowed) !== 0) fail('E_RESERVED', o + 2, `reserved tensor flag bits set (0x${flags.toString(16)})`);
  const maskSent = unit === 3 && (flags & TENSOR_FLAG_MASK) !== 0;
  const storedMask = unit === 3 && !maskSent;
  if (icId >= INDEX_CODE_NAMES.length) fail('E_CODE', o + 3, `unknown index code id ${icId}`);
  if (unit === 2 && icId !== 2) fail('E_CODE', o + 3, `an N:M section has index code 2 (bitmap), not ${icId}`);
  if (storedMask && icId !== 0) fail('E_CODE', o + 3, `a mask section without its mask has index code 0, not ${icId}`);
  if (vcId >= VALUE_CODE_NAMES.length) fail('E_CODE', o + 4, `unknown value code id ${vcId}`);
  const hasShape = (flags & TENSOR_FLAG_SHAPE) !== 0;
  if (!hasShape && rank !== 0) fail('E_SHAPE', o + 5, `rank ${rank} without the shape flag`);
  if (rank > MAX_RANK) fail('E_SHAPE', o + 5, `rank ${rank} > ${MAX_RANK}`);
  if (unit === 1 && !hasShape) fail('E_SHAPE', o + 5, 'rectangle units need a declared shape');
  const icName = INDEX_CODE_NAMES[icId];
  if (icName === 'csr' && (!hasShape || rank !== 2)) fail('E_SHAPE', o + 5, 'csr needs a declared rank-2 shape');
  p = o + 6;
  need(c, p, 4 * rank);
  const dims: number[] = [];
  for (let r = 0; r < rank; r++) dims.push(readU32(b, p + 4 * r));
  p += 4 * rank;
  let unitDims: number[] | undefined;
  let nm: [number, number] | undefined;
  if (unit === 1) {
    need(c, p, 1);
    if (b[p] !== rank) fail('E_SHAPE', p, `unit rank ${b[p]} is not the rank ${rank}`);
    p += 1;
    need(c, p, 4 * rank);
    unitDims = [];
    for (let r = 0; r < rank; r++) {
      const d = readU32(b, p + 4 * r);
      if (d === 0) fail('E_SHAPE', p + 4 * r, `unit dim ${r} is 0`);
      unitDims.push(d);
    }
    p += 4 * rank;
  } else if (unit === 2) {
    need(c, p, 2);
    const [N, M] = [b[p], b[p + 1]];
    if (M === 0 || M > NM_MAX_GROUP) fail('E_PARAM', p + 1, `N:M group size M = ${M} not in 1..${NM_MAX_GROUP}`);
    if (N > M) fail('E_PARAM', p, `N:M keeps N = ${N} > M = ${M}`);
    nm = [N, M];
    p += 2;
  }
  const a = p;
  need(c, a, 8);
  const n = readU32(b, a);
  if (hasShape && dimsProduct(dims) !== n) fail('E_SHAPE', a, `shape [${dims.join(', ')}] does not match length ${n}`);
  const k = readU32(b, a + 4);
  const grid: RectGrid | undefined = unitDims && rectGrid(dims, unitDims);
  const bound = grid ? grid.U : n;
  if (k > bound) fail('E_COUNT', a + 4, `k = ${k} > ${grid ? `unit count ${bound}` : `length ${n}`}`);
  const cols = nm ? nmRowWidth(hasShape ? dims : undefined, n) : 0;
  if (nm && k !== nmCount(n, cols, nm[0], nm[1])) fail('E_COUNT', a + 4, `k = ${k} is not the ${nm[0]}:${nm[1]} count ${nmCount(n, cols, nm[0], nm[1])}`);
  const before = c.elements;
  if (before + k > c.maxElements) fail('E_LIMIT', a + 4, `frame holds more than maxElements = ${c.maxElements} elements`);
  c.elements += k;
  p = a + 8;
  const ic = INDEX_CODECS[icName];
  const vc = VALUE_CODECS[VALUE_CODE_NAMES[vcId]];
  need(c, p, ic.paramBytes + vc.paramBytes);
  let indexParam = 0;
  if (ic.paramBytes === 1) {
    indexParam = b[p];
    if (indexParam > RICE_MAX_B) fail('E_PARAM', p, `rice parameter ${indexParam} > ${RICE_MAX_B}`);
    p += 1;
  }
  let valueParam = 0;
  if (vc.paramBytes === 4) {
    const bits = readU32(b, p);
    if ((bits & 0x7f800000) === 0x7f800000 || bits >>> 31 !== 0) fail('E_PARAM', p, `value parameter 0x${bits.toString(16)} is not finite and >= +0`);
    valueParam = bitsToF32(bits);
    p += 4;
  }
  const e = p;
  need(c, e, 8);
  const indexBytes = readU32(b, e);
  const valueBytes = readU32(b, e + 4);
  const g = grid ? { n: grid.U, shape: grid.grid } : { n, shape: hasShape ? dims : undefined };
  const fixed = storedMask ? 0 : ic.fixedSize(g, k);
  if (fixed >= 0 && indexBytes !== fixed) fail('E_COUNT', e, `index payload is ${indexBytes} bytes, ${storedMask ? 'a mask section without its mask' : icName} needs ${fixed}`);
  const vExpected = vc.size(k);
  if (grid ? valueBytes < vExpected : valueBytes !== vExpected) fail('E_COUNT', e + 4, `value payload is ${valueBytes} bytes, ${vc.name} needs ${grid ? 'at least ' : ''}${vExpected}`);
  const f = e + 8;
  if (f + indexBytes > c.end) fail('E_TRUNCATED', f, `index payload of ${indexBytes} bytes runs past the tensor area`);
  const vStart = f + indexBytes;
  if (vStart + valueBytes > c.end) fail('E_TRUNCATED', vStart, `value payload of ${valueBytes} bytes runs past the tensor area`);
  let indices: Uint32Array;
  let units: Uint32Array | undefined;
  let count = k;
  if (nm) indices = nmDecode(b, f, n, cols, nm[0], nm[1], k);
  else if (storedMask) indices = new Uint32Array(0); // resolved from the mask store after the frame (rule 11)
  else indices = ic.decode(b, f, vStart, g, k, indexParam);
  if (grid) {
    units = indices;
    count = rectElementCount(grid, units);
    if (before + count > c.maxElements) fail('E_LIMIT', a + 4, `frame holds more than maxElements = ${c.maxElements} elements`);
    c.elements = before + count;
    if (valueBytes !== vc.size(count)) fail('E_COUNT', e + 4, `value payload is ${valueBytes} bytes, ${vc.name} needs ${vc.size(count)} for ${count} elements`);
    indices = rectElements(grid, units, count);
  }
  const values = vc.decode(b, vStart, count, valueParam, c.allowNonFinite);
  const endPos = vStart + valueBytes;
  const t: DecodedTensor = {
    name, length: n, indices, values,
    method: method!, unit: UNIT_NAMES[unit]!, indexCode: icName, valueCode: vc.name,
    indexParam, valueParam, indexBytes, valueBytes, sectionBytes: endPos - start,
  };
  if (hasShape) t.shape = dims;
  if (grid) {
    t.units = units;
    t.unitDims = unitDims;
  }
  if (nm) t.nm = nm;
  if (unit === 3) t.maskSent = maskSent;
  return t;
}

/**
 * Rule 11: mask sections sent without their mask take the stored mask of their name (E_MASK at the
 * section when there is none of k strictly increasing indices < n); then the store takes every
 * mask the frame carried.
 */
export function resolveMasks(tensors: DecodedTensor[], offsets: number[], store: Map<string, Uint32Array> | undefined): void {
  tensors.forEach((t, j) => {
    if (t.unit !== 'mask' || t.maskSent) return;
    const k = t.values.length;
    const m = store?.get(t.name);
    if (!maskFits(m, k, t.length)) {
      fail('E_MASK', offsets[j]!, m === undefined
        ? `no stored mask for tensor '${t.name}' (the section was sent without its mask)`
        : `the stored mask of '${t.name}' does not hold ${k} strictly increasing indices < ${t.length}`);
    }
    t.indices = m.slice();
  });
  if (store) for (const t of tensors) if (t.unit === 'mask' && t.maskSent) store.set(t.name, t.indices.slice());
}

/**
 * Decode and validate a frame (docs/wire-format.md, "Validation", in that order).
 * @param bytes the frame (exactly one; trailing bytes are rejected).
 * @param limits caller limits: `maxBytes` (frame size), `maxElements` (sum of kept elements), `allowNonFinite`.
 * @param state receiver state: `masks`, the mask store (read for mask sections sent without their
 *   mask; updated with the frame's masks only when the whole frame decodes).
 * @throws FormatError with one of the documented codes and the byte offset where decoding failed.
 */
export function decodeFrame(bytes: Uint8Array, limits: DecodeLimits = {}, state: DecodeState = {}): DecodedFrame {
  const len = bytes.length;
  if (limits.maxBytes !== undefined && len > limits.maxBytes) fail('E_LIMIT', 0, `frame of ${len} bytes exceeds maxBytes = ${limits.maxBytes}`);
  if (len < MIN_FRAME_BYTES) fail('E_TRUNCATED', len, `${len} bytes is shorter than the smallest frame (${MIN_FRAME_BYTES})`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) fail('E_MAGIC', 0, 'bad magic (expected "SPGD")');
  const version = readU16(bytes, 4);
  if (version !== FORMAT_VERSION) fail('E_VERSION', 4, `unsupported format version ${version}`);
  const total = readU32(bytes, 16);
  if (total < MIN_FRAME_BYTES) fail('E_LENGTH', 16, `declared total length ${total} < ${MIN_FRAME_BYTES}`);
  if (total > len) fail('E_TRUNCATED', len, `declared total length ${total} > ${len} bytes present`);
  if (total < len) fail('E_TRAILING', total, `${len - total} bytes after the declared frame end`);
  const end = total - TRAILER_BYTES;
  const checksum = readU32(bytes, end);
  const actual = crc32c(bytes, 0, end);
  if (checksum !== actual) fail('E_CHECKSUM', end, `CRC-32C 0x${actual.toString(16)} != stored 0x${checksum.toString(16)}`);
  const flags = readU16(bytes, 6);
  if (flags !== 0) fail('E_RESERVED', 6, `reserved frame flags set (0x${flags.toString(16)})`);
  const step = readU32(bytes, 8);
  const count = readU32(bytes, 12);
  if (count * MIN_SECTION_BYTES > end - HEADER_BYTES) fail('E_COUNT', 12, `${count} tensors cannot fit in ${end - HEADER_BYTES} bytes`);
  const c: Cursor = {
    b: bytes, end, names: new Set(), elements: 0,
    maxElements: limits.maxElements ?? Infinity, allowNonFinite: limits.allowNonFinite === true,
  };
  const tensors: DecodedTensor[] = [];
  const offsets: number[] = [];
  let p = HEADER_BYTES;
  for (let t = 0; t < count; t++) {
    const s = decodeSection(c, p);
    tensors.push(s);
    offsets.push(p);
    p += s.sectionBytes;
  }
  if (p !== end) fail('E_TRAILING', p, `${end - p} bytes between the last tensor section and the checksum`);
  resolveMasks(tensors, offsets, state.masks);
  return { version, step, tensors, totalBytes: total, checksum };
}
