/**
 * Frames: encode a step's sparse tensors into the bytes of docs/wire-format.md, and the types the
 * decoder returns. Decoding lives in frame_decode.ts; both are re-exported here.
 */
import { ConfigError, NonFiniteError } from '../errors.ts';
import type { Method, SparseTensor, StructuredMethod } from '../types.ts';
import { writeU16, writeU32, f32Bits, isNonFiniteBits, isU32, wellFormed } from './bytes.ts';
import { chooseIndexCode, INDEX_CODECS, VALUE_CODECS, type IndexCodeChoice, type IndexChoice, type IndexGeometry } from './codes.ts';
import { crc32c } from './crc32c.ts';
import {
  FORMAT_VERSION, HEADER_BYTES, MAGIC, MAX_NAME_BYTES, MAX_RANK, TENSOR_FLAG_SHAPE, TRAILER_BYTES, U32_MAX,
  indexCodeId, methodId, valueCodeId, type IndexCodeName, type ValueCodeName,
} from './ids.ts';
import { bitmapEncode, bitmapSize } from './index_bitmap.ts';
import { TENSOR_FLAG_MASK, type UnitName } from './units.ts';
import { checkUnitContent, checkUnitGeometry, type UnitPlan } from './frame_units.ts';

export { decodeFrame } from './frame_decode.ts';

/**
 * One tensor to encode: a sparse tensor (element indices ascending, one value each), its selection
 * method, and optional code choices. The method fixes the section's unit (docs/wire-format.md,
 * "Structured units"): `block`, `channel`, `head`, `row`, `column` need `shape`, `unitDims` and
 * `units`; `nm` needs `nm`; `mask` sends its indices only when `maskChanged` is not false.
 */
export interface EncodeTensor extends SparseTensor {
  /** The selection method that produced it (written as its id; fixes the unit). */
  method: Method | StructuredMethod;
  /** Index code, or `auto` (default: the frame option, else `auto`). Not used by `nm` (always the N:M bitmap). */
  indexCode?: IndexCodeChoice;
  /** Value code (default: the frame option, else `f32`). */
  valueCode?: ValueCodeName;
  /** Rectangle methods: the kept unit numbers, strictly increasing (row-major over the unit grid). */
  units?: Uint32Array;
  /** Rectangle methods: the unit extent along each dimension of `shape` (same rank, each ≥ 1). */
  unitDims?: number[];
  /** `nm`: [N, M] (keep N of every M along the last dimension; 0 ≤ N ≤ M ≤ 32). */
  nm?: [number, number];
  /** `mask`: false when the mask did not change (only the values are sent); default true. */
  maskChanged?: boolean;
}

/** One step's update to encode. */
export interface FrameUpdate {
  /** Step number, an integer in [0, 2^32 - 1]. */
  step: number;
  /** Tensors in frame order (names unique). */
  tensors: EncodeTensor[];
}

/** Frame-wide defaults for tensors that do not name their codes. */
export interface EncodeOptions {
  /** Index code for tensors without one (default `auto`). */
  indexCode?: IndexCodeChoice;
  /** Value code for tensors without one (default `f32`). */
  valueCode?: ValueCodeName;
  /** Send the mask of every `mask` tensor, changed or not (default false: only when `maskChanged`). */
  alwaysSendMask?: boolean;
}

/** A decoded tensor: the sparse tensor plus how it was coded and what it cost. */
export interface DecodedTensor extends SparseTensor {
  /** Selection method id, as its name. */
  method: Method | StructuredMethod;
  /** The section's unit; `indices` are element indices whatever the unit. */
  unit: UnitName;
  /** Unit `rect`: the kept unit numbers, ascending (k of them; `indices` lists their elements). */
  units?: Uint32Array;
  /** Unit `rect`: the unit extent along each dimension of `shape`. */
  unitDims?: number[];
  /** Unit `nm`: [N, M]. */
  nm?: [number, number];
  /** Unit `mask`: true when the section carried the mask, false when it came from the mask store. */
  maskSent?: boolean;
  /** Index code of the section. */
  indexCode: IndexCodeName;
  /** Value code of the section (lossy codes: `values` are the dequantised values). */
  valueCode: ValueCodeName;
  /** Index code parameter (rice: b), else 0. */
  indexParam: number;
  /** Value code parameter (int8: scale, ternary: magnitude), else 0. */
  valueParam: number;
  /** Index payload bytes (excluding parameter bytes). */
  indexBytes: number;
  /** Value payload bytes (excluding parameter bytes). */
  valueBytes: number;
  /** Bytes of the whole tensor section. */
  sectionBytes: number;
}

/** A decoded frame. */
export interface DecodedFrame {
  /** Format version (1). */
  version: number;
  /** Step number from the header. */
  step: number;
  /** Tensors in frame order. */
  tensors: DecodedTensor[];
  /** Frame length in bytes. */
  totalBytes: number;
  /** The frame's CRC-32C. */
  checksum: number;
}

