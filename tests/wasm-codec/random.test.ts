/**
 * Seeded random frames: for every index code (and `auto`) × value code, random tensors with edge
 * cases of n and k (0, 1, k = n, tails around the SIMD widths, long runs, a length of 2^32 − 1) and
 * of values (subnormals, ±0, ties, f16/bf16 overflow, int8 subnormal scales, ternary overflow) are
 * encoded by the Wasm kernels and by ts-api/codec: the bytes must be identical, and the Wasm decoder
 * must return what the TypeScript decoder returns. Encoder errors must be the same errors.
 * Every failure message names the seed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame, encodeFrame, type DecodedFrame, type EncodeTensor, type FrameUpdate } from '../../ts-api/codec/frame.ts';
import { FormatError } from '../../ts-api/errors.ts';
import { decodeFrameWasm, encodeFrameWasm } from '../../ts-api/backends/wasm/codec.ts';
import { loadCore } from '../../ts-api/backends/wasm/core.ts';
import { INDEX_CODE_NAMES, VALUE_CODE_NAMES, type IndexCodeName, type ValueCodeName } from '../../ts-api/codec/ids.ts';
import type { Method } from '../../ts-api/types.ts';
import { fixCrc, rng } from '../codec/helpers.ts';
import { bothBuilds, decodeBoth, encodeBoth } from './helpers.ts';

const SPECIALS = [
  0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 127, -126.5, 63.5, 2 ** -24, 2 ** -25, 3 * 2 ** -25, -(2 ** -14), 6.1e-5, 1e-8,
  1e-40, -1e-45, 65504, 65519, 65520, -70000, 1e30, 3.4028234663852886e38, -3.4e38, 1 + 2 ** -11, 1 + 3 * 2 ** -11,
  1 + 2 ** -8, 1 + 3 * 2 ** -8, 2049, 0.1,
];
const METHODS: Method[] = ['topk', 'threshold', 'percentile', 'randomk', 'probabilistic', 'approx-topk', 'global-topk', 'hybrid'];

type R = () => number;
const int = (r: R, n: number): number => Math.floor(r() * n);

/** Ascending k-subset of [0, n): uniform, or clustered in runs (to exercise rle). */
function indicesOf(r: R, n: number, k: number): Uint32Array {
  if (k === 0) return new Uint32Array(0);
  if (k === n) return Uint32Array.from({ length: n }, (_, i) => i);
  if (r() < 0.4 && n <= 1 << 22) {
    // Runs: keep positions with a sticky random mask, then trim or pad to exactly k.
    const keep = new Uint8Array(n);
    let on = false;
    let c = 0;
    const pOn = k / n;
    const stick = r() < 0.5 ? 0.9 : 0.999;
    for (let i = 0; i < n && c < k; i++) {
      on = on ? r() < stick : r() < pOn * (1 - stick) * 4 + 1e-4;
      if (on) {
        keep[i] = 1;
        c++;
      }
    }
    for (let i = 0; c < k; i++) if (!keep[i]) (keep[i] = 1, c++);
    const out = new Uint32Array(k);
    for (let i = 0, j = 0; i < n; i++) if (keep[i]) out[j++] = i;
    return out;
  }
  const set = new Set<number>();
  if (k * 2 > n) {
    const drop = new Set<number>();
    while (drop.size < n - k) drop.add(int(r, n));
    const out = new Uint32Array(k);
    for (let i = 0, j = 0; i < n; i++) if (!drop.has(i)) out[j++] = i;
    return out;
  }
  while (set.size < k) set.add(r() < 0.05 ? n - 1 - int(r, Math.min(n, 3)) : int(r, n));
  return Uint32Array.from([...set].sort((a, b) => a - b));
}

function valuesOf(r: R, k: number): Float32Array {
  const v = new Float32Array(k);
  const mode = r();
  for (let j = 0; j < k; j++) {
    if (mode < 0.1) v[j] = (r() - 0.5) * 1e-39; // subnormal int8 scale
    else if (mode < 0.15) v[j] = (r() < 0.5 ? -1 : 1) * 3.3e38; // ternary sum overflow, f16/bf16 saturation
    else if (r() < 0.2) v[j] = SPECIALS[int(r, SPECIALS.length)]!;
    else v[j] = (r() - 0.5) * 2 ** (int(r, 40) - 20);
  }
  return v;
}

