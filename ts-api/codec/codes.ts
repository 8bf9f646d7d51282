/**
 * Registry of the index and value codes: one uniform interface per code, the `auto` index-code
 * choice, and {@link quantizeValues}. Normative: docs/wire-format.md, "Index codes", "Value codes".
 */
import { ConfigError } from '../errors.ts';
import { bitmapDecode, bitmapEncode, bitmapSize } from './index_bitmap.ts';
import { cooDecode, cooEncode, cooSize } from './index_coo.ts';
import { csrDecode, csrEncode, csrSize } from './index_csr.ts';
import { rleDecode, rleEncode, rleSize } from './index_rle.ts';
import { riceDecode, riceEncode, riceParameter, riceSize } from './index_rice.ts';
import { varintIndexDecode, varintIndexEncode, varintIndexSize } from './index_varint.ts';
import { INDEX_CODE_NAMES, type IndexCodeName, type ValueCodeName } from './ids.ts';
import { f32Decode, f32Encode, f32Size } from './values_f32.ts';
import { BF16, F16, halfCodec } from './values_half.ts';
import { int8Decode, int8Encode, int8Quantize, int8Scale, int8Size } from './values_int8.ts';
import { ternaryDecode, ternaryEncode, ternaryMagnitude, ternaryQuantize, ternarySize } from './values_ternary.ts';

/** Dense geometry an index code needs: the length and, for `csr`, the rank-2 shape. */
export interface IndexGeometry {
  /** Dense length n. */
  n: number;
  /** Declared shape, if any. */
  shape: readonly number[] | undefined;
}

/** Uniform interface of an index code. */
export interface IndexCodec {
  /** Code name (its id is its position in INDEX_CODE_NAMES). */
  readonly name: IndexCodeName;
  /** Bytes of the code's parameters in the tensor section (rice: 1, others 0). */
  readonly paramBytes: number;
  /** Whether the code can encode a tensor of this geometry (csr: rank-2 shape only). */
  applicable(g: IndexGeometry): boolean;
  /** The parameter the encoder writes (rice: {@link riceParameter}; others 0). */
  param(indices: Uint32Array): number;
  /** Exact payload bytes (excluding parameter bytes). */
  size(indices: Uint32Array, g: IndexGeometry, param: number): number;
  /** Payload bytes required for k indices when the code has a fixed size, else -1. */
  fixedSize(g: IndexGeometry, k: number): number;
  /** Write the payload at `pos`; returns the end. */
  encode(indices: Uint32Array, g: IndexGeometry, param: number, out: Uint8Array, pos: number): number;
  /** Hardened decode of exactly `k` indices from `b[start, end)`; throws FormatError. */
  decode(b: Uint8Array, start: number, end: number, g: IndexGeometry, k: number, param: number): Uint32Array;
}

const rows = (g: IndexGeometry): number => (g.shape as readonly number[])[0];
const cols = (g: IndexGeometry): number => (g.shape as readonly number[])[1];
const always = (): boolean => true;
const noParam = (): number => 0;
const variable = (): number => -1;

/** The index codes by name. */
export const INDEX_CODECS: Readonly<Record<IndexCodeName, IndexCodec>> = {
  coo: {
    name: 'coo', paramBytes: 0, applicable: always, param: noParam,
    size: (ix) => cooSize(ix.length),
    fixedSize: (_g, k) => cooSize(k),
    encode: (ix, _g, _p, out, pos) => cooEncode(ix, out, pos),
    decode: (b, s, _e, g, k) => cooDecode(b, s, g.n, k),
  },
  csr: {
    name: 'csr', paramBytes: 0, param: noParam,
    applicable: (g) => g.shape !== undefined && g.shape.length === 2,
    size: (ix, g) => csrSize(rows(g), ix.length),
    fixedSize: (g, k) => csrSize(rows(g), k),
    encode: (ix, g, _p, out, pos) => csrEncode(ix, rows(g), cols(g), out, pos),
    decode: (b, s, _e, g, k) => csrDecode(b, s, rows(g), cols(g), k),
  },
  bitmap: {
    name: 'bitmap', paramBytes: 0, applicable: always, param: noParam,
    size: (_ix, g) => bitmapSize(g.n),
    fixedSize: (g) => bitmapSize(g.n),
    encode: (ix, g, _p, out, pos) => bitmapEncode(ix, g.n, out, pos),
    decode: (b, s, _e, g, k) => bitmapDecode(b, s, g.n, k),
  },
  rle: {
    name: 'rle', paramBytes: 0, applicable: always, param: noParam, fixedSize: variable,
    size: (ix) => rleSize(ix),
    encode: (ix, _g, _p, out, pos) => rleEncode(ix, out, pos),
    decode: (b, s, e, g, k) => rleDecode(b, s, e, g.n, k),
  },
  varint: {
    name: 'varint', paramBytes: 0, applicable: always, param: noParam, fixedSize: variable,
    size: (ix) => varintIndexSize(ix),
    encode: (ix, _g, _p, out, pos) => varintIndexEncode(ix, out, pos),
    decode: (b, s, e, g, k) => varintIndexDecode(b, s, e, g.n, k),
  },
  rice: {
    name: 'rice', paramBytes: 1, applicable: always, fixedSize: variable,
    param: (ix) => riceParameter(ix),
    size: (ix, _g, p) => riceSize(ix, p),
    encode: (ix, _g, p, out, pos) => riceEncode(ix, p, out, pos),
    decode: (b, s, e, g, k, p) => riceDecode(b, s, e, g.n, k, p),
  },
};

