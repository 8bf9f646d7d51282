/**
 * The wire-format codec on the Wasm core: {@link encodeFrameWasm} and {@link decodeFrameWasm} take
 * and return exactly what ts-api/codec's `encodeFrame` / `decodeFrame` do, throw the same error
 * types (ConfigError, NonFiniteError, FormatError with the same code and offset), and produce
 * byte-identical frames. The kernels behind them (assembly/codec_abi.ts documents their ABI) run
 * with SIMD in the SIMD build and give the same bits in the scalar build.
 *
 * Inputs are copied into Wasm memory unless they already live there (typed arrays over the core's
 * memory are used in place); outputs are copied out, so nothing returned aliases Wasm memory.
 */
import { ConfigError, FormatError, NonFiniteError } from '../../errors.ts';
import { bitsToF32, isU32, readU32, type FormatErrorCode } from '../../codec/bytes.ts';
import { checkTensorHeader } from '../../codec/frame.ts';
import type {
  DecodedFrame, DecodedTensor, DecodeLimits, DecodeState, EncodeOptions, EncodeTensor, FrameUpdate,
} from '../../codec/frame.ts';
import { resolveMasks } from '../../codec/frame_decode.ts';
import {
  nmPatternMessage, unitElementsMessage, unitOrderMessage, type UnitPlan,
} from '../../codec/frame_units.ts';
import { FORMAT_VERSION, INDEX_CODE_NAMES, VALUE_CODE_NAMES, methodId, methodName } from '../../codec/ids.ts';
import { UNIT_NAMES } from '../../codec/units.ts';
import type { CoreExports, WasmCore } from './core.ts';

/** The codec exports of the core (assembly/codec_abi.ts). */
export interface CodecExports extends CoreExports {
  sg_wire_version(): number;
  sg_frame_begin(step: number): void;
  sg_frame_add_tensor(
    namePtr: number, nameLen: number, method: number, shapePtr: number, rank: number, length: number,
    idxPtr: number, valPtr: number, k: number, indexCode: number, valueCode: number,
  ): number;
  sg_frame_next_rect(unitDimsPtr: number, unitsPtr: number, unitCount: number): void;
  sg_frame_next_nm(N: number, M: number): void;
  sg_frame_next_mask(send: number): void;
  sg_frame_finish(): number;
  sg_frame_bytes(): number;
  sg_frame_status(): number;
  sg_frame_error_index(): number;
  sg_frame_total(): number;
  sg_frame_last_index_code(): number;
  sg_frame_last_index_param(): number;
  sg_frame_last_index_bytes(): number;
  sg_decode(ptr: number, len: number, maxElements: number, maxBytes: number, allowNonFinite: number): number;
  sg_decode_error_offset(): number;
  sg_decode_release(): void;
  sg_decode_step(): number;
  sg_decode_total_length(): number;
  sg_decode_checksum(): number;
  sg_decode_tensor_count(): number;
  sg_decode_tensors(): number;
  sg_decode_tensor_words(): number;
  sg_crc32c(ptr: number, len: number): number;
  sg_codec_seed(lo: number, hi: number): void;
}

/** FormatError codes by their ABI number (assembly/util/format_errors.ts). */
export const FORMAT_ERROR_CODES: readonly FormatErrorCode[] = [
  'E_LIMIT', 'E_TRUNCATED', 'E_MAGIC', 'E_VERSION', 'E_LENGTH', 'E_TRAILING', 'E_CHECKSUM', 'E_RESERVED', 'E_COUNT',
  'E_NAME', 'E_CODE', 'E_SHAPE', 'E_PARAM', 'E_INDEX_RANGE', 'E_INDEX_ORDER', 'E_VARINT', 'E_VALUE', 'E_NONFINITE_VALUE',
  'E_MASK',
];

