/**
 * Property tests of error feedback (docs/selection.md, "Error feedback"): nothing is lost or
 * invented. Seeded: set FC_SEED to replay; the seed is printed on failure.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type ReferenceMethodParams, referenceStep } from '../../ts-api/reference/index.ts';
import { absKeys, firstKByRepeatedMax } from './independent.ts';

const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31;

function check<T>(property: fc.IProperty<T>, numRuns: number): void {
  try {
    fc.assert(property, { seed, numRuns });
  } catch (e) {
    console.error(`fast-check failed with seed ${seed}; replay with FC_SEED=${seed}`);
    throw e;
  }
}

/** f32 values of very different magnitudes (rounding happens), signed zeros and subnormals included. */
const f32Value = fc.oneof(
  fc.float({ min: Math.fround(-1e6), max: Math.fround(1e6), noNaN: true }),
  fc.float({ min: Math.fround(-1e30), max: Math.fround(1e30), noNaN: true }),
  fc.constantFrom(0, -0, 1, -1, 2 ** -149, 1e8, -1e8),
);

describe('error feedback properties', () => {
  it('topk: each sent value and the final residual equal the per-element f32 running sums', () => {
    const arb = fc
      .record({ n: fc.integer({ min: 0, max: 12 }), steps: fc.integer({ min: 1, max: 6 }) })
      .chain(({ n, steps }) =>
        fc.record({
          k: fc.integer({ min: 0, max: n }),
          gradients: fc.array(fc.array(f32Value, { minLength: n, maxLength: n }), {
            minLength: steps,
            maxLength: steps,
          }),
        }),
      );
    check(
      fc.property(arb, ({ k, gradients }) => {
        const n = gradients[0].length;
        // Model: per element, the running f32 sum since the element was last sent: acc = g + r.
        const running: number[] = new Array<number>(n).fill(0);
        const sentTotal = new Float64Array(n);
        const modelTotal = new Float64Array(n);
        let residuals = new Map<string, Float32Array>();
        gradients.forEach((g, step) => {
          const acc = running.map((r, i) => Math.fround(Math.fround(g[i]) + r));
          const gradient = { name: 'w', values: Float32Array.from(g) };
          const out = referenceStep({ gradients: [gradient], residuals, params: { method: 'topk', k }, seed: 3, step });
          residuals = out.residuals;
          const { indices, values } = out.selections[0];
          assert.deepEqual(Array.from(indices), firstKByRepeatedMax(absKeys(acc), k));
          indices.forEach((i, j) => {
            assert.ok(Object.is(values[j], acc[i]), `step ${step} element ${i}: sent ${values[j]} vs ${acc[i]}`);
            sentTotal[i] += values[j];
            modelTotal[i] += acc[i];
          });
          for (let i = 0; i < n; i++) running[i] = indices.includes(i) ? 0 : acc[i];
        });
        const r = residuals.get('w') ?? new Float32Array(0);
        for (let i = 0; i < n; i++) {
          assert.ok(Object.is(r[i], running[i]), `final residual ${i}: ${r[i]} vs ${running[i]}`);
          assert.equal(sentTotal[i] + r[i], modelTotal[i] + running[i]);
        }
      }),
      300,
    );
  });

  it('integer gradients (exact in f32): Σ sent + final residual = Σ g for every method that sends acc', () => {
    const methods: ReferenceMethodParams[] = [
      { method: 'topk', k: 2 },
      { method: 'threshold', threshold: 50 },
      { method: 'percentile', q: 0.3 },
      { method: 'randomk', k: 3 },
      { method: 'approx-topk', k: 2, sampleFraction: 0.5 },
      { method: 'global-topk', K: 3 },
      { method: 'hybrid', ks: [1, 1], K: 2 },
    ];
    const arb = fc.record({
      method: fc.constantFrom(...methods),
      steps: fc.array(
        fc.tuple(
          fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 5, maxLength: 5 }),
          fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 3, maxLength: 3 }),
        ),
        { minLength: 1, maxLength: 8 },
      ),
    });
    check(
      fc.property(arb, ({ method, steps }) => {
        const names = ['a', 'b'];
        const totalG = [new Float64Array(5), new Float64Array(3)];
        const totalSent = [new Float64Array(5), new Float64Array(3)];
        let residuals = new Map<string, Float32Array>();
        steps.forEach((gs, step) => {
          const gradients = gs.map((g, j) => ({ name: names[j], values: Float32Array.from(g) }));
          const out = referenceStep({ gradients, residuals, params: method, seed: 7, step });
          residuals = out.residuals;
          gs.forEach((g, j) => g.forEach((v, i) => (totalG[j][i] += v)));
          out.selections.forEach((sel, j) => sel.indices.forEach((i, t) => (totalSent[j][i] += sel.values[t])));
        });
        names.forEach((name, j) => {
          const r = residuals.get(name) ?? new Float32Array(0);
          totalG[j].forEach((g, i) => assert.equal(totalSent[j][i] + r[i], g, `${method.method} ${name}[${i}]`));
        });
      }),
      300,
    );
  });
});
