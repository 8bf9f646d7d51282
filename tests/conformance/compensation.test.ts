/**
 * DGC compensation — momentum correction, momentum-factor masking, local clipping scaled for N
 * workers, residual decay, periodic dense sync — agrees to the bit between the SIMD build, the
 * scalar build and the reference, and survives save/restore mid-training.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCompressor, type CompressorOptions } from '../../ts-api/index.ts';
import { referenceCompensatedStep, type CompensationParams } from '../../ts-api/reference/compensation.ts';
import { bits } from './harness.ts';
import { makeTensor, patternArb, runParams } from './generators.ts';

async function check(options: CompressorOptions, comp: CompensationParams, lengths: number[], pattern: 'random' | 'equal' | 'zeros' | 'subnormal' | 'extreme' | 'fewValues' | 'sparse', seed: number, steps: number) {
  const builds = await Promise.all([true, false].map((simd) => createCompressor({ ...options, simd })));
  let residuals = new Map<string, Float32Array>();
  let momenta = new Map<string, Float32Array>();
  for (let st = 0; st < steps; st++) {
    const grads = lengths.map((n, j): [string, Float32Array] => [`t${j}`, makeTensor(n, pattern, seed + 31 * st + j)]);
    const ref = referenceCompensatedStep(
      { gradients: grads.map(([name, values]) => ({ name, values })), residuals, params: { method: 'topk', density: options.density! }, seed: 0, step: st },
      momenta, comp,
    );
    residuals = ref.residuals;
    momenta = ref.momenta;
    for (const c of builds) {
      const out = c.step(grads);
      out.tensors.forEach((t, j) => {
        const where = `step ${st} tensor ${t.name} simd=${c.core.simd} seed=${seed}`;
        assert.deepEqual(t.indices, ref.selections[j]!.indices, `${where}: indices`);
        assert.deepEqual(bits(t.values), bits(ref.selections[j]!.values), `${where}: values`);
        assert.deepEqual(bits(c.getResidual(t.name)), bits(residuals.get(t.name)!), `${where}: residual`);
        if (comp.momentum !== undefined) assert.deepEqual(bits(c.getMomentum(t.name)), bits(momenta.get(t.name)!), `${where}: momentum`);
      });
    }
  }
}

test('momentum correction + masking + clipping + decay: SIMD = scalar = reference', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 3 }), patternArb, fc.integer({ min: 1, max: 2 ** 30 }),
      fc.constantFrom(0, 0.5, 0.9), fc.boolean(), fc.option(fc.double({ min: 0.01, max: 50, noNaN: true })),
      fc.option(fc.constantFrom(0.5, 0.99)), fc.integer({ min: 1, max: 8 }),
      async (lengths, pattern, seed, m, masking, clip, decay, workers) => {
        const comp: CompensationParams = { momentum: m, masking, workers };
        const options: CompressorOptions = { method: 'topk', density: 0.05, momentum: m, momentumMasking: masking, workers };
        if (clip !== null) comp.clipNorm = options.clipNorm = clip;
        if (decay !== null) comp.residualDecay = options.residualDecay = decay;
        await check(options, comp, lengths, pattern, seed, 4);
      },
    ),
    runParams(20),
  );
});

test('clipping alone and decay alone (no momentum)', async () => {
  await check({ method: 'topk', density: 0.1, clipNorm: 1, workers: 4 }, { clipNorm: 1, workers: 4 }, [3000, 17], 'random', 5, 4);
  await check({ method: 'topk', density: 0.1, residualDecay: 0.9 }, { residualDecay: 0.9 }, [3000], 'random', 6, 4);
});

test('periodic dense sync sends everything and flushes residual and masked momentum', async () => {
  const c = await createCompressor({ method: 'topk', density: 0.01, denseSyncEvery: 3, momentum: 0.9 });
  const counts: number[] = [];
  for (let st = 0; st < 6; st++) {
    counts.push(c.step({ w: makeTensor(1000, 'random', st + 1) }).tensors[0]!.indices.length);
    if (st % 3 === 2) {
      assert.deepEqual(c.getResidual('w'), new Float32Array(1000), `step ${st}: residual flushed`);
      assert.deepEqual(c.getMomentum('w'), new Float32Array(1000), `step ${st}: momentum masked everywhere`);
    }
  }
  assert.deepEqual(counts, [10, 10, 1000, 10, 10, 1000]);
});

test('momentum state survives save/restore mid-training', async () => {
  const opts: CompressorOptions = { method: 'topk', density: 0.05, momentum: 0.9, clipNorm: 5 };
  const a = await createCompressor(opts);
  for (let st = 0; st < 3; st++) a.step({ w: makeTensor(2000, 'random', st) });
  const b = await createCompressor(opts);
  b.restoreState(a.saveState());
  for (let st = 3; st < 6; st++) {
    const ra = a.step({ w: makeTensor(2000, 'random', st) }).tensors[0]!;
    const rb = b.step({ w: makeTensor(2000, 'random', st) }).tensors[0]!;
    assert.deepEqual(ra.indices, rb.indices);
    assert.deepEqual(bits(ra.values), bits(rb.values));
  }
  assert.deepEqual(bits(a.getMomentum('w')), bits(b.getMomentum('w')));
  const plain = await createCompressor({ method: 'topk', density: 0.05 });
  assert.throws(() => plain.restoreState(a.saveState()), /momentum/);
});
