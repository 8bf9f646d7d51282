/**
 * Definitions of the golden vectors (see tests/vectors/README.md). `buildVectors()` encodes every valid
 * case and collects every invalid case; tests/vectors/generate.ts writes them to disk and
 * tests/codec/vectors.test.ts checks the files on disk against the codec.
 */
import { encodeFrame, type DecodedFrame, type EncodeTensor, type FrameUpdate } from '../../ts-api/codec/frame.ts';
import { decodeFrame } from '../../ts-api/codec/frame_decode.ts';
import { INDEX_CODE_NAMES, METHOD_NAMES, VALUE_CODE_NAMES } from '../../ts-api/codec/ids.ts';
import type { DecodeLimits } from '../../ts-api/codec/frame.ts';
import { invalidCases } from '../codec/invalid_cases.ts';

/** f32 bit pattern as 8 hex digits. */
export function f32Hex(x: number): string {
  return new Uint32Array(new Float32Array([x]).buffer)[0].toString(16).padStart(8, '0');
}

/** The f32 with the given 8-hex-digit bit pattern. */
export function hexF32(h: string): number {
  return new Float32Array(new Uint32Array([parseInt(h, 16)]).buffer)[0];
}

/** A tensor in JSON form: values as f32 hex bit patterns (normative) and as numbers (readable). */
export interface JsonTensorIn {
  name: string;
  method: string;
  length: number;
  shape?: number[];
  indexCode?: string;
  valueCode?: string;
  indices: number[];
  valuesF32Hex: string[];
  values: number[];
}

/** Expected decoded tensor in JSON form. */
export interface JsonTensorOut {
  name: string;
  method: string;
  length: number;
  shape: number[] | null;
  indexCode: string;
  valueCode: string;
  indexParam: number;
  valueParamF32Hex: string;
  indexBytes: number;
  valueBytes: number;
  sectionBytes: number;
  indices: number[];
  valuesF32Hex: string[];
  values: number[];
}

/** A valid golden vector: the encoder input and the expected decoded content. */
export interface ValidVector {
  name: string;
  description: string;
  encode: { step: number; tensors: JsonTensorIn[] };
  decoded: { version: number; step: number; totalBytes: number; checksum: string; tensors: JsonTensorOut[] };
  bytes: Uint8Array;
}

/** An invalid golden vector: bytes, decode limits and the required error. */
export interface InvalidVector {
  name: string;
  code: string;
  offset: number;
  limits?: DecodeLimits;
  bytes: Uint8Array;
}

/** Convert a JSON encoder input back to an update (values from their hex patterns). */
export function updateFromJson(e: ValidVector['encode']): FrameUpdate {
  return {
    step: e.step,
    tensors: e.tensors.map((t) => {
      const out = {
        name: t.name, method: t.method, length: t.length,
        indices: Uint32Array.from(t.indices), values: Float32Array.from(t.valuesF32Hex.map(hexF32)),
      } as EncodeTensor;
      if (t.shape !== undefined) out.shape = t.shape;
      if (t.indexCode !== undefined) out.indexCode = t.indexCode as EncodeTensor['indexCode'];
      if (t.valueCode !== undefined) out.valueCode = t.valueCode as EncodeTensor['valueCode'];
      return out;
    }),
  };
}

/** The expected-content JSON of a decoded frame. */
export function decodedToJson(f: DecodedFrame): ValidVector['decoded'] {
  return {
    version: f.version, step: f.step, totalBytes: f.totalBytes, checksum: f.checksum.toString(16).padStart(8, '0'),
    tensors: f.tensors.map((t) => ({
      name: t.name, method: t.method, length: t.length, shape: t.shape ?? null,
      indexCode: t.indexCode, valueCode: t.valueCode, indexParam: t.indexParam, valueParamF32Hex: f32Hex(t.valueParam),
      indexBytes: t.indexBytes, valueBytes: t.valueBytes, sectionBytes: t.sectionBytes,
      indices: [...t.indices], valuesF32Hex: [...t.values].map(f32Hex), values: [...t.values],
    })),
  };
}