function tensorOf(r: R, t: number, ic: IndexCodeName | 'auto', vc: ValueCodeName): EncodeTensor {
  const sizes = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 257, 1000, 4099, 70001, 1 + int(r, 30000)];
  let n: number;
  let shape: number[] | undefined;
  const huge = ic !== 'bitmap' && ic !== 'csr' && r() < 0.06;
  if (huge) n = 2 ** 32 - 1;
  else n = sizes[int(r, sizes.length)]!;
  if (ic === 'csr' || (!huge && r() < 0.3)) {
    const rows = n === 0 ? int(r, 3) : [1, n].concat([2, 3, 4, 5, 7, 8, 16].filter((d) => n % d === 0))[int(r, 3)] ?? 1;
    const cols = rows === 0 ? 0 : n / rows;
    shape = n === 0 ? [rows, 0] : [rows, cols];
    if (ic !== 'csr' && r() < 0.3) shape = n === 1 && r() < 0.5 ? [] : [n];
  }
  const kind = r();
  let k: number;
  if (huge) k = int(r, 200);
  else if (kind < 0.1) k = 0;
  else if (kind < 0.2) k = n;
  else if (kind < 0.3) k = Math.min(n, 1);
  else if (kind < 0.4) k = Math.max(0, n - 1);
  else k = Math.min(n, Math.floor(n * [0.5, 0.1, 0.01, 0.001][int(r, 4)]!) + int(r, 3));
  const out: EncodeTensor = {
    name: `t${t}.${int(r, 1000)}`, method: METHODS[int(r, METHODS.length)]!, length: n,
    indices: indicesOf(r, n, k), values: valuesOf(r, k), valueCode: vc,
  };
  if (shape) out.shape = shape;
  if (ic !== 'auto' || r() < 0.5) out.indexCode = ic;
  return out;
}

const builds = await bothBuilds();

/** The decoded frame, or the FormatError's [code, offset]. */
function decodeOutcomeRaw(fn: () => DecodedFrame): { ok: DecodedFrame } | { err: [string, number] } {
  try {
    return { ok: fn() };
  } catch (e) {
    if (e instanceof FormatError) return { err: [e.code, e.offset] };
    throw e;
  }
}
const SEEDS = 10;

for (const ic of [...INDEX_CODE_NAMES, 'auto'] as const) {
  test(`random frames, index code ${ic}: Wasm bytes = TS bytes for every value code; decoders agree`, () => {
    for (let s = 0; s < SEEDS; s++) {
      for (const vc of VALUE_CODE_NAMES) {
        const seed = (s * 7919 + INDEX_CODE_NAMES.indexOf(ic as IndexCodeName) * 131 + VALUE_CODE_NAMES.indexOf(vc)) >>> 0;
        const r = rng(seed);
        const update: FrameUpdate = { step: int(r, 2 ** 32), tensors: [] };
        const m = 1 + int(r, 3);
        for (let t = 0; t < m; t++) update.tensors.push(tensorOf(r, t, ic, vc));
        for (const { label, core } of builds) {
          const [ts, wasm] = encodeBoth(core, update);
          assert.deepEqual(wasm, ts, `seed ${seed} (${label}, ${ic}/${vc}): encoded frames differ`);
          if ('ok' in (ts as object)) {
            const bytes = Uint8Array.from(Buffer.from((ts as { ok: string }).ok, 'hex'));
            const [a, b] = decodeBoth(core, bytes);
            assert.deepEqual(b, a, `seed ${seed} (${label}, ${ic}/${vc}): decoded frames differ`);
          }
        }
      }
    }
  });
}

test('large tensors (SIMD loops, long runs): Wasm bytes = TS bytes, decoders agree', () => {
  const n = 1 << 18;
  const same = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  for (const density of [0.5, 0.05, 0.002]) {
    const seed = 1000 + density * 1e4;
    const r = rng(seed);
    const k = Math.floor(n * density);
    const indices = indicesOf(r, n, k);
    const values = valuesOf(r, k);
    for (const ic of [...INDEX_CODE_NAMES, 'auto'] as const) {
      for (const vc of VALUE_CODE_NAMES) {
        const update: FrameUpdate = {
          step: 9, tensors: [{ name: 'w', method: 'topk', length: n, shape: [512, 512], indices, values, indexCode: ic, valueCode: vc }],
        };
        const ts = encodeFrame(update);
        // (int8 of values near the f32 maximum can make q·scale overflow: then both decoders must fail alike)
        const refOutcome = decodeOutcomeRaw(() => decodeFrame(ts));
        for (const { label, core } of builds) {
          const what = `seed ${seed} density ${density} (${label}, ${ic}/${vc})`;
          assert.ok(same(encodeFrameWasm(core, update), ts), `${what}: frames differ`);
          const gotOutcome = decodeOutcomeRaw(() => decodeFrameWasm(core, ts));
          if ('err' in refOutcome || 'err' in gotOutcome) {
            assert.deepEqual(gotOutcome, refOutcome, what);
            continue;
          }
          const ref = refOutcome.ok.tensors[0]!;
          const got = gotOutcome.ok.tensors[0]!;
          assert.ok(same(got.indices, ref.indices) && same(got.values, ref.values), `${what}: decoded tensors differ`);
          assert.deepEqual({ ...got, indices: [], values: [] }, { ...ref, indices: [], values: [] }, what);
        }
      }
    }
  }
});

