/**
 * Structured units (docs/wire-format.md, "Structured units") through the Wasm codec, SIMD and
 * scalar builds: seeded random rect, nm and mask tensors with every index code × value code encode
 * to the bytes ts-api/codec writes, decode to what it decodes (mask store included), and bad
 * structured input fails with the same error class, code and message. Failures name the seed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EncodeTensor, FrameUpdate } from '../../ts-api/codec/frame.ts';
import { INDEX_CODE_NAMES, VALUE_CODE_NAMES } from '../../ts-api/codec/ids.ts';
import { rectElementCount, rectElements, rectGrid } from '../../ts-api/codec/units.ts';
import { FUZZ_MASKS, fuzzMasks, structuredTensors } from '../codec/fuzz_core.ts';
import { randomIndices, randomValues, rng } from '../codec/helpers.ts';
import { bothBuilds, decodeBoth, encodeBoth } from './helpers.ts';

const builds = await bothBuilds();

test('random structured frames: Wasm bytes = TS bytes for every index × value code; decoders and mask stores agree', () => {
  for (let s = 0; s < 12; s++) {
    for (const ic of [...INDEX_CODE_NAMES, 'auto'] as const) {
      for (const vc of VALUE_CODE_NAMES) {
        const seed = (s * 1009 + INDEX_CODE_NAMES.indexOf(ic as never) * 31 + VALUE_CODE_NAMES.indexOf(vc)) >>> 0;
        const r = rng(seed);
        const tensors = structuredTensors(r, ic === 'auto' ? 'coo' : ic, vc).map((t) => (ic === 'auto' ? { ...t, indexCode: 'auto' as const } : t));
        const update: FrameUpdate = { step: seed, tensors: tensors.filter(() => r() < 0.8) };
        for (const alwaysSendMask of [false, true]) {
          for (const { label, core } of builds) {
            const [ts, wasm] = encodeBoth(core, update, { alwaysSendMask });
            assert.deepEqual(wasm, ts, `seed ${seed} (${label}, ${ic}/${vc}): encoded frames differ`);
            assert.ok('ok' in (ts as object), `seed ${seed}: ${JSON.stringify(ts)}`);
            const bytes = Uint8Array.from(Buffer.from((ts as { ok: string }).ok, 'hex'));
            const [a, b] = decodeBoth(core, bytes, undefined, fuzzMasks);
            assert.deepEqual(b, a, `seed ${seed} (${label}, ${ic}/${vc}): decoded frames differ`);
            assert.ok('ok' in (a as object), `seed ${seed}: ${JSON.stringify(a)}`);
          }
        }
      }
    }
  }
});

test('large rect and nm tensors: Wasm bytes = TS bytes, decoders agree', () => {
  const r = rng(77);
  const shape = [300, 7, 11];
  const unitDims = [7, 1, 11];
  const g = rectGrid(shape, unitDims);
  const units = randomIndices(r, g.U, Math.floor(g.U / 3));
  const idx = rectElements(g, units, rectElementCount(g, units));
  const n = 1 << 16;
  const nmIdx: number[] = [];
  for (let q = 0; q < n; q += 4) nmIdx.push(q + 1, q + 2 + (q % 8 === 0 ? 1 : 0));
  const tensors: EncodeTensor[] = [
    { name: 'rect', method: 'channel', length: 300 * 77, shape, unitDims, units, indices: idx, values: randomValues(r, idx.length), valueCode: 'int8' },
    { name: 'nm', method: 'nm', length: n, shape: [256, 256], nm: [2, 4], indices: Uint32Array.from(nmIdx), values: randomValues(r, nmIdx.length), valueCode: 'f16' },
  ];
  for (const { label, core } of builds) {
    const [ts, wasm] = encodeBoth(core, { step: 1, tensors });
    assert.ok('ok' in (ts as object) && JSON.stringify(wasm) === JSON.stringify(ts), `${label}: frames differ`);
    const bytes = Uint8Array.from(Buffer.from((ts as { ok: string }).ok, 'hex'));
    const [a, b] = decodeBoth(core, bytes);
    assert.ok(JSON.stringify(a) === JSON.stringify(b), `${label}: decoded frames differ`);
  }
});

test('structured encoder errors: the same error class, code and message as ts-api/codec', () => {
  const rect = (over: Partial<EncodeTensor> = {}): EncodeTensor => ({
    name: 'w', method: 'block', length: 12, shape: [3, 4], unitDims: [2, 2], units: Uint32Array.of(1, 2),
    indices: Uint32Array.of(2, 3, 6, 7, 8, 9), values: Float32Array.of(1, 2, 3, 4, 5, 6), ...over,
  });
  const nm = (over: Partial<EncodeTensor> = {}): EncodeTensor => ({
    name: 'n', method: 'nm', length: 8, shape: [2, 4], nm: [1, 4], indices: Uint32Array.of(1, 6), values: Float32Array.of(1, 2), ...over,
  });
  const stored = FUZZ_MASKS[0]!;
  const mask = (over: Partial<EncodeTensor> = {}): EncodeTensor => ({
    name: stored[0], method: 'mask', length: 40, indices: Uint32Array.from(stored[1]), values: new Float32Array(stored[1].length), ...over,
  });
  const cases: Array<[string, EncodeTensor]> = [
    ['rect without shape', rect({ shape: undefined })],
    ['rect without unitDims', rect({ unitDims: undefined })],
    ['rect unitDims rank', rect({ unitDims: [2] })],
    ['rect unit dim 0', rect({ unitDims: [2, 0] })],
    ['rect unit dim non-integer', rect({ unitDims: [2, 1.5] })],
    ['rect without units', rect({ units: undefined })],
    ['rect units as an array', rect({ units: [1, 2] as unknown as Uint32Array })],
    ['rect units out of order', rect({ units: Uint32Array.of(2, 1) })],
    ['rect unit >= U', rect({ units: Uint32Array.of(1, 6) })],
    ['rect elements differ', rect({ indices: Uint32Array.of(2, 3, 6, 7, 8, 10) })],
    ['rect elements missing', rect({ indices: Uint32Array.of(2, 3, 6, 7, 8), values: Float32Array.of(1, 2, 3, 4, 5) })],
    ['rect elements extra', rect({ indices: Uint32Array.of(2, 3, 6, 7, 8, 9, 11), values: new Float32Array(7) })],
    ['rect element order before units', rect({ units: Uint32Array.of(9), indices: Uint32Array.of(3, 2, 6, 7, 8, 9) })],
    ['rect NaN before unit errors', rect({ units: Uint32Array.of(9), values: Float32Array.of(1, NaN, 3, 4, 5, 6) })],
    ['rect csr over rank 3', rect({ shape: [3, 4, 1], unitDims: [2, 2, 1], indexCode: 'csr' })],
    ['rect unknown index code', rect({ indexCode: 'zip' as never })],
    ['rect unknown value code', rect({ valueCode: 'f8' as never })],
    ['nm without nm', nm({ nm: undefined })],
    ['nm M = 0', nm({ nm: [0, 0] })],
    ['nm M = 33', nm({ nm: [1, 33] })],
    ['nm N > M', nm({ nm: [5, 4] })],
    ['nm group short', nm({ indices: Uint32Array.of(1), values: Float32Array.of(1) })],
    ['nm group long', nm({ indices: Uint32Array.of(1, 2, 6), values: Float32Array.of(1, 2, 3) })],
    ['nm last group', nm({ nm: [1, 3], indices: Uint32Array.of(0, 4, 5), values: Float32Array.of(1, 2, 3) })],
    ['nm unknown value code', nm({ valueCode: 'f8' as never })],
    ['mask bad index', mask({ indices: Uint32Array.of(1, 5, 9, 20, 40) })],
    ['mask values-only unknown value code', mask({ maskChanged: false, valueCode: 'f8' as never })],
    ['mask sent unknown index code', mask({ indexCode: 'zip' as never })],
  ];
  for (const [name, t] of cases) {
    for (const { label, core } of builds) {
      const [ts, wasm] = encodeBoth(core, { step: 0, tensors: [t] });
      assert.ok('err' in (ts as object), `${name}: the TS encoder accepted it`);
      assert.deepEqual(wasm, ts, `${name} (${label})`);
    }
  }
  // Index code choices do not apply to nm and to masks sent without the mask.
  for (const t of [nm({ indexCode: 'zip' as never }), nm({ indexCode: 'csr', shape: undefined, length: 4, indices: Uint32Array.of(1), values: Float32Array.of(1) }),
    mask({ maskChanged: false, indexCode: 'zip' as never })]) {
    for (const { label, core } of builds) {
      const [ts, wasm] = encodeBoth(core, { step: 0, tensors: [t] });
      assert.ok('ok' in (ts as object), `${t.name}: ${JSON.stringify(ts)}`);
      assert.deepEqual(wasm, ts, label);
    }
  }
});
