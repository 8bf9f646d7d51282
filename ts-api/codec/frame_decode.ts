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
import type { DecodedFrame, DecodedTensor, DecodeLimits } from './frame.ts';
import {
  FORMAT_VERSION, HEADER_BYTES, INDEX_CODE_NAMES, MAGIC, MAX_NAME_BYTES, MAX_RANK, METHOD_NAMES,
  MIN_FRAME_BYTES, MIN_SECTION_BYTES, TENSOR_FLAG_SHAPE, TRAILER_BYTES, U32_MAX, VALUE_CODE_NAMES,
} from './ids.ts';
import { RICE_MAX_B } from './index_rice.ts';

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
  if (mId >= METHOD_NAMES.length) fail('E_CODE', o, `unknown or unsupported method id ${mId}`);
  if (unit !== 0) fail('E_CODE', o + 1, `unsupported unit ${unit} (only 0 = element in version ${FORMAT_VERSION})`);
  if ((flags & ~TENSOR_FLAG_SHAPE) !== 0) fail('E_RESERVED', o + 2, `reserved tensor flag bits set (0x${flags.toString(16)})`);
  if (icId >= INDEX_CODE_NAMES.length) fail('E_CODE', o + 3, `unknown index code id ${icId}`);
  if (vcId >= VALUE_CODE_NAMES.length) fail('E_CODE', o + 4, `unknown value code id ${vcId}`);
  const hasShape = (flags & TENSOR_FLAG_SHAPE) !== 0;
  if (!hasShape && rank !== 0) fail('E_SHAPE', o + 5, `rank ${rank} without the shape flag`);
  if (rank > MAX_RANK) fail('E_SHAPE', o + 5, `rank ${rank} > ${MAX_RANK}`);
  const icName = INDEX_CODE_NAMES[icId];
  if (icName === 'csr' && (!hasShape || rank !== 2)) fail('E_SHAPE', o + 5, 'csr needs a declared rank-2 shape');
  p = o + 6;
  need(c, p, 4 * rank);
  const dims: number[] = [];
  for (let r = 0; r < rank; r++) dims.push(readU32(b, p + 4 * r));
  p += 4 * rank;
  need(c, p, 8);
  const n = readU32(b, p);
  if (hasShape && dimsProduct(dims) !== n) fail('E_SHAPE', p, `shape [${dims.join(', ')}] does not match length ${n}`);
  const k = readU32(b, p + 4);
  if (k > n) fail('E_COUNT', p + 4, `k = ${k} > length ${n}`);
  if (c.elements + k > c.maxElements) fail('E_LIMIT', p + 4, `frame holds more than maxElements = ${c.maxElements} elements`);
  c.elements += k;
  p += 8;
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
  need(c, p, 8);
  const indexBytes = readU32(b, p);
  const valueBytes = readU32(b, p + 4);
  const g = { n, shape: hasShape ? dims : undefined };
  const fixed = ic.fixedSize(g, k);
  if (fixed >= 0 && indexBytes !== fixed) fail('E_COUNT', p, `index payload is ${indexBytes} bytes, ${icName} needs ${fixed}`);
  const vExpected = vc.size(k);
  if (valueBytes !== vExpected) fail('E_COUNT', p + 4, `value payload is ${valueBytes} bytes, ${vc.name} needs ${vExpected}`);
  p += 8;
  if (p + indexBytes > c.end) fail('E_TRUNCATED', p, `index payload of ${indexBytes} bytes runs past the tensor area`);
  const vStart = p + indexBytes;
  if (vStart + valueBytes > c.end) fail('E_TRUNCATED', vStart, `value payload of ${valueBytes} bytes runs past the tensor area`);
  const indices = ic.decode(b, p, vStart, g, k, indexParam);
  const values = vc.decode(b, vStart, k, valueParam, c.allowNonFinite);
  const endPos = vStart + valueBytes;
  const t: DecodedTensor = {
    name, length: n, indices, values,
    method: METHOD_NAMES[mId], indexCode: icName, valueCode: vc.name,
    indexParam, valueParam, indexBytes, valueBytes, sectionBytes: endPos - start,
  };
  if (hasShape) t.shape = dims;
  return t;
}

/**
 * Decode and validate a frame (docs/wire-format.md, "Validation", in that order).
 * @param bytes the frame (exactly one; trailing bytes are rejected).
 * @param limits caller limits: `maxBytes` (frame size), `maxElements` (sum of k), `allowNonFinite`.
 * @throws FormatError with one of the documented codes and the byte offset where decoding failed.
 */
export function decodeFrame(bytes: Uint8Array, limits: DecodeLimits = {}): DecodedFrame {
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
  let p = HEADER_BYTES;
  for (let t = 0; t < count; t++) {
    const s = decodeSection(c, p);
    tensors.push(s);
    p += s.sectionBytes;
  }
  if (p !== end) fail('E_TRAILING', p, `${end - p} bytes between the last tensor section and the checksum`);
  return { version, step, tensors, totalBytes: total, checksum };
}
