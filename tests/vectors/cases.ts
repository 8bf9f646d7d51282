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
import { rectElementCount, rectElements, rectGrid } from '../../ts-api/codec/units.ts';

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
  /** Rect methods: kept unit numbers and unit dims. */
  units?: number[];
  unitDims?: number[];
  /** nm: [N, M]. */
  nm?: [number, number];
  /** mask: false = send only the values. */
  maskChanged?: boolean;
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
  /** Present for units other than `element`. */
  unit?: string;
  units?: number[];
  unitDims?: number[];
  nm?: [number, number];
  maskSent?: boolean;
}

/** A valid golden vector: the encoder input and the expected decoded content. */
export interface ValidVector {
  name: string;
  description: string;
  encode: { step: number; tensors: JsonTensorIn[] };
  decoded: { version: number; step: number; totalBytes: number; checksum: string; tensors: JsonTensorOut[] };
  /** The decoder's mask store before decoding (name → indices), when the frame needs one. */
  masks?: Record<string, number[]>;
  /** The mask store after decoding, for frames that read or write it. */
  masksAfter?: Record<string, number[]>;
  bytes: Uint8Array;
}

/** An invalid golden vector: bytes, decode limits and the required error. */
export interface InvalidVector {
  name: string;
  code: string;
  offset: number;
  limits?: DecodeLimits;
  /** The decoder's mask store before decoding, if any. */
  masks?: Record<string, number[]>;
  bytes: Uint8Array;
}

/** A mask store from its JSON form (undefined stays undefined). */
export function masksFromJson(m: Record<string, number[]> | undefined): Map<string, Uint32Array> | undefined {
  return m === undefined ? undefined : new Map(Object.entries(m).map(([k, v]) => [k, Uint32Array.from(v)]));
}

/** The JSON form of a mask store. */
export function masksToJson(m: Map<string, Uint32Array>): Record<string, number[]> {
  return Object.fromEntries([...m].map(([k, v]) => [k, [...v]]));
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
      if (t.units !== undefined) out.units = Uint32Array.from(t.units);
      if (t.unitDims !== undefined) out.unitDims = t.unitDims;
      if (t.nm !== undefined) out.nm = t.nm;
      if (t.maskChanged !== undefined) out.maskChanged = t.maskChanged;
      return out;
    }),
  };
}

/** The expected-content JSON of a decoded frame. */
export function decodedToJson(f: DecodedFrame): ValidVector['decoded'] {
  return {
    version: f.version, step: f.step, totalBytes: f.totalBytes, checksum: f.checksum.toString(16).padStart(8, '0'),
    tensors: f.tensors.map((t) => {
      const out: JsonTensorOut = {
        name: t.name, method: t.method, length: t.length, shape: t.shape ?? null,
        indexCode: t.indexCode, valueCode: t.valueCode, indexParam: t.indexParam, valueParamF32Hex: f32Hex(t.valueParam),
        indexBytes: t.indexBytes, valueBytes: t.valueBytes, sectionBytes: t.sectionBytes,
        indices: [...t.indices], valuesF32Hex: [...t.values].map(f32Hex), values: [...t.values],
      };
      if (t.unit !== 'element') out.unit = t.unit;
      if (t.units !== undefined) out.units = [...t.units];
      if (t.unitDims !== undefined) out.unitDims = t.unitDims;
      if (t.nm !== undefined) out.nm = t.nm;
      if (t.maskSent !== undefined) out.maskSent = t.maskSent;
      return out;
    }),
  };
}

function T(name: string, length: number, indices: number[], values: number[], extra: Partial<JsonTensorIn> = {}): JsonTensorIn {
  const f = Float32Array.from(values);
  return { name, method: 'topk', length, indices, valuesF32Hex: [...f].map(f32Hex), values: [...f], ...extra };
}

/** A rect-unit tensor: the elements of the kept `units` of `shape` cut into `unitDims`, value(i) each. */
function U(name: string, method: string, shape: number[], unitDims: number[], units: number[], extra: Partial<JsonTensorIn> = {},
  value: (i: number, j: number) => number = (i, j) => (j % 2 ? -1 : 1) * (i + 0.25)): JsonTensorIn {
  const g = rectGrid(shape, unitDims);
  const u = Uint32Array.from(units);
  const idx = [...rectElements(g, u, rectElementCount(g, u))];
  return T(name, shape.reduce((a, d) => a * d, 1), idx, idx.map(value), { method, shape, unitDims, units, ...extra });
}