/** Receiver state for decoding (docs/wire-format.md, "Unit 3"). */
export interface DecodeState {
  /**
   * The mask store: tensor name → its last mask (ascending element indices). Read for mask sections
   * sent without their mask; after a frame decodes, updated with every mask the frame carried.
   */
  masks?: Map<string, Uint32Array>;
}

/** Caller limits for decoding untrusted bytes. */
export interface DecodeLimits {
  /** Largest total number of kept elements (sum of k over the frame's tensors). */
  maxElements?: number;
  /** Largest frame in bytes. */
  maxBytes?: number;
  /** Accept NaN/±Inf values instead of failing with E_NONFINITE_VALUE (default false). */
  allowNonFinite?: boolean;
}

interface Plan {
  t: EncodeTensor;
  name: Uint8Array;
  shape: readonly number[] | undefined;
  u: UnitPlan;
  /** The sequence the index code codes: element indices, or unit numbers (unit 1). */
  coded: Uint32Array;
  geometry: IndexGeometry;
  index: IndexChoice;
  valueCode: ValueCodeName;
  valueParam: number;
  valueBytes: number;
  sectionBytes: number;
}


const utf8 = new TextEncoder();

/**
 * The checks of a tensor before its elements (name, method, length, shape, unit geometry, array
 * types and counts), shared by this encoder and the Wasm one so both refuse alike.
 */
export function checkTensorHeader(
  t: EncodeTensor, seen: Set<string>, alwaysSendMask: boolean,
): { name: Uint8Array; label: string; u: UnitPlan } {
  if (typeof t.name !== 'string' || !wellFormed(t.name)) throw new ConfigError('tensor name must be a well-formed string');
  const name = utf8.encode(t.name);
  const label = `tensor '${t.name}'`;
  if (name.length < 1 || name.length > MAX_NAME_BYTES) throw new ConfigError(`${label}: name must be 1..${MAX_NAME_BYTES} UTF-8 bytes`);
  if (seen.has(t.name)) throw new ConfigError(`${label}: duplicate name in one frame`);
  seen.add(t.name);
  if (methodId(t.method) < 0) throw new ConfigError(`${label}: unknown method '${String(t.method)}'`);
  if (!isU32(t.length)) throw new ConfigError(`${label}: length must be an integer in [0, 2^32 - 1]`);
  const shape = t.shape;
  if (shape !== undefined) {
    if (!Array.isArray(shape) || shape.length > MAX_RANK) throw new ConfigError(`${label}: shape must have rank <= ${MAX_RANK}`);
    let prod = 1;
    for (const d of shape) {
      if (!isU32(d)) throw new ConfigError(`${label}: shape dims must be integers in [0, 2^32 - 1]`);
      prod *= d;
    }
    if (prod !== t.length) throw new ConfigError(`${label}: shape [${shape.join(', ')}] does not match length ${t.length}`);
  }
  const u = checkUnitGeometry(t, label, alwaysSendMask);
  if (!(t.indices instanceof Uint32Array) || !(t.values instanceof Float32Array)) {
    throw new ConfigError(`${label}: indices must be a Uint32Array and values a Float32Array`);
  }
  if (t.values.length !== t.indices.length) throw new ConfigError(`${label}: ${t.indices.length} indices but ${t.values.length} values`);
  return { name, label, u };
}

function planTensor(t: EncodeTensor, options: EncodeOptions, seen: Set<string>): Plan {
  const { name, label, u } = checkTensorHeader(t, seen, options.alwaysSendMask === true);
  const n = t.length;
  const shape = t.shape;
  const { indices, values } = t;
  const k = indices.length;
  let prev = -1;
  for (let j = 0; j < k; j++) {
    const i = indices[j];
    if (i <= prev || i >= n) throw new ConfigError(`${label}: indices must be strictly increasing and < ${n} (index ${i} at ${j})`);
    prev = i;
    if (isNonFiniteBits(f32Bits(values[j]))) throw new NonFiniteError(t.name, i, 'value is NaN or infinite');
  }
  checkUnitContent(t, label, u);
  const valueCode = t.valueCode ?? options.valueCode ?? 'f32';
  const vc = VALUE_CODECS[valueCode];
  if (vc === undefined) throw new ConfigError(`${label}: unknown value code '${String(valueCode)}'`);
  const coded = u.unit === 1 ? t.units! : indices;
  const geometry: IndexGeometry = u.unit === 1 ? { n: u.grid!.U, shape: u.grid!.grid } : { n, shape };
  let index: IndexChoice;
  if (u.unit === 2) index = { code: 'bitmap', param: 0, payloadBytes: bitmapSize(n) };
  else if (u.unit === 3 && !u.sendMask) index = { code: 'coo', param: 0, payloadBytes: 0 };
  else index = chooseIndexCode(coded, geometry, t.indexCode ?? options.indexCode ?? 'auto');
  const valueParam = vc.param(values);
  const valueBytes = vc.size(k);
  if (index.payloadBytes > U32_MAX || valueBytes > U32_MAX) throw new ConfigError(`${label}: payload exceeds 2^32 - 1 bytes`);
  const rank = shape?.length ?? 0;
  const unitBytes = u.unit === 1 ? 1 + 4 * rank : u.unit === 2 ? 2 : 0;
  const sectionBytes = 2 + name.length + 6 + 4 * rank + unitBytes + 8 + INDEX_CODECS[index.code].paramBytes + vc.paramBytes + 8 +
    index.payloadBytes + valueBytes;
  return { t, name, shape, u, coded, geometry, index, valueCode, valueParam, valueBytes, sectionBytes };
}