const FORMAT_MESSAGES: Readonly<Record<FormatErrorCode, string>> = {
  E_LIMIT: 'the frame exceeds a caller limit (maxBytes or maxElements)',
  E_TRUNCATED: 'the frame or a field ends early',
  E_MAGIC: 'bad magic (expected "SPGD")',
  E_VERSION: 'unsupported format version',
  E_LENGTH: 'declared total length below 24',
  E_TRAILING: 'bytes after the frame or after the last tensor section',
  E_CHECKSUM: 'CRC-32C mismatch',
  E_RESERVED: 'a reserved field, flag or pad bit is not zero',
  E_COUNT: 'counts or payload lengths disagree',
  E_NAME: 'bad tensor name (length, UTF-8 or duplicate)',
  E_CODE: 'unknown or reserved method, unit, index code or value code, or a unit that is not the method\'s',
  E_SHAPE: 'bad shape (rank, dims product, csr without a rank-2 shape, or unit dims)',
  E_PARAM: 'bad code parameter (rice b, int8 scale, ternary magnitude, N:M)',
  E_INDEX_RANGE: 'an index is at or past the dense length',
  E_INDEX_ORDER: 'indices are not strictly increasing',
  E_VARINT: 'over-long varint or varint above 2^32 - 1',
  E_VALUE: 'int8 level -128',
  E_NONFINITE_VALUE: 'a decoded value is NaN or infinite',
  E_MASK: 'a mask section without its mask, and no stored mask of its size',
};

/** Encoder status codes (assembly/kernels/encode_frame.ts). */
const ENC_INDEX = 6;
const ENC_NONFINITE = 7;
const ENC_VALUE_CODE = 8;
const ENC_INDEX_CODE = 9;
const ENC_CSR_SHAPE = 10;
const ENC_PAYLOAD_TOO_LARGE = 11;
const ENC_FRAME_TOO_LARGE = 12;
const ENC_UNITS = 15;
const ENC_UNIT_ELEMENTS = 16;
const ENC_NM_PATTERN = 17;
/** Index code argument for `auto`, and an id no code has (for unknown names). */
const INDEX_AUTO = 255;
const UNKNOWN_CODE = 254;
/** u32 fields of a decoded tensor record (assembly/codec_abi.ts). */
const TENSOR_WORDS = 27;

const seeded = new WeakSet<WasmCore>();

/** The core's exports with the codec part typed; keys the name hash of a fresh instance once. */
export function codecExports(core: WasmCore): CodecExports {
  const x = core.exports as CodecExports;
  if (!seeded.has(core)) {
    const r = new Uint32Array(2);
    globalThis.crypto.getRandomValues(r);
    x.sg_codec_seed(r[0]!, r[1]!);
    seeded.add(core);
  }
  return x;
}


const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Byte offset of `a` in the core's memory when it is a view of it, else -1. */
function inMemory(core: WasmCore, a: Uint32Array | Float32Array | Uint8Array): number {
  return a.buffer === core.exports.memory.buffer ? a.byteOffset : -1;
}

/** The error a failed sg_frame_add_tensor maps to (the same type and message as ts-api/codec). */
function encodeError(x: CodecExports, status: number, t: EncodeTensor, valueCode: unknown, indexChoice: unknown, u: UnitPlan): Error {
  const label = `tensor '${t.name}'`;
  const j = x.sg_frame_error_index() >>> 0;
  switch (status) {
    case ENC_UNITS:
      return new ConfigError(unitOrderMessage(label, u.grid!.U, t.units![j]!, j));
    case ENC_UNIT_ELEMENTS:
      return new ConfigError(unitElementsMessage(label, j));
    case ENC_NM_PATTERN:
      return new ConfigError(nmPatternMessage(label, j));
    case ENC_INDEX:
      return new ConfigError(`${label}: indices must be strictly increasing and < ${t.length} (index ${t.indices[j]} at ${j})`);
    case ENC_NONFINITE:
      return new NonFiniteError(t.name, t.indices[j]!, 'value is NaN or infinite');
    case ENC_VALUE_CODE:
      return new ConfigError(`${label}: unknown value code '${String(valueCode)}'`);
    case ENC_INDEX_CODE:
      return new ConfigError(`unknown index code '${String(indexChoice)}'`);
    case ENC_CSR_SHAPE:
      return new ConfigError(`index code '${String(indexChoice)}' needs a rank-2 shape`);
    case ENC_PAYLOAD_TOO_LARGE:
      return new ConfigError(`${label}: payload exceeds 2^32 - 1 bytes`);
    default:
      return new ConfigError(`${label}: the Wasm encoder rejected the tensor (status ${status})`);
  }
}

/**
 * Encode one step's sparse tensors as a frame with the Wasm kernels; byte-identical to
 * `encodeFrame(update, options)` of ts-api/codec, with the same errors.
 * @throws ConfigError on an invalid step, name, method, length, shape, index list or code;
 *   NonFiniteError when a value is NaN or ±Inf.
 */