type Case = [string, string, number, JsonTensorIn[], Record<string, number[]>?];

/** The structured cases (units rect, nm, mask) and the int8 f32-maximum case. */
function structuredCases(): Case[] {
  const c: Case[] = [];
  c.push(['rect_block_clipped', 'block 2x3 over [5, 7] (grid 3x3, edge blocks clipped in both directions), auto index code', 30,
    [U('blk', 'block', [5, 7], [2, 3], [0, 2, 5, 6, 8])]]);
  c.push(['rect_block_index_codes', 'the same block selection with every index code over the unit numbers (csr over the grid [3, 3])', 31,
    (['coo', 'csr', 'bitmap', 'rle', 'varint', 'rice'] as const).map((ic) => U(`blk.${ic}`, 'block', [5, 7], [2, 3], [1, 2, 3, 7], { indexCode: ic }))]);
  c.push(['rect_block_values', 'block units with lossy value codes (f16, int8, ternary): values in ascending element order', 32,
    (['f16', 'bf16', 'int8', 'ternary'] as const).map((vc) => U(`v.${vc}`, 'block', [4, 4], [2, 2], [0, 3], { valueCode: vc }))]);
  c.push(['rect_channel', 'channel units of a conv weight [4, 2, 3, 3]: unit dims [1, 2, 3, 3], channels 1 and 3', 33,
    [U('conv.w', 'channel', [4, 2, 3, 3], [1, 2, 3, 3], [1, 3])]]);
  c.push(['rect_head_rows', 'head units, rows layout: [8, 4] with 4 heads, unit dims [2, 4], heads 0 and 2', 34,
    [U('attn.q', 'head', [8, 4], [2, 4], [0, 2])]]);
  c.push(['rect_head_cols', 'head units, cols layout: [4, 8] with 4 heads, unit dims [4, 2], heads 1 and 3', 35,
    [U('attn.o', 'head', [4, 8], [4, 2], [1, 3])]]);
  c.push(['rect_row', 'row units: [5, 3], unit dims [1, 3], rows 0 and 4', 36, [U('rows', 'row', [5, 3], [1, 3], [0, 4])]]);
  c.push(['rect_column', 'column units: [3, 5], unit dims [3, 1], columns 1, 2 and 4', 37, [U('cols', 'column', [3, 5], [3, 1], [1, 2, 4])]]);
  c.push(['rect_column_rank3', 'column units of a rank-3 shape [2, 3, 4]: unit dims [2, 1, 1] (12 units)', 38,
    [U('c3', 'column', [2, 3, 4], [2, 1, 1], [0, 5, 11])]]);
  c.push(['rect_edges', 'k = 0 units, a rank-0 shape (U = 1), unit dims larger than the tensor, an empty tensor (U = 0)', 39, [
    U('none', 'row', [3, 4], [1, 4], []),
    U('scalar', 'block', [], [], [0]),
    U('big', 'block', [3, 2], [10, 10], [0]),
    U('empty', 'block', [0, 5], [2, 2], []),
  ]]);
  c.push(['nm_2_4', 'N:M 2:4 over [3, 8] (two groups per row)', 40,
    [T('fc.w', 24, [0, 3, 5, 6, 9, 10, 12, 15, 16, 17, 20, 23], [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12].map((x) => x / 4),
      { method: 'nm', shape: [3, 8], nm: [2, 4] })]]);
  c.push(['nm_short_group', 'N:M with a short last group: 2:4 over [2, 6] (g = 2 keeps 2), 3:4 over a flat 10 (g = 2 keeps 2), 0:3 and 5:5', 41, [
    T('a', 12, [0, 3, 4, 5, 7, 8, 10, 11], [1, 2, 3, 4, 5, 6, 7, 8], { method: 'nm', shape: [2, 6], nm: [2, 4] }),
    T('b', 10, [0, 1, 2, 4, 5, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8], { method: 'nm', nm: [3, 4], valueCode: 'bf16' }),
    T('c', 9, [], [], { method: 'nm', shape: [3, 3], nm: [0, 3] }),
    T('d', 5, [0, 1, 2, 3, 4], [1, 2, 3, 4, 5], { method: 'nm', shape: [5], nm: [5, 5] }),
  ]]);
  c.push(['mask_sent', 'learned masks sent with the mask (rice and auto), the store takes them', 42, [
    T('m1', 100, [3, 17, 18, 60, 99], [1, 2, 3, 4, 5], { method: 'mask', indexCode: 'rice', maskChanged: true }),
    T('m2', 12, [0, 1, 2], [-1, -2, -3], { method: 'mask', shape: [3, 4] }),
  ], { m1: [1, 2, 3, 4, 5] }]);
  c.push(['mask_stored', 'learned masks sent without the mask: the values go to the stored mask of each name', 43, [
    T('m1', 100, [3, 17, 18, 60, 99], [0.5, -0.5, 1.5, -1.5, 2.5], { method: 'mask', maskChanged: false }),
    T('m2', 12, [0, 1, 2], [7, 8, 9], { method: 'mask', shape: [3, 4], maskChanged: false, valueCode: 'f16' }),
  ], { m1: [3, 17, 18, 60, 99], m2: [0, 1, 2], other: [5] }]);
  c.push(['structured_mixed', 'element, rect, nm and mask sections in one frame', 44, [
    T('dense.b', 8, [1, 6], [0.5, -0.5]),
    U('blk', 'block', [4, 6], [3, 4], [1, 2], { valueCode: 'int8' }),
    T('nm', 8, [1, 2, 4, 7], [1, 2, 3, 4], { method: 'nm', shape: [2, 4], nm: [2, 4], valueCode: 'f16' }),
    T('mask', 6, [0, 5], [3, 4], { method: 'mask', maskChanged: false }),
  ], { mask: [0, 5] }]);
  c.push(['int8_flt_max', 'int8 with the f32 maximum: the scale is lowered by one ulp so that 127 · scale stays finite', 45,
    [T('big', 6, [0, 1, 2, 3, 4], [3.4028234663852886e38, -3.4028234663852886e38, 1e38, -1, 2.6e36], { valueCode: 'int8' })]]);
  return c;
}

