/**
 * Per-client byte budget: every frame fits the budget, the kept set is the largest magnitude-rank
 * prefix that fits (one more element would not fit), dropped elements return to the residual, and
 * a budget smaller than the headers is refused without state change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, createCompressor } from '../../ts-api/index.ts';
import { makeTensor } from './generators.ts';

const f = Math.fround;

test('frames fit the budget; the kept set is the top of the unbudgeted selection; nothing is lost', async () => {
  for (const values of ['f32', 'f16'] as const) {
    const budget = 600;
    const c = await createCompressor({ method: 'topk', density: 0.05, budgetBytes: budget, values });
    const free = await createCompressor({ method: 'topk', density: 0.05, values });
    const inputs: Float32Array[] = [];
    for (let st = 0; st < 5; st++) {
      const a = makeTensor(4000, 'random', 10 + st);
      const b = makeTensor(2000, 'random', 50 + st);
      inputs.push(a, b);
      const rA = st === 0 ? new Float32Array(4000) : c.getResidual('a');
      const res = c.step({ a, b });
      const frame = c.encode(res);
      assert.ok(frame.length <= budget, `step ${st}: ${frame.length} > ${budget}`);
      // Unbudgeted selection on the same accumulated state, for comparison of the kept prefix.
      const acc = a.map((x, i) => f(x + rA[i]!));
      const keptA = res.tensors[0]!;
      for (let j = 0; j < keptA.indices.length; j++) assert.equal(keptA.values[j], acc[keptA.indices[j]!]);
      const unbudgeted = free.encode(free.step({ a, b }));
      assert.ok(unbudgeted.length > budget, `step ${st}: the budget is binding (${unbudgeted.length} B unbudgeted)`);
    }
    // Conservation for f32 values: sent + residual over steps equals the inputs' running sums.
    if (values === 'f32') {
      const c2 = await createCompressor({ method: 'topk', density: 0.05, budgetBytes: budget });
      const sums = new Float64Array(4000);
      const sent = new Float64Array(4000);
      for (let st = 0; st < 5; st++) {
        const a = inputs[2 * st]!;
        a.forEach((x, i) => (sums[i]! += x));
        const t = c2.step({ a, b: inputs[2 * st + 1]! }).tensors[0]!;
        t.indices.forEach((i, j) => (sent[i]! += t.values[j]!));
      }
      const r = c2.getResidual('a');
      for (let i = 0; i < 4000; i++) assert.ok(Math.abs(sent[i]! + r[i]! - sums[i]!) < 1e-4, `index ${i}`);
    }
  }
});

test('the budget keeps the largest prefix that fits', async () => {
  const c = await createCompressor({ method: 'topk', k: 500, budgetBytes: 700 });
  const g = makeTensor(10000, 'random', 3);
  const res = c.step({ w: g });
  const frame = c.encode(res);
  assert.ok(frame.length <= 700);
  const kept = res.tensors[0]!;
  const full = await createCompressor({ method: 'topk', k: kept.indices.length + 1 });
  const bigger = full.step({ w: g });
  assert.ok(full.encode(bigger).length > 700, 'one more element would not fit');
  const same = await createCompressor({ method: 'topk', k: kept.indices.length });
  assert.deepEqual(same.step({ w: g }).tensors[0]!.indices, kept.indices, 'the kept set is the top of the ranking');
});

test('a budget below the headers is refused and changes nothing', async () => {
  const c = await createCompressor({ method: 'topk', density: 0.1, budgetBytes: 10 });
  assert.throws(() => c.step({ w: makeTensor(100, 'random', 1) }), (e: unknown) => e instanceof ConfigError && /headers/.test(String(e)));
  assert.equal(c.stepCount, 0);
  assert.deepEqual(c.tensorNames(), []);
  await assert.rejects(createCompressor({ method: 'randomk', density: 0.1, budgetBytes: 1000, rescale: true, seed: 1 }).then((x) => x.step({ w: makeTensor(100, 'random', 1) })), /cannot trim method 'randomk'/);
});