function T(name: string, length: number, indices: number[], values: number[], extra: Partial<JsonTensorIn> = {}): JsonTensorIn {
  const f = Float32Array.from(values);
  return { name, method: 'topk', length, indices, valuesF32Hex: [...f].map(f32Hex), values: [...f], ...extra };
}

/** Every valid case: [name, description, step, tensors]. */
function validCases(): [string, string, number, JsonTensorIn[]][] {
  const c: [string, string, number, JsonTensorIn[]][] = [];
  const ix = [0, 5, 6, 13, 23];
  const vals = [1.5, -0.25, 3.1415927, -100.5, 0.0001];
  for (const ic of INDEX_CODE_NAMES) {
    for (const vc of VALUE_CODE_NAMES) {
      c.push([`codes_${ic}_${vc}`, `a 4x6 tensor, k = 5, index code ${ic}, value code ${vc}`, 42,
        [T('layer.w', 24, ix, vals, { shape: [4, 6], indexCode: ic, valueCode: vc })]]);
    }
  }
  c.push(['worked_example', 'the worked example of docs/wire-format.md: rice + f16, and auto choosing bitmap over varint on a tie', 7, [
    T('fc.w', 20, [3, 7, 8, 17], [1.5, -2, 0.25, 3], { shape: [4, 5], indexCode: 'rice', valueCode: 'f16' }),
    T('b', 4, [2], [0.5], { method: 'randomk' }),
  ]]);
  c.push(['empty_frame', 'a frame with no tensors', 0, []]);
  c.push(['empty_tensor_n0', 'n = 0 (shape [0, 3]), k = 0', 1, [T('empty', 0, [], [], { shape: [0, 3] })]]);
  c.push(['k0', 'n = 100, k = 0; auto picks coo (0 bytes)', 2, [T('none', 100, [], [])]]);
  c.push(['k_equals_n', 'k = n = 16; auto picks rle', 3, [T('all', 16, [...Array(16).keys()], [...Array(16).keys()].map((i) => i - 7.5))]]);
  c.push(['scalar_rank0', 'a rank-0 shape [] (length 1)', 4, [T('scalar', 1, [0], [2.5], { shape: [] })]]);
  const huge = 2 ** 32 - 1;
  const hix = [0, 1, 2 ** 31, huge - 3, huge - 1];
  c.push(['huge_length', 'length 2^32 - 1 with indices near the end, one tensor per sparse code + auto', 5,
    (['coo', 'rle', 'varint', 'rice', undefined] as const).map((ic) =>
      T(`huge.${ic ?? 'auto'}`, huge, hix, [1, 2, 3, 4, 5], ic ? { indexCode: ic } : {}))]);
  c.push(['f16_overflow', 'f16 saturates finite overflow to ±65504 (0x7BFF/0xFBFF)', 6,
    [T('big', 8, [0, 1, 2, 3, 4, 5], [65504, 65519, 65520, 70000, -1e30, 3.4028234663852886e38], { valueCode: 'f16' })]]);
  c.push(['f16_subnormals', 'f16 subnormals, underflow to ±0 and ties at subnormal spacing', 7,
    [T('tiny', 8, [0, 1, 2, 3, 4, 5, 6, 7], [2 ** -24, 2 ** -25, 3 * 2 ** -25, 1e-8, -5.96e-8, 6.1e-5, -1e-10, 2 ** -14], { valueCode: 'f16' })]]);
  c.push(['f16_ties', 'f16 round-half-even at exact midpoints', 8,
    [T('ties', 6, [0, 1, 2, 3, 4, 5], [1 + 2 ** -11, 1 + 3 * 2 ** -11, 2049, 2051, -(1 + 2 ** -11), 0.1], { valueCode: 'f16' })]]);
  c.push(['bf16_edges', 'bf16 ties, saturation at the f32 maximum, subnormals, -0', 9,
    [T('bf', 8, [0, 1, 2, 3, 4, 5], [1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4028234663852886e38, -3.4e38, 1e-40, -0], { valueCode: 'bf16' })]]);
  c.push(['int8_ties', 'int8 with scale 1: levels round half to even', 10,
    [T('q', 10, [0, 1, 2, 3, 4, 5, 6, 7], [127, 0.5, 1.5, 2.5, -0.5, -1.5, -126.5, 63.5], { valueCode: 'int8' })]]);
  c.push(['int8_general', 'int8 with a non-trivial scale', 11,
    [T('q2', 50, [1, 7, 20, 33, 49], [0.031, -0.7, 0.45, 0.0001, -0.69], { valueCode: 'int8' })]]);
  c.push(['int8_zero', 'int8 of all-zero values: scale 0', 12, [T('z', 5, [0, 2, 4], [0, -0, 0], { valueCode: 'int8' })]]);
  c.push(['ternary_signs', 'ternary: magnitude = mean |v| (blocked sum), -0 counts as negative, 9 values (pad bits)', 13,
    [T('stc', 20, [0, 2, 4, 6, 8, 10, 12, 14, 16], [1, -2, 3, -0, 0.5, -0.75, 8, -1e-3, 2], { valueCode: 'ternary' })]]);
  c.push(['csr_2d', 'a 3x5 tensor in csr with an empty middle row', 14,
    [T('mat', 15, [0, 4, 10, 12, 14], [1, 2, 3, 4, 5], { shape: [3, 5], indexCode: 'csr' })]]);
  c.push(['rice_b0', 'rice with b = 0 (dense positions)', 15, [T('dense', 12, [0, 1, 3, 4, 5, 8, 9, 11], [1, 2, 3, 4, 5, 6, 7, 8], { indexCode: 'rice' })]]);
  c.push(['rice_large_gaps', 'rice with a large b', 16, [T('sparse', 1000000, [12345, 300000, 999999], [1, 2, 3], { indexCode: 'rice' })]]);
  c.push(['multi_tensor', 'three tensors, different methods, shapes and codes; auto index codes', 17, [
    T('conv.weight', 24, [2, 3, 11], [0.5, -0.5, 0.125], { method: 'threshold', shape: [2, 3, 2, 2], valueCode: 'f16' }),
    T('conv.bias', 4, [], [], { method: 'percentile' }),
    T('fc.weight', 4000, [...Array(40).keys()].map((i) => i * 97 + (i % 3)), [...Array(40).keys()].map((i) => (i % 2 ? -1 : 1) * (i + 1) / 8), { method: 'randomk', shape: [40, 100], valueCode: 'int8' }),
  ]]);
  c.push(['all_methods', 'one tensor per method id 0..7', 18,
    METHOD_NAMES.map((m, i) => T(`m${i}`, 8, [i], [i + 1], { method: m }))]);
  c.push(['unicode_name', 'a UTF-8 name with non-ASCII characters', 19, [T('блок.层.ü', 3, [1], [-1])]]);
  c.push(['step_max', 'step = 2^32 - 1', 4294967295, [T('s', 2, [1], [1])]]);
  return c;
}

/** Build every golden vector in memory (deterministic). */
export function buildVectors(): { valid: ValidVector[]; invalid: InvalidVector[] } {
  const valid = validCases().map(([name, description, step, tensors]): ValidVector => {
    const encode = { step, tensors };
    const bytes = encodeFrame(updateFromJson(encode));
    return { name, description, encode, decoded: decodedToJson(decodeFrame(bytes)), bytes };
  });
  const invalid = invalidCases().map((c): InvalidVector => ({
    name: c.name, code: c.code, offset: c.offset, bytes: c.bytes, ...(c.limits ? { limits: c.limits } : {}),
  }));
  return { valid, invalid };
}