/** Every valid case: [name, description, step, tensors, mask store before decoding?]. */
function validCases(): Case[] {
  const c: Case[] = [];
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
  c.push(...structuredCases());
  c.push(['all_structured_methods', 'one tensor per structured method id 16..22', 46, [
    U('s16', 'block', [2, 2], [1, 2], [1]), U('s17', 'channel', [2, 2], [1, 2], [0]), U('s18', 'head', [2, 2], [1, 2], [1]),
    U('s19', 'row', [2, 2], [1, 2], [0]), U('s20', 'column', [2, 2], [2, 1], [1]),
    T('s21', 4, [0, 3], [1, 2], { method: 'nm', nm: [1, 2] }), T('s22', 4, [2], [3], { method: 'mask' }),
  ]]);
  return c;
}

/** Build every golden vector in memory (deterministic). */
export function buildVectors(): { valid: ValidVector[]; invalid: InvalidVector[] } {
  const valid = validCases().map(([name, description, step, tensors, masks]): ValidVector => {
    const encode = { step, tensors };
    const bytes = encodeFrame(updateFromJson(encode));
    const store = masksFromJson(masks) ?? new Map<string, Uint32Array>();
    const decoded = decodedToJson(decodeFrame(bytes, {}, { masks: store }));
    const usesMasks = masks !== undefined || tensors.some((t) => t.method === 'mask');
    return { name, description, encode, decoded, ...(usesMasks ? { masks: masks ?? {}, masksAfter: masksToJson(store) } : {}), bytes };
  });
  const invalid = invalidCases().map((c): InvalidVector => ({
    name: c.name, code: c.code, offset: c.offset, bytes: c.bytes, ...(c.limits ? { limits: c.limits } : {}), ...(c.masks ? { masks: c.masks } : {}),
  }));
  return { valid, invalid };
}