/** Uniform interface of a value code. */
export interface ValueCodec {
  /** Code name (its id is its position in VALUE_CODE_NAMES). */
  readonly name: ValueCodeName;
  /** Bytes of the code's parameter (int8 scale, ternary magnitude: one f32; others 0). */
  readonly paramBytes: number;
  /** The f32 parameter the encoder writes (0 for codes without one). */
  param(values: Float32Array): number;
  /** Exact payload bytes for k values. */
  size(k: number): number;
  /** The values a receiver decodes (lossless codes return the input unchanged). */
  quantize(values: Float32Array, param: number): Float32Array;
  /** Write the payload at `pos`; returns the end. */
  encode(values: Float32Array, param: number, out: Uint8Array, pos: number): number;
  /** Hardened decode of `k` values at `start` (length already checked); throws FormatError. */
  decode(b: Uint8Array, start: number, k: number, param: number, allowNonFinite: boolean): Float32Array;
}

/** The value codes by name. */
export const VALUE_CODECS: Readonly<Record<ValueCodeName, ValueCodec>> = {
  f32: {
    name: 'f32', paramBytes: 0, param: noParam, size: f32Size,
    quantize: (v) => v,
    encode: (v, _p, out, pos) => f32Encode(v, out, pos),
    decode: (b, s, k, _p, a) => f32Decode(b, s, k, a),
  },
  f16: halfCodec('f16', F16),
  bf16: halfCodec('bf16', BF16),
  int8: {
    name: 'int8', paramBytes: 4, param: int8Scale, size: int8Size,
    quantize: (v, p) => int8Quantize(v, p),
    encode: (v, p, out, pos) => int8Encode(v, p, out, pos),
    decode: (b, s, k, p, a) => int8Decode(b, s, k, p, a),
  },
  ternary: {
    name: 'ternary', paramBytes: 4, param: ternaryMagnitude, size: ternarySize,
    quantize: (v, p) => ternaryQuantize(v, p),
    encode: (v, _p, out, pos) => ternaryEncode(v, out, pos),
    decode: (b, s, k, p) => ternaryDecode(b, s, k, p),
  },
};

/** An index code choice: a code, or `auto` (smallest exact size). */
export type IndexCodeChoice = IndexCodeName | 'auto';

/** Result of {@link chooseIndexCode}. */
export interface IndexChoice {
  /** The chosen code. */
  code: IndexCodeName;
  /** Parameter written (rice b, else 0). */
  param: number;
  /** Payload bytes (excluding parameter bytes). */
  payloadBytes: number;
}

/**
 * Resolve an index code choice for ascending `indices`. `auto` computes every applicable code's
 * exact size (parameter bytes + payload bytes) and picks the smallest; ties go to the lower code id
 * (coo, csr, bitmap, rle, varint, rice). Throws ConfigError if an explicit code is not applicable.
 */
export function chooseIndexCode(indices: Uint32Array, g: IndexGeometry, choice: IndexCodeChoice): IndexChoice {
  if (choice !== 'auto') {
    const c = INDEX_CODECS[choice];
    if (c === undefined) throw new ConfigError(`unknown index code '${String(choice)}'`);
    if (!c.applicable(g)) throw new ConfigError(`index code '${choice}' needs a rank-2 shape`);
    const param = c.param(indices);
    return { code: choice, param, payloadBytes: c.size(indices, g, param) };
  }
  let best: IndexChoice | undefined;
  let bestTotal = Infinity;
  for (const name of INDEX_CODE_NAMES) {
    const c = INDEX_CODECS[name];
    if (!c.applicable(g)) continue;
    const param = c.param(indices);
    const payloadBytes = c.size(indices, g, param);
    const total = payloadBytes + c.paramBytes;
    if (total < bestTotal) {
      best = { code: name, param, payloadBytes };
      bestTotal = total;
    }
  }
  return best as IndexChoice;
}

/**
 * The exact f32 values a receiver decodes when `values` are sent with value code `code`
 * (docs/wire-format.md, "Lossy codes and error feedback"). The compressor must treat these as the
 * values sent, so that `residual = acc - sent` carries the quantisation error into the next step.
 * For `f32` the result is `values` itself.
 */
export function quantizeValues(values: Float32Array, code: ValueCodeName): Float32Array {
  const c = VALUE_CODECS[code];
  if (c === undefined) throw new ConfigError(`unknown value code '${String(code)}'`);
  return c.quantize(values, c.param(values));
}