export function encodeFrameWasm(core: WasmCore, update: FrameUpdate, options: EncodeOptions = {}): Uint8Array {
  const x = codecExports(core);
  if (!isU32(update.step)) throw new ConfigError('step must be an integer in [0, 2^32 - 1]');
  x.sg_frame_begin(update.step);
  const seen = new Set<string>();
  for (const t of update.tensors) {
    // The checks ts-api/codec/frame.ts makes before looking at elements (the same function).
    const { name, u } = checkTensorHeader(t, seen, options.alwaysSendMask === true);
    const k = t.indices.length;
    const rank = t.shape?.length ?? -1;
    const valueCode = t.valueCode ?? options.valueCode ?? 'f32';
    const indexChoice = t.indexCode ?? options.indexCode ?? 'auto';
    const vc = VALUE_CODE_NAMES.indexOf(valueCode);
    const ic = indexChoice === 'auto' ? INDEX_AUTO : INDEX_CODE_NAMES.indexOf(indexChoice);
    const units = u.unit === 1 ? t.units! : undefined;
    // Offsets of inputs already in Wasm memory are taken before allocating (growth detaches views).
    let idxPtr = inMemory(core, t.indices);
    let valPtr = inMemory(core, t.values);
    let unitsPtr = units ? inMemory(core, units) : 0;
    const ku = units?.length ?? 0;
    const head = (name.length + 3) & ~3;
    const scratchBytes = head + 8 * Math.max(rank, 0) + (idxPtr < 0 ? 4 * k : 0) + (valPtr < 0 ? 4 * k : 0) + (unitsPtr < 0 ? 4 * ku : 0);
    const scratch = core.alloc(scratchBytes);
    let status: number;
    try {
      const mem = new Uint8Array(core.exports.memory.buffer);
      mem.set(name, scratch);
      let p = scratch + head;
      const shapePtr = p;
      if (rank > 0) new Uint32Array(mem.buffer, p, rank).set(t.shape as readonly number[]);
      p += 4 * Math.max(rank, 0);
      const unitDimsPtr = p;
      if (u.unit === 1 && rank > 0) new Uint32Array(mem.buffer, p, rank).set(u.grid!.unitDims);
      p += 4 * Math.max(rank, 0);
      if (idxPtr < 0) {
        idxPtr = p;
        new Uint32Array(mem.buffer, p, k).set(t.indices);
        p += 4 * k;
      }
      if (valPtr < 0) {
        valPtr = p;
        new Float32Array(mem.buffer, p, k).set(t.values);
        p += 4 * k;
      }
      if (units && unitsPtr < 0) {
        unitsPtr = p;
        new Uint32Array(mem.buffer, p, ku).set(units);
      }
      if (u.unit === 1) x.sg_frame_next_rect(unitDimsPtr, unitsPtr, ku);
      else if (u.unit === 2) x.sg_frame_next_nm(u.nm![0], u.nm![1]);
      else if (u.unit === 3) x.sg_frame_next_mask(u.sendMask ? 1 : 0);
      status = x.sg_frame_add_tensor(
        scratch, name.length, methodId(t.method), shapePtr, rank, t.length, idxPtr, valPtr, k,
        ic < 0 ? UNKNOWN_CODE : ic, vc < 0 ? UNKNOWN_CODE : vc,
      );
    } finally {
      core.free(scratch);
    }
    if (status !== 0) throw encodeError(x, status, t, valueCode, indexChoice, u);
  }
  const len = x.sg_frame_finish() >>> 0;
  if (len === 0) {
    if (x.sg_frame_status() === ENC_FRAME_TOO_LARGE) throw new ConfigError(`frame of ${x.sg_frame_total()} bytes exceeds 2^32 - 1`);
    throw new ConfigError(`the Wasm encoder failed (status ${x.sg_frame_status()})`);
  }
  return new Uint8Array(core.exports.memory.buffer, x.sg_frame_bytes() >>> 0, len).slice();
}

function readDims(bytes: Uint8Array, off: number, rank: number): number[] {
  const dims: number[] = [];
  for (let r = 0; r < rank; r++) dims.push(readU32(bytes, off + 4 * r));
  return dims;
}

/**
 * Decode and validate a frame with the Wasm kernels; the same result as `decodeFrame(bytes,
 * limits, state)` of ts-api/codec (equal tensors, or a FormatError with the same code and offset).
 * The mask store (`state.masks`) stays in JavaScript: rule 11 is applied here after the kernels
 * validated the bytes (assembly/codec_abi.ts, "Mask store").
 * @throws FormatError with one of the documented codes and the byte offset where decoding failed.
 */