test('long runs: rle sizes over the varint thresholds (runs of 127..130, 16383..16386 and longer)', () => {
  const runs = [1, 127, 128, 129, 130, 16383, 16384, 16385, 16386, 40000, 2];
  const idx: number[] = [];
  let p = 3;
  for (const len of runs) {
    for (let t = 0; t < len; t++) idx.push(p + t);
    p += len + 1 + (len % 5);
  }
  const n = p + 10;
  const indices = Uint32Array.from(idx);
  const values = Float32Array.from(idx, (i) => (i % 7) - 3);
  for (const ic of ['rle', 'auto'] as const) {
    const update: FrameUpdate = { step: 1, tensors: [{ name: 'runs', method: 'topk', length: n, indices, values, indexCode: ic }] };
    for (const { label, core } of builds) {
      const [ts, wasm] = encodeBoth(core, update);
      assert.ok(JSON.stringify(wasm) === JSON.stringify(ts), `${label} ${ic}: frames differ`);
    }
  }
});

test('encoder errors: the same error class, code and message as ts-api/codec', () => {
  const ok = (over: Partial<EncodeTensor> = {}): EncodeTensor => ({
    name: 'w', method: 'topk', length: 10, indices: Uint32Array.of(1, 4, 9), values: Float32Array.of(1, 2, 3), ...over,
  });
  const cases: Array<[string, FrameUpdate, object?]> = [
    ['step', { step: -1, tensors: [] }],
    ['step non-integer', { step: 1.5, tensors: [] }],
    ['decreasing', { step: 0, tensors: [ok({ indices: Uint32Array.of(4, 1, 9) })] }],
    ['duplicate index', { step: 0, tensors: [ok({ indices: Uint32Array.of(1, 1, 9) })] }],
    ['index >= n', { step: 0, tensors: [ok({ indices: Uint32Array.of(1, 4, 10) })] }],
    ['first index >= n', { step: 0, tensors: [ok({ length: 1, indices: Uint32Array.of(1, 4, 10) })] }],
    ['NaN before bad index', { step: 0, tensors: [ok({ indices: Uint32Array.of(1, 4, 3), values: Float32Array.of(1, NaN, 3) })] }],
    ['NaN at bad index', { step: 0, tensors: [ok({ indices: Uint32Array.of(1, 4, 3), values: Float32Array.of(1, 2, NaN) })] }],
    ['Inf', { step: 0, tensors: [ok({ values: Float32Array.of(1, 2, -Infinity) })] }],
    ['NaN in a long tensor', {
      step: 0, tensors: [ok({ length: 100, indices: Uint32Array.from({ length: 50 }, (_, i) => 2 * i), values: Float32Array.from({ length: 50 }, (_, i) => (i === 37 ? NaN : i)) })],
    }],
    ['bad index in a long tensor', {
      step: 0, tensors: [ok({ length: 100, indices: Uint32Array.from({ length: 50 }, (_, i) => (i === 41 ? 0 : 2 * i)), values: new Float32Array(50) })],
    }],
    ['unknown value code', { step: 0, tensors: [ok({ valueCode: 'f64' as ValueCodeName })] }],
    ['unknown index code', { step: 0, tensors: [ok({ indexCode: 'zip' as IndexCodeName })] }],
    ['csr without shape', { step: 0, tensors: [ok({ indexCode: 'csr' })] }],
    ['csr with rank 1', { step: 0, tensors: [ok({ indexCode: 'csr', shape: [10] })] }],
    ['shape mismatch', { step: 0, tensors: [ok({ shape: [3, 3] })] }],
    ['rank 17', { step: 0, tensors: [ok({ shape: new Array(17).fill(1) })] }],
    ['duplicate name', { step: 0, tensors: [ok(), ok()] }],
    ['empty name', { step: 0, tensors: [ok({ name: '' })] }],
    ['long name', { step: 0, tensors: [ok({ name: 'x'.repeat(1025) })] }],
    ['lone surrogate', { step: 0, tensors: [ok({ name: 'a\ud800' })] }],
    ['unknown method', { step: 0, tensors: [ok({ method: 'magic' as Method })] }],
    ['length', { step: 0, tensors: [ok({ length: 2 ** 32 })] }],
    ['k mismatch', { step: 0, tensors: [ok({ values: Float32Array.of(1, 2) })] }],
    ['plain arrays', { step: 0, tensors: [ok({ indices: [1, 4, 9] as unknown as Uint32Array })] }],
    ['second tensor bad', { step: 0, tensors: [ok(), ok({ name: 'b', values: Float32Array.of(1, NaN, 3) })] }],
    ['option value code', { step: 0, tensors: [ok()] }, { valueCode: 'f8' }],
  ];
  for (const [name, update, options] of cases) {
    for (const { label, core } of builds) {
      const [ts, wasm] = encodeBoth(core, update, options as never);
      assert.ok('err' in (ts as object), `${name}: the TS encoder accepted it`);
      assert.deepEqual(wasm, ts, `${name} (${label})`);
    }
  }
});

