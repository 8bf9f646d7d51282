/** Frames: every index code × value code round trip, multi-tensor frames, encoder checks, inspect. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeFrame, densify, encodeFrame, inspectFrame, quantizeValues, INDEX_CODE_NAMES, VALUE_CODE_NAMES,
  type EncodeTensor,
} from '../../ts-api/codec/index.ts';
import { ConfigError, NonFiniteError } from '../../ts-api/errors.ts';
import { randomIndices, randomValues, rng } from './helpers.ts';

const SEED = Number(process.env.SEED ?? 99);
const bits = (v: Float32Array): number[] => [...new Uint32Array(v.buffer, v.byteOffset, v.length)];

test(`every index code × value code round-trips through a frame (seed ${SEED})`, () => {
  const r = rng(SEED);
  for (const ic of INDEX_CODE_NAMES) {
    for (const vc of VALUE_CODE_NAMES) {
      for (let t = 0; t < 6; t++) {
        const rows = 1 + Math.floor(r() * 40);
        const cols = 1 + Math.floor(r() * 40);
        const n = rows * cols;
        const k = Math.floor(r() * (n + 1) * [0.01, 0.1, 1][t % 3]);
        const indices = randomIndices(r, n, k);
        const values = randomValues(r, k);
        const tensor: EncodeTensor = { name: `t${t}`, method: 'topk', length: n, shape: [rows, cols], indices, values, indexCode: ic, valueCode: vc };
        const bytes = encodeFrame({ step: t * 1000 + 1, tensors: [tensor] });
        const f = decodeFrame(bytes);
        assert.equal(f.step, t * 1000 + 1);
        assert.equal(f.totalBytes, bytes.length);
        const d = f.tensors[0];
        assert.deepEqual([d.name, d.length, d.shape, d.indexCode, d.valueCode, d.method], [`t${t}`, n, [rows, cols], ic, vc, 'topk']);
        assert.deepEqual(d.indices, indices);
        assert.deepEqual(bits(d.values), bits(quantizeValues(values, vc)));
        assert.equal(d.sectionBytes, bytes.length - 24);
        // re-encoding the decoded content with the same codes reproduces the frame when lossless
        if (vc === 'f32' || vc === 'f16' || vc === 'bf16') {
          const again = encodeFrame({ step: f.step, tensors: [{ ...d, indexCode: ic, valueCode: vc }] });
          assert.deepEqual(again, bytes);
        }
      }
    }
  }
});

test('multi-tensor frames keep order, shapes, methods and per-tensor codes; densify scatters', () => {
  const tensors: EncodeTensor[] = [
    { name: 'conv1.weight', method: 'topk', length: 12, shape: [2, 3, 2], indices: Uint32Array.from([0, 5, 11]), values: Float32Array.from([1, -2, 3]) },
    { name: 'fc.bias', method: 'randomk', length: 4, indices: new Uint32Array(0), values: new Float32Array(0), valueCode: 'int8' },
    { name: 'ünïcödé/层', method: 'hybrid', length: 0, shape: [0, 7], indices: new Uint32Array(0), values: new Float32Array(0) },
    { name: 'emb', method: 'global-topk', length: 6, indices: Uint32Array.from([0, 1, 2, 3, 4, 5]), values: Float32Array.from([1, 2, 3, 4, 5, 6]), indexCode: 'bitmap', valueCode: 'f16' },
  ];
  const bytes = encodeFrame({ step: 4294967295, tensors }, { valueCode: 'bf16' });
  const f = decodeFrame(bytes);
  assert.equal(f.step, 4294967295);
  assert.deepEqual(f.tensors.map((t) => [t.name, t.method, t.valueCode, t.shape]), [
    ['conv1.weight', 'topk', 'bf16', [2, 3, 2]],
    ['fc.bias', 'randomk', 'int8', undefined],
    ['ünïcödé/层', 'hybrid', 'bf16', [0, 7]],
    ['emb', 'global-topk', 'f16', undefined],
  ]);
  assert.deepEqual([...densify(f.tensors[0])], [1, 0, 0, 0, 0, -2, 0, 0, 0, 0, 0, 3]);
  const s = inspectFrame(bytes);
  assert.equal(s.tensorCount, 4);
  assert.equal(s.tensors[3].bitsPerIndex, 8 / 6);
  assert.equal(s.tensors[1].bitsPerIndex, null);
  assert.equal(JSON.parse(JSON.stringify(s)).tensors[0].name, 'conv1.weight');
  assert.equal(s.totalBytes, bytes.length);
});

test('a tensor of length 2^32 - 1 with indices near the end encodes without materialising it', () => {
  const n = 2 ** 32 - 1;
  const indices = Uint32Array.from([0, 2 ** 31, n - 2, n - 1]);
  const values = Float32Array.from([1, 2, 3, 4]);
  for (const ic of ['auto', 'coo', 'rle', 'varint', 'rice'] as const) {
    const bytes = encodeFrame({ step: 0, tensors: [{ name: 'huge', method: 'topk', length: n, indices, values, indexCode: ic }] });
    const d = decodeFrame(bytes).tensors[0];
    assert.deepEqual(d.indices, indices);
    assert.equal(d.length, n);
  }
});

test('encoder rejects invalid input with ConfigError / NonFiniteError', () => {
  const ok: EncodeTensor = { name: 'w', method: 'topk', length: 4, indices: Uint32Array.from([1]), values: Float32Array.from([1]) };
  const bad: [string, () => unknown, typeof ConfigError | typeof NonFiniteError][] = [
    ['step', () => encodeFrame({ step: -1, tensors: [ok] }), ConfigError],
    ['step 2^32', () => encodeFrame({ step: 2 ** 32, tensors: [ok] }), ConfigError],
    ['empty name', () => encodeFrame({ step: 0, tensors: [{ ...ok, name: '' }] }), ConfigError],
    ['long name', () => encodeFrame({ step: 0, tensors: [{ ...ok, name: 'x'.repeat(1025) }] }), ConfigError],
    ['lone surrogate', () => encodeFrame({ step: 0, tensors: [{ ...ok, name: 'a\ud800' }] }), ConfigError],
    ['duplicate', () => encodeFrame({ step: 0, tensors: [ok, ok] }), ConfigError],
    ['method', () => encodeFrame({ step: 0, tensors: [{ ...ok, method: 'block' as 'topk' }] }), ConfigError],
    ['order', () => encodeFrame({ step: 0, tensors: [{ ...ok, indices: Uint32Array.from([2, 2]), values: new Float32Array(2) }] }), ConfigError],
    ['range', () => encodeFrame({ step: 0, tensors: [{ ...ok, indices: Uint32Array.from([4]) }] }), ConfigError],
    ['count', () => encodeFrame({ step: 0, tensors: [{ ...ok, values: new Float32Array(2) }] }), ConfigError],
    ['shape', () => encodeFrame({ step: 0, tensors: [{ ...ok, shape: [3, 2] }] }), ConfigError],
    ['rank', () => encodeFrame({ step: 0, tensors: [{ ...ok, length: 1, indices: new Uint32Array(0), values: new Float32Array(0), shape: new Array(17).fill(1) }] }), ConfigError],
    ['csr needs rank 2', () => encodeFrame({ step: 0, tensors: [{ ...ok, indexCode: 'csr' }] }), ConfigError],
    ['index code', () => encodeFrame({ step: 0, tensors: [{ ...ok, indexCode: 'zip' as 'coo' }] }), ConfigError],
    ['value code', () => encodeFrame({ step: 0, tensors: [{ ...ok, valueCode: 'f8' as 'f16' }] }), ConfigError],
    ['NaN', () => encodeFrame({ step: 0, tensors: [{ ...ok, values: Float32Array.from([NaN]) }] }), NonFiniteError],
    ['Inf', () => encodeFrame({ step: 0, tensors: [{ ...ok, values: Float32Array.from([-Infinity]) }] }), NonFiniteError],
  ];
  for (const [what, fn, cls] of bad) assert.throws(fn, cls, what);
});

test('decode limits: maxBytes and maxElements give E_LIMIT at the documented offsets', () => {
  const t: EncodeTensor = { name: 'w', method: 'topk', length: 100, indices: Uint32Array.from([1, 2, 3]), values: Float32Array.from([1, 2, 3]) };
  const bytes = encodeFrame({ step: 0, tensors: [t, { ...t, name: 'v' }] });
  assert.throws(() => decodeFrame(bytes, { maxBytes: bytes.length - 1 }), { code: 'E_LIMIT', offset: 0 });
  assert.equal(decodeFrame(bytes, { maxBytes: bytes.length }).tensors.length, 2);
  // section 1 = 39 bytes (auto picks rle, 2 bytes); section 2's k field is at 20 + 39 + 2 + 1 + 6 + 4 = 72
  assert.throws(() => decodeFrame(bytes, { maxElements: 5 }), { code: 'E_LIMIT', offset: 72 });
  assert.equal(decodeFrame(bytes, { maxElements: 6 }).tensors.length, 2);
});

test('lossy codes: quantizeValues gives what the receiver decodes, so error feedback can keep the rest', () => {
  const values = Float32Array.from([70000, -1e-8, 0.1, 1e-30, -65519]);
  const q = quantizeValues(values, 'f16');
  assert.deepEqual([...q], [65504, -0, Math.fround(0.0999755859375), 0, -65504]);
  const bytes = encodeFrame({ step: 1, tensors: [{ name: 'g', method: 'threshold', length: 5, indices: Uint32Array.from([0, 1, 2, 3, 4]), values, valueCode: 'f16' }] });
  assert.deepEqual(bits(decodeFrame(bytes).tensors[0].values), bits(q));
  const residual = values.map((v, j) => Math.fround(v - q[j]));
  assert.equal(residual[0], 70000 - 65504);
});