function writeSection(pl: Plan, out: Uint8Array, pos: number): number {
  const { t, shape, index, u } = pl;
  const ic = INDEX_CODECS[index.code];
  const vc = VALUE_CODECS[pl.valueCode];
  let p = writeU16(out, pos, pl.name.length);
  out.set(pl.name, p);
  p += pl.name.length;
  out[p++] = methodId(t.method);
  out[p++] = u.unit;
  out[p++] = (shape !== undefined ? TENSOR_FLAG_SHAPE : 0) | (u.unit === 3 && u.sendMask ? TENSOR_FLAG_MASK : 0);
  out[p++] = indexCodeId(index.code);
  out[p++] = valueCodeId(pl.valueCode);
  out[p++] = shape?.length ?? 0;
  for (const d of shape ?? []) p = writeU32(out, p, d);
  if (u.unit === 1) {
    out[p++] = u.grid!.unitDims.length;
    for (const d of u.grid!.unitDims) p = writeU32(out, p, d);
  } else if (u.unit === 2) {
    out[p++] = u.nm![0];
    out[p++] = u.nm![1];
  }
  p = writeU32(out, p, t.length);
  p = writeU32(out, p, pl.coded.length);
  if (ic.paramBytes === 1) out[p++] = index.param;
  if (vc.paramBytes === 4) p = writeU32(out, p, f32Bits(pl.valueParam));
  p = writeU32(out, p, index.payloadBytes);
  p = writeU32(out, p, pl.valueBytes);
  let pi = p;
  if (u.unit === 2) pi = bitmapEncode(t.indices, t.length, out, p);
  else if (u.unit !== 3 || u.sendMask) pi = ic.encode(pl.coded, pl.geometry, index.param, out, p);
  if (pi !== p + index.payloadBytes) throw new Error(`internal: ${index.code} wrote ${pi - p} bytes, sized ${index.payloadBytes}`);
  const pv = vc.encode(t.values, pl.valueParam, out, pi);
  if (pv !== pi + pl.valueBytes) throw new Error(`internal: ${pl.valueCode} wrote ${pv - pi} bytes, sized ${pl.valueBytes}`);
  return pv;
}

/**
 * Encode one step's sparse tensors as a frame (docs/wire-format.md). Values are coded with each
 * tensor's value code (lossy codes quantise: use {@link quantizeValues} for the values a receiver
 * will decode); indices with the chosen index code (`auto`: the exactly smallest).
 * Deterministic: the same input always gives the same bytes.
 * @throws ConfigError on an invalid step, name, method, length, shape, index list or code;
 *   NonFiniteError when a value is NaN or ±Inf.
 */
export function encodeFrame(update: FrameUpdate, options: EncodeOptions = {}): Uint8Array {
  if (!isU32(update.step)) throw new ConfigError('step must be an integer in [0, 2^32 - 1]');
  const seen = new Set<string>();
  const plans = update.tensors.map((t) => planTensor(t, options, seen));
  let total = HEADER_BYTES + TRAILER_BYTES;
  for (const pl of plans) total += pl.sectionBytes;
  if (total > U32_MAX) throw new ConfigError(`frame of ${total} bytes exceeds 2^32 - 1`);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  writeU16(out, 4, FORMAT_VERSION);
  writeU16(out, 6, 0);
  writeU32(out, 8, update.step);
  writeU32(out, 12, plans.length);
  writeU32(out, 16, total);
  let p = HEADER_BYTES;
  for (const pl of plans) p = writeSection(pl, out, p);
  writeU32(out, p, crc32c(out, 0, p));
  return out;
}

/** Scatter a sparse tensor into a new dense Float32Array of its `length` (zeros elsewhere). */
export function densify(tensor: Pick<SparseTensor, 'indices' | 'values' | 'length'>): Float32Array {
  const dense = new Float32Array(tensor.length);
  const { indices, values } = tensor;
  for (let j = 0; j < indices.length; j++) dense[indices[j]] = values[j];
  return dense;
}