export function decodeFrameWasm(core: WasmCore, bytes: Uint8Array, limits: DecodeLimits = {}, state: DecodeState = {}): DecodedFrame {
  const x = codecExports(core);
  const len = bytes.length;
  if (limits.maxBytes !== undefined && len > limits.maxBytes) {
    throw new FormatError('E_LIMIT', 0, `frame of ${len} bytes exceeds maxBytes = ${limits.maxBytes}`);
  }
  let ptr = inMemory(core, bytes);
  const owned = ptr < 0 ? core.alloc(len) : 0;
  if (ptr < 0) {
    ptr = owned;
    new Uint8Array(core.exports.memory.buffer, ptr, len).set(bytes);
  }
  try {
    const rc = x.sg_decode(ptr, len, limits.maxElements ?? Infinity, limits.maxBytes ?? Infinity, limits.allowNonFinite === true ? 1 : 0);
    if (rc !== 0) {
      const code = FORMAT_ERROR_CODES[rc - 1] ?? 'E_TRUNCATED';
      throw new FormatError(code, x.sg_decode_error_offset() >>> 0, FORMAT_MESSAGES[code]);
    }
    const count = x.sg_decode_tensor_count() >>> 0;
    const tensors: DecodedTensor[] = [];
    const buf = core.exports.memory.buffer;
    // Names and dims are read from the input; an input view of Wasm memory may have been detached
    // by memory growth during decoding, so take a fresh view of it then.
    const src = owned ? bytes : new Uint8Array(buf, ptr, len);
    const table = new Uint32Array(buf, x.sg_decode_tensors() >>> 0, count * TENSOR_WORDS);
    const offsets: number[] = [];
    for (let t = 0; t < count; t++) {
      const r = t * TENSOR_WORDS;
      const nameOff = table[r]!;
      const k = table[r + 9]!;
      const ic = table[r + 4]!;
      const vc = table[r + 5]!;
      const hasShape = table[r + 3]! !== 0;
      const vBits = table[r + 11]!;
      const unit = table[r + 20]!;
      const ip = table[r + 16]!;
      const tensor: DecodedTensor = {
        name: utf8Decoder.decode(src.subarray(nameOff, nameOff + table[r + 1]!)),
        length: table[r + 8]!,
        indices: k === 0 || ip === 0 ? new Uint32Array(0) : new Uint32Array(buf, ip, k).slice(),
        values: k === 0 ? new Float32Array(0) : new Float32Array(buf, table[r + 17]!, k).slice(),
        method: methodName(table[r + 2]!)!,
        unit: UNIT_NAMES[unit]!,
        indexCode: INDEX_CODE_NAMES[ic]!,
        valueCode: VALUE_CODE_NAMES[vc]!,
        indexParam: table[r + 10]!,
        valueParam: vc === 3 || vc === 4 ? bitsToF32(vBits) : 0,
        indexBytes: table[r + 12]!,
        valueBytes: table[r + 13]!,
        sectionBytes: table[r + 15]!,
      };
      if (hasShape) tensor.shape = readDims(src, table[r + 7]!, table[r + 6]!);
      if (unit === 1) {
        const ku = table[r + 23]!;
        tensor.units = ku === 0 ? new Uint32Array(0) : new Uint32Array(buf, table[r + 24]!, ku).slice();
        tensor.unitDims = readDims(src, table[r + 22]!, table[r + 6]!);
      } else if (unit === 2) tensor.nm = [table[r + 25]!, table[r + 26]!];
      else if (unit === 3) tensor.maskSent = (table[r + 21]! & 2) !== 0;
      tensors.push(tensor);
      offsets.push(table[r + 14]!);
    }
    resolveMasks(tensors, offsets, state.masks);
    return {
      version: FORMAT_VERSION,
      step: x.sg_decode_step() >>> 0,
      tensors,
      totalBytes: x.sg_decode_total_length() >>> 0,
      checksum: x.sg_decode_checksum() >>> 0,
    };
  } finally {
    x.sg_decode_release();
    if (owned) core.free(owned);
  }
}

/** CRC-32C of `bytes` computed by the Wasm kernel (slicing-by-16). */
export function crc32cWasm(core: WasmCore, bytes: Uint8Array): number {
  const x = codecExports(core);
  const p = core.alloc(bytes.length);
  try {
    new Uint8Array(core.exports.memory.buffer, p, bytes.length).set(bytes);
    return x.sg_crc32c(p, bytes.length) >>> 0;
  } finally {
    core.free(p);
  }
}