test('many small tensors (name set growth), and a duplicate name at the end: decoders agree', () => {
  const tensors: EncodeTensor[] = [];
  for (let t = 0; t < 3000; t++) {
    tensors.push({ name: `layer.${t}.${'x'.repeat(t % 40)}`, method: 'topk', length: 10, indices: Uint32Array.of(t % 10), values: Float32Array.of(t) });
  }
  const update: FrameUpdate = { step: 2, tensors };
  for (const { label, core } of builds) {
    const [ts, wasm] = encodeBoth(core, update);
    assert.ok(JSON.stringify(wasm) === JSON.stringify(ts), `${label}: frames differ`);
    const bytes = Uint8Array.from(Buffer.from((ts as { ok: string }).ok, 'hex'));
    const [a, b] = decodeBoth(core, bytes);
    assert.ok(JSON.stringify(a) === JSON.stringify(b), `${label}: decoded frames differ`);
    // Rename the last section to an earlier name of the same length (layer.1039.…), fix the CRC:
    // both decoders must report E_NAME at the last name.
    const dup = Uint8Array.from(bytes);
    const last = new TextEncoder().encode(`layer.2999.${'x'.repeat(2999 % 40)}`);
    const same = new TextEncoder().encode(`layer.1039.${'x'.repeat(1039 % 40)}`);
    assert.equal(same.length, last.length);
    dup.set(same, Buffer.from(dup).lastIndexOf(Buffer.from(last)));
    fixCrc(dup);
    const [c, d] = decodeBoth(core, dup);
    assert.deepEqual(d, c, label);
    assert.equal((c as { err: [string, number] }).err[0], 'E_NAME');
  }
});

test('inputs already in Wasm memory are encoded in place (same bytes)', async () => {
  for (const { label, core } of builds) {
    const k = 100;
    const ip = core.alloc(4 * k);
    const vp = core.alloc(4 * k);
    const indices = core.u32(ip, k);
    const values = core.f32(vp, k);
    for (let j = 0; j < k; j++) (indices[j] = 3 * j + 1, values[j] = j - 50.25);
    const update: FrameUpdate = { step: 3, tensors: [{ name: 'in-place', method: 'topk', length: 400, indices, values, valueCode: 'f16' }] };
    const [ts, wasm] = encodeBoth(core, update);
    assert.deepEqual(wasm, ts, label);
    core.free(ip);
    core.free(vp);
  }
});

test('a frame already in Wasm memory is decoded in place, even when decoding grows memory', async () => {
  const n = 1 << 21;
  const k = 1 << 19;
  const r = rng(77);
  const indices = indicesOf(r, n, k);
  const values = valuesOf(r, k);
  const frame = encodeFrame({ step: 4, tensors: [{ name: 'grow', method: 'topk', length: n, shape: [2048, 1024], indices, values, valueCode: 'f16' }] });
  for (const { label } of builds) {
    const core = await loadCore({ simd: label === 'SIMD' });
    const p = core.alloc(frame.length);
    const view = new Uint8Array(core.exports.memory.buffer, p, frame.length);
    view.set(frame);
    const before = core.memoryBytes();
    const got = decodeOutcomeRaw(() => decodeFrameWasm(core, view));
    const ref = decodeOutcomeRaw(() => decodeFrame(frame));
    assert.ok(core.memoryBytes() > before, `${label}: memory did not grow; the test needs growth`);
    assert.ok('ok' in got && 'ok' in ref, label);
    const a = got.ok.tensors[0]!;
    const b = ref.ok.tensors[0]!;
    assert.deepEqual([a.name, a.shape, a.indices.length], [b.name, b.shape, b.indices.length], label);
    assert.ok(Buffer.from(a.values.buffer).equals(Buffer.from(b.values.buffer)), label);
  }
});
