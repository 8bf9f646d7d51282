/**
 * The shared-memory build (SIMD, threads, memory imported shared): every kernel the worker pool
 * runs gives the bits of the normal SIMD and scalar builds, with error feedback, over several steps
 * of seeded inputs (ties included); its memory is a SharedArrayBuffer that keeps working across
 * growth; `maximumPages` caps it; and without SharedArrayBuffer `'auto'` falls back to the normal
 * build while `true` is a clear error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CapacityError, Compressor, ConfigError, loadCore, sharedMemorySupported, SparsegradError, type CompressorOptions, type WasmCore,
} from '../../ts-api/index.ts';
import { makeTensor, type Pattern } from './generators.ts';
import { bits } from './harness.ts';

/** Every method the pool runs, on tensors of several sizes (4m+3 and SIMD-block-crossing ones). */
const OPTIONS: CompressorOptions = {
  method: 'topk', density: 0.02, seed: 777, globalDensity: 0.01,
  tensors: {
    'thr': { method: 'threshold', threshold: 1.5 },
    'pct': { method: 'percentile', density: 0.03 },
    'rnd': { method: 'randomk', density: 0.05, rescale: true },
    'prob': { method: 'probabilistic', density: 0.04 },
    'approx': { method: 'approx-topk', density: 0.02 },
    'g.*': { method: 'global-topk', density: 0.015 },
    'h.*': { method: 'hybrid', density: 0.01 },
  },
};
const SIZES: Record<string, number> = {
  top: 70_003, thr: 5_001, pct: 40_000, rnd: 33_333, prob: 3_003, approx: 140_000, 'g.a': 30_000, 'g.b': 9_007, 'h.a': 28_000, 'h.b': 7_003,
};
const SEED = Number(process.env.SPARSEGRAD_SEED ?? 20261124);

function input(name: string, step: number, pattern: Pattern, seed: number): Float32Array {
  const j = Object.keys(SIZES).indexOf(name);
  return makeTensor(SIZES[name]!, pattern, seed + 7919 * step + 31 * j);
}

/**
 * Node ≥ 20 (package.json engines) always has SharedArrayBuffer and shared Wasm memories, so a false
 * here is a fault in sharedMemorySupported() or the shared build: every shared test fails with this
 * message rather than being skipped (a skip would hide the whole shared build).
 */
const supported = sharedMemorySupported();
function requireShared(): void {
  assert.ok(supported, `sharedMemorySupported() is false under Node ${process.versions.node}: SharedArrayBuffer ` +
    `${typeof SharedArrayBuffer}, WebAssembly SIMD or the shared build (dist wasm with shared memory) is missing or broken`);
}

test('the shared build loads on a shared memory and exports what the SIMD build exports', async () => {
  requireShared();
  const [shared, simd] = await Promise.all([loadCore({ sharedMemory: true }), loadCore({ simd: true })]);
  assert.equal(shared.sharedMemory, true);
  assert.equal(shared.simd, true);
  assert.equal(shared.exports.sg_simd(), 1);
  assert.equal(shared.exports.sg_abi_version(), simd.exports.sg_abi_version());
  assert.ok(shared.sharedBuffer() instanceof SharedArrayBuffer);
  assert.ok(shared.exports.memory.buffer instanceof SharedArrayBuffer);
  const names = (c: WasmCore) => Object.keys(c.exports).sort();
  assert.deepEqual(names(shared), names(simd));
  assert.equal(simd.sharedMemory, false);
  assert.throws(() => simd.sharedBuffer(), (e: unknown) => e instanceof SparsegradError && e.code === 'E_NO_SHARED_MEMORY');
});

for (const pattern of ['random', 'fewValues', 'sparse'] as const) {
  for (const ef of [true, false]) {
    test(`every pool kernel, ${pattern} inputs, error feedback ${ef ? 'on' : 'off'}: shared = SIMD = scalar to the bit`, async () => {
      requireShared();
      const options = { ...OPTIONS, errorFeedback: ef };
      const cores = await Promise.all([loadCore({ sharedMemory: true }), loadCore({ simd: true }), loadCore({ simd: false })]);
      const labels = ['shared', 'simd', 'scalar'];
      const cs = cores.map((core) => new Compressor(options, core));
      const seed = SEED + (pattern === 'random' ? 0 : pattern === 'fewValues' ? 1 : 2);
      const selected = new Map<string, number>();
      for (let st = 0; st < 5; st++) {
        const tensors = Object.keys(SIZES).map((name): [string, Float32Array] => [name, input(name, st, pattern, seed)]);
        const outs = cs.map((c) => c.step(tensors));
        for (let b = 1; b < cs.length; b++) {
          outs[0]!.tensors.forEach((t, j) => {
            const u = outs[b]!.tensors[j]!;
            const where = `seed ${seed} step ${st} tensor ${t.name}: shared vs ${labels[b]}`;
            selected.set(t.name, (selected.get(t.name) ?? 0) + t.indices.length);
            assert.deepEqual(t.indices, u.indices, `${where}: indices`);
            assert.deepEqual(bits(t.values), bits(u.values), `${where}: values`);
            if (ef) assert.deepEqual(bits(cs[0]!.getResidual(t.name)), bits(cs[b]!.getResidual(t.name)), `${where}: residual`);
          });
        }
      }
      if (pattern === 'random') for (const name of Object.keys(SIZES)) assert.ok(selected.get(name)! > 0, `${name} selected something`);
      for (const c of cs) c.dispose();
    });
  }
}

