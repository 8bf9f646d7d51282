/**
 * Structured methods through the compressor: configuration (shape, block, heads, N:M, scores,
 * per-tensor patterns) resolves to the same selection and residual as the structured reference,
 * over several error-feedback steps, on both builds; bad geometry is a ConfigError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ShapeError, createCompressor, decodeFrame, type CompressorOptions } from '../../ts-api/index.ts';
import { decodeFrameWasm } from '../../ts-api/backends/wasm/codec.ts';
import { structuredStep, type StructuredSpec } from '../../ts-api/reference/structured/index.ts';
import { makeTensor } from '../conformance/generators.ts';
import { bits } from '../conformance/harness.ts';

const cases: Array<[string, CompressorOptions, StructuredSpec, number, number]> = [
  ['block 4x4 l1', { method: 'block', block: 4, score: 'l1', density: 0.1, shape: [30, 50] }, { unit: 'block', rows: 30, cols: 50, blockRows: 4, blockCols: 4, score: 'l1' }, 1500, 10],
  ['block 8x2 max', { method: 'block', block: [8, 2], score: 'max', k: 7, shape: [30, 50] }, { unit: 'block', rows: 30, cols: 50, blockRows: 8, blockCols: 2, score: 'max' }, 1500, 7],
  ['channel l2', { method: 'channel', density: 0.25, shape: [8, 3, 3, 3] }, { unit: 'channel', out: 8, inner: 27, score: 'l2' }, 216, 2],
  ['head cols', { method: 'head', heads: 4, headLayout: 'cols', k: 1, shape: [16, 32] }, { unit: 'head', rows: 16, cols: 32, heads: 4, layout: 'cols', score: 'l2' }, 512, 1],
  ['row', { method: 'row', k: 3, shape: [10, 20] }, { unit: 'row', rows: 10, cols: 20, score: 'l2' }, 200, 3],
  ['column', { method: 'column', k: 5, score: 'l1', shape: [10, 20] }, { unit: 'column', rows: 10, cols: 20, score: 'l1' }, 200, 5],
  ['nm 2:4', { method: 'nm', shape: [6, 16] }, { unit: 'nm', cols: 16, N: 2, M: 4 }, 96, 0],
];

for (const [label, options, spec, n, k] of cases) {
  test(`${label}: compressor = structured reference over 4 steps (both builds)`, async () => {
    for (const simd of [true, false]) {
      const c = await createCompressor({ ...options, simd });
      let residual: Float32Array | undefined;
      for (let st = 0; st < 4; st++) {
        const g = makeTensor(n, st === 2 ? 'fewValues' : 'random', 900 + st);
        const out = c.step({ w: g }).tensors[0]!;
        const ref = structuredStep({ gradient: g, residual, spec, k });
        residual = ref.residual;
        assert.equal(out.method, options.method);
        assert.deepEqual(out.indices, ref.selection.indices, `${label} step ${st}`);
        assert.deepEqual(bits(out.values), bits(ref.selection.values));
        assert.deepEqual(out.units, ref.selection.units);
        assert.deepEqual(bits(c.getResidual('w')), bits(residual!));
        assert.deepEqual(out.shape, options.shape);
        // The frame carries the unit section; every decoder returns the same elements and units.
        const frame = c.encode({ step: st, tensors: [out] });
        for (const d of [decodeFrame(frame).tensors[0]!, decodeFrameWasm(c.core, frame).tensors[0]!]) {
          assert.deepEqual(d.indices, out.indices);
          assert.deepEqual(bits(d.values), bits(out.values));
          assert.equal(d.method, options.method);
          assert.deepEqual(d.shape, options.shape);
          if (spec.unit === 'nm') assert.deepEqual([d.unit, d.nm], ['nm', [spec.N, spec.M]]);
          else assert.deepEqual([d.unit, d.units], ['rect', out.units]);
        }
      }
    }
  });
}

test('head importance ranks heads by caller scores; patterns pick methods per tensor', async () => {
  const c = await createCompressor({
    method: 'topk', density: 0.01,
    tensors: { 'attn.*.proj': { method: 'head', heads: 4, score: 'importance', k: 2, shape: [8, 8] }, '**.fc': { method: 'nm', nm: [1, 4] } },
  });
  assert.throws(() => c.step({ 'attn.0.proj': makeTensor(64, 'random', 1) }), /setImportance/);
  c.setImportance('attn.0.proj', new Float32Array([0.1, 5, -1, 3]));
  const res = c.step({ 'attn.0.proj': makeTensor(64, 'random', 2), 'm.fc': makeTensor(32, 'random', 3) });
  assert.deepEqual(res.tensors[0]!.units, Uint32Array.from([1, 3]));
  assert.equal(res.tensors[1]!.indices.length, 8, '1 of every 4');
  const dec = decodeFrame(c.encode(res));
  assert.deepEqual(dec.tensors.map((t) => [t.unit, t.method]), [['rect', 'head'], ['nm', 'nm']]);
  assert.deepEqual(dec.tensors[0]!.units, Uint32Array.from([1, 3]));
  assert.deepEqual(dec.tensors[0]!.unitDims, [2, 8]);
  assert.deepEqual(dec.tensors[1]!.indices, res.tensors[1]!.indices);
  c.setImportance('attn.0.proj', new Float32Array([1, 2]));
  assert.throws(() => c.step({ 'attn.0.proj': makeTensor(64, 'random', 2) }), ShapeError);
});

test('frames of rect units over rank > 2 shapes: rank-R unit dims when the units are rectangles of the shape, else the 2-D view', async () => {
  const shape = [4, 3, 2, 2];
  const cases: Array<[CompressorOptions, number[] | undefined, number[]]> = [
    [{ method: 'channel', k: 2, shape }, undefined, [1, 3, 2, 2]],
    [{ method: 'row', k: 1, shape }, undefined, [1, 3, 2, 2]],
    [{ method: 'column', k: 5, shape }, undefined, [4, 1, 1, 1]],
    [{ method: 'head', heads: 2, k: 1, shape }, undefined, [2, 3, 2, 2]],
    [{ method: 'head', heads: 3, headLayout: 'cols', k: 2, shape }, undefined, [4, 1, 2, 2]],
    [{ method: 'block', block: [2, 4], k: 3, shape }, undefined, [2, 1, 2, 2]],
    [{ method: 'block', block: [3, 5], k: 3, shape }, [4, 12], [3, 5]],
    [{ method: 'head', heads: 3, headLayout: 'cols', k: 2, shape: [2, 3, 4] }, undefined, [2, 1, 4]],
    [{ method: 'head', heads: 6, headLayout: 'cols', k: 2, shape: [2, 3, 4] }, undefined, [2, 1, 2]],
    [{ method: 'head', heads: 4, headLayout: 'cols', k: 2, shape: [2, 3, 4] }, [2, 12], [2, 3]],
  ];
  for (const [options, view, unitDims] of cases) {
    const c = await createCompressor(options);
    const n = options.shape!.reduce((a, d) => a * d, 1);
    const res = c.step({ w: makeTensor(n, 'random', 5) });
    const t = res.tensors[0]!;
    assert.deepEqual([t.unitDims, t.unitShape], [unitDims, view], JSON.stringify(options));
    const d = decodeFrame(c.encode(res)).tensors[0]!;
    assert.deepEqual(d.shape, view ?? options.shape);
    assert.deepEqual(d.unitDims, unitDims);
    assert.deepEqual([d.indices, d.units, bits(d.values)], [t.indices, t.units, bits(t.values)], JSON.stringify(options));
    c.dispose();
  }
});

test('bad structured geometry is a ConfigError at the step, with no state change', async () => {
  const c = await createCompressor({ method: 'block', block: 4, density: 0.1 });
  assert.throws(() => c.step({ w: makeTensor(100, 'random', 1) }), (e: unknown) => e instanceof ConfigError && /shape/.test(String(e)));
  const d = await createCompressor({ method: 'block', block: 4, density: 0.1, shape: [10, 11] });
  assert.throws(() => d.step({ w: makeTensor(100, 'random', 1) }), (e: unknown) => e instanceof ConfigError && /110|100/.test(String(e)));
  assert.deepEqual(d.tensorNames(), []);
  await assert.rejects(createCompressor({ method: 'block', density: 0.1, shape: [2, -1] }), ConfigError);
});
