/**
 * Every selection method, with and without error feedback, on seeded random and adversarial inputs:
 * the SIMD build, the scalar build and the TypeScript reference must agree to the bit (indices,
 * sent values, residuals) over several steps.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import type { CompressorOptions } from '../../ts-api/index.ts';
import type { ReferenceStepInput } from '../../ts-api/reference/error_feedback.ts';
import { assertConformance } from './harness.ts';
import { kArb, lengthArb, makeTensor, patternArb, runParams, type Pattern } from './generators.ts';

type Case = { options: CompressorOptions; reference: ReferenceStepInput['params'] };

/** Per-tensor methods as (options, reference params) for a given n and k. */
const perTensor: Record<string, (n: number, k: number, t: number) => Case> = {
  topk: (_n, k) => ({ options: { method: 'topk', k }, reference: { method: 'topk', k } }),
  percentile: (_n, _k, t) => ({ options: { method: 'percentile', density: t }, reference: { method: 'percentile', q: t } }),
  threshold: (_n, _k, t) => ({ options: { method: 'threshold', threshold: t }, reference: { method: 'threshold', threshold: t } }),
  randomk: (_n, k) => ({ options: { method: 'randomk', k, seed: 99 }, reference: { method: 'randomk', k } }),
  'randomk-rescale': (_n, k) => ({
    options: { method: 'randomk', k, rescale: true, seed: 5 }, reference: { method: 'randomk', k, rescale: true },
  }),
  probabilistic: (_n, k) => ({ options: { method: 'probabilistic', k, seed: 3 }, reference: { method: 'probabilistic', k } }),
  'approx-topk': (_n, k) => ({ options: { method: 'approx-topk', k }, reference: { method: 'approx-topk', k } }),
};

function steps(names: string[], lengths: number[], pattern: Pattern, seed: number, count: number): Array<Array<[string, Float32Array]>> {
  return Array.from({ length: count }, (_, st) =>
    names.map((name, j): [string, Float32Array] => [name, makeTensor(lengths[j]!, pattern, seed + 7919 * st + 31 * j)]));
}

for (const [method, make] of Object.entries(perTensor)) {
  test(`${method}: SIMD = scalar = reference on random and adversarial tensors`, async () => {
    await fc.assert(
      fc.asyncProperty(
        lengthArb.chain((n) => fc.tuple(fc.constant(n), kArb(n), patternArb, fc.integer({ min: 1, max: 2 ** 31 }),
          fc.double({ min: 0.001, max: 1, noNaN: true }), fc.boolean())),
        async ([n, k, pattern, seed, t, ef]) => {
          const c = make(n, k, method === 'threshold' ? t * 2 : t);
          await assertConformance(
            { options: { ...c.options, errorFeedback: ef }, reference: c.reference, steps: steps(['w'], [n], pattern, seed, 3) },
            `${method} n=${n} k=${k} ${pattern} seed=${seed} ef=${ef}`,
          );
        },
      ),
      runParams(25),
    );
  });

  test(`${method}: n = 2^20 + 3 (SIMD = scalar = reference)`, async () => {
    const n = 2 ** 20 + 3;
    const c = make(n, 1049, 0.001);
    const t = method === 'threshold' ? 1.9 : 0.001;
    const cc = method === 'threshold' || method === 'percentile' ? make(n, 1049, t) : c;
    await assertConformance({ ...cc, steps: steps(['w'], [n], 'random', 12345, 2) }, `${method} n=2^20+3`);
  });
}

test('global-topk and hybrid: several tensors ranked together', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(lengthArb, { minLength: 1, maxLength: 4 }), patternArb, fc.integer({ min: 1, max: 2 ** 31 }),
      fc.double({ min: 0.0001, max: 1, noNaN: true }), fc.double({ min: 0.0001, max: 1, noNaN: true }),
      async (lengths, pattern, seed, d, gd) => {
        const names = lengths.map((_, j) => `layer${j}`);
        const total = lengths.reduce((a, b) => a + b, 0);
        const sc = steps(names, lengths, pattern, seed, 3);
        if (total > 0) {
          await assertConformance(
            { options: { method: 'global-topk', density: d }, reference: { method: 'global-topk', density: d }, steps: sc },
            `global-topk lengths=${lengths} ${pattern} seed=${seed} d=${d}`,
          );
        }
        const ks = lengths.map((n) => (n === 0 ? 0 : Math.min(n, Math.max(1, Math.round(d * n)))));
        const K = total === 0 ? 0 : Math.min(total, Math.max(1, Math.round(gd * total)));
        await assertConformance(
          {
            options: { method: 'hybrid', density: d, globalK: K },
            reference: { method: 'hybrid', ks, K }, steps: sc,
          },
          `hybrid lengths=${lengths} ${pattern} seed=${seed} d=${d} K=${K}`,
        );
      },
    ),
    runParams(30),
  );
});

test('mixed per-tensor methods in one step (per-tensor overrides)', async () => {
  const sc = steps(['a', 'b', 'c'], [5000, 70001, 33], 'random', 77, 4);
  await assertConformance(
    {
      options: { method: 'topk', density: 0.01, seed: 4, tensors: { b: { method: 'randomk', k: 100 }, c: { method: 'threshold', threshold: 1 } } },
      reference: [{ method: 'topk', density: 0.01 }, { method: 'randomk', k: 100 }, { method: 'threshold', threshold: 1 }],
      steps: sc,
    },
    'mixed',
  );
});