test('growth: a new, larger SharedArrayBuffer over the same bytes; old views stay valid; results unchanged', async () => {
  requireShared();
  const core = await loadCore({ sharedMemory: true });
  const before = core.sharedBuffer();
  const a = core.allocF32(1000);
  const old = new Float32Array(before, a.ptr, 1000);
  old.set(makeTensor(1000, 'random', SEED));
  const want = old.slice();
  const big = core.allocF32(16 << 20); // 64 MiB: the memory must grow
  const after = core.sharedBuffer();
  assert.notEqual(after, before);
  assert.ok(after.byteLength >= before.byteLength + (64 << 20), `grew from ${before.byteLength} to ${after.byteLength}`);
  assert.equal(core.memoryBytes(), after.byteLength);
  assert.deepEqual(bits(old), bits(want), 'a view of the old buffer still reads the same bytes');
  new Float32Array(after, a.ptr, 1000)[7] = 42;
  assert.equal(old[7], 42, 'old and new buffers are one memory');
  big.view().fill(3);
  assert.equal(new Float32Array(core.sharedBuffer(), big.ptr + 4 * ((16 << 20) - 1), 1)[0], 3);
  // A compressor whose tensors are allocated while the memory grows step by step gives the SIMD bits.
  const shared = new Compressor({ method: 'topk', density: 0.01 }, await loadCore({ sharedMemory: true }));
  const simd = new Compressor({ method: 'topk', density: 0.01 }, await loadCore({ simd: true }));
  for (let st = 0; st < 6; st++) {
    const tensors: Array<[string, Float32Array]> = [[`grow${st}`, makeTensor(1 << (17 + (st % 4)), 'random', SEED + st)], ['base', makeTensor(1 << 17, 'fewValues', st)]];
    const [x, y] = [shared.step(tensors), simd.step(tensors)];
    x.tensors.forEach((t, j) => {
      assert.deepEqual(t.indices, y.tensors[j]!.indices, `step ${st} ${t.name}`);
      assert.deepEqual(bits(t.values), bits(y.tensors[j]!.values), `step ${st} ${t.name}`);
      assert.deepEqual(bits(shared.getResidual(t.name)), bits(simd.getResidual(t.name)), `step ${st} ${t.name} residual`);
    });
  }
  assert.ok(shared.core.sharedBuffer().byteLength > (8 << 20), 'the compressor grew its memory');
  shared.dispose();
  simd.dispose();
});

test('maximumPages caps the shared memory (CapacityError), and is validated', async () => {
  requireShared();
  const core = await loadCore({ sharedMemory: true, maximumPages: 64 }); // 4 MiB
  assert.equal(core.maxMemoryBytes, 64 * 65536);
  assert.throws(() => core.allocF32(2 << 20), (e: unknown) => e instanceof CapacityError && /maximumPages/.test(e.message));
  const p = core.allocF32(1024, true);
  assert.equal(p.view().length, 1024, 'the core still allocates after a refused allocation');
  for (const maximumPages of [0, 1, 1.5, 65537]) {
    await assert.rejects(loadCore({ sharedMemory: true, maximumPages }), ConfigError, `maximumPages ${maximumPages}`);
  }
  await assert.rejects(loadCore({ sharedMemory: 'yes' as unknown as boolean }), ConfigError);
  await assert.rejects(loadCore({ sharedMemory: true, simd: false }), (e: unknown) => e instanceof SparsegradError && e.code === 'E_NO_SHARED_MEMORY');
  const scalar = await loadCore({ sharedMemory: 'auto', simd: false });
  assert.equal(scalar.sharedMemory, false);
  assert.equal(scalar.simd, false);
});

test('without SharedArrayBuffer: auto falls back to the normal build, true is a clear error', async () => {
  const g = globalThis as { SharedArrayBuffer?: unknown };
  const saved = g.SharedArrayBuffer;
  g.SharedArrayBuffer = undefined;
  try {
    assert.equal(sharedMemorySupported(), false);
    const core = await loadCore({ sharedMemory: 'auto', simd: true });
    assert.equal(core.sharedMemory, false);
    assert.equal(core.simd, true);
    await assert.rejects(loadCore({ sharedMemory: true }), (e: unknown) =>
      e instanceof SparsegradError && e.code === 'E_NO_SHARED_MEMORY' && /SharedArrayBuffer/.test(e.message));
  } finally {
    g.SharedArrayBuffer = saved;
  }
  assert.equal(sharedMemorySupported(), true, 'this Node has shared memory');
});
