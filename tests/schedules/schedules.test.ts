/**
 * Schedules give exact values (checked against closed forms computed independently here), the
 * deterministic math matches the platform's within a few ulp, and the compressor applies warm-up,
 * schedules, roles and adaptive rules to k, with their state saved and restored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detCos, detExp, detLog, detPow } from '../../ts-api/schedules/detmath.ts';
import { DGC_STAGES, densityAt } from '../../ts-api/schedules/density_schedule.ts';
import { adaptDensity, l2Norm } from '../../ts-api/schedules/adaptive.ts';
import { inferRole, proposeDensities, roleDensity } from '../../ts-api/schedules/layerwise.ts';
import { ConfigError, createCompressor, kFromDensity } from '../../ts-api/index.ts';

const ulps = (a: number, b: number) => Math.abs(a - b) / (Number.EPSILON * Math.max(Math.abs(a), Math.abs(b), 1e-300));

test('detmath agrees with the platform functions to a few ulp', () => {
  for (let i = -200; i <= 200; i++) {
    const x = i * 0.173;
    assert.ok(ulps(detExp(x), Math.exp(x)) < 8, `exp ${x}`);
    if (Math.abs(x) <= 2 * Math.PI) assert.ok(Math.abs(detCos(x) - Math.cos(x)) < 1e-15, `cos ${x}`);
    const y = Math.exp(i * 0.05);
    assert.ok(ulps(detLog(y), Math.log(y)) < 8 || Math.abs(detLog(y) - Math.log(y)) < 1e-15, `log ${y}`);
  }
  assert.ok(ulps(detPow(0.1, 0.5), Math.sqrt(0.1)) < 8);
  assert.equal(detCos(0), 1);
  assert.throws(() => detLog(0), RangeError);
  assert.throws(() => detCos(7), RangeError);
});

test('schedules: exact values at the anchors and closed forms in between', () => {
  assert.equal(densityAt({ kind: 'constant', density: 0.02 }, 123), 0.02);
  const lin = { kind: 'linear', from: 0.01, to: 0.1, steps: 100 } as const; // 99% → 90% sparsity
  assert.equal(densityAt(lin, 0), 0.01);
  assert.equal(densityAt(lin, 100), 0.1);
  assert.equal(densityAt(lin, 1000), 0.1);
  assert.equal(densityAt(lin, 50), 0.01 + (0.1 - 0.01) * 0.5);
  const cos = { kind: 'cosine', from: 0.5, to: 0.1, steps: 10 } as const;
  assert.equal(densityAt(cos, 0), 0.5);
  assert.ok(Math.abs(densityAt(cos, 5) - 0.3) < 1e-15);
  assert.ok(Math.abs(densityAt(cos, 10) - 0.1) < 1e-15);
  const exp = { kind: 'exponential', from: 0.25, to: 0.001, steps: 4 } as const;
  assert.ok(Math.abs(densityAt(exp, 2) - Math.sqrt(0.25 * 0.001)) < 1e-15);
  const st = { kind: 'step', from: 0.1, factor: 0.5, every: 10, min: 0.02 } as const;
  assert.deepEqual([0, 9, 10, 19, 20, 30, 99].map((t) => densityAt(st, t)), [0.1, 0.1, 0.05, 0.05, 0.025, 0.02, 0.02]);
  const dgc = { kind: 'dgc', stepsPerEpoch: 3 } as const;
  assert.deepEqual([0, 2, 3, 6, 9, 12, 1000].map((t) => densityAt(dgc, t)), [0.25, 0.25, 0.0625, 0.015625, 0.004, 0.001, 0.001]);
  assert.deepEqual([...DGC_STAGES], [0.25, 0.0625, 0.015625, 0.004, 0.001]);
});

test('adaptive rules: gradient norm and frequency', () => {
  const g1 = new Float32Array([3, 4]); // norm 5
  const a = { kind: 'grad-norm', beta: 0.5, min: 0.001, max: 0.5 } as const;
  const first = adaptDensity(a, 0.01, g1, undefined);
  assert.deepEqual(first, { density: 0.01, next: 5 });
  const g2 = new Float32Array([6, 8]); // norm 10: twice the average → twice as dense
  const second = adaptDensity(a, 0.01, g2, first.next);
  assert.ok(Math.abs(second.density - 0.02) < 1e-17);
  assert.equal(second.next, 7.5);
  assert.equal(adaptDensity(a, 0.4, new Float32Array([600, 800]), 5).density, 0.5, 'clamped to max');
  assert.equal(l2Norm(new Float32Array([3, 4])), 5);
  const f = { kind: 'frequency', beta: 0.5, min: 0.0001, max: 1 } as const;
  const sparse = new Float32Array(100);
  sparse[3] = 1;
  sparse[50] = 2;
  assert.deepEqual(adaptDensity(f, 0.5, sparse, undefined), { density: 0.5 * 0.02, next: 0.02 });
});

test('roles and the sensitivity helper', async () => {
  assert.equal(inferRole('encoder.embed_tokens.weight', 1e6), 'embedding');
  assert.equal(inferRole('embedder_proj.weight', 1e6), 'default'); // "embedder" is another word
  assert.equal(inferRole('model.embed.weight', 1e6), 'embedding');
  assert.equal(inferRole('layer1.ln.weight', 512), 'norm');
  assert.equal(inferRole('fc1.bias', 1e5), 'bias');
  assert.equal(inferRole('fc1.weight', 100), 'small');
  assert.equal(roleDensity('wte', 1e6, 0.01, {}), 0.001);
  assert.equal(roleDensity('fc1.bias', 1e6, 0.01, {}), 1);
  const losses: Record<string, Record<number, number>> = { a: { 0.001: 2.0, 0.01: 1.005, 0.1: 1.0 }, b: { 0.001: 1.001, 0.01: 1, 0.1: 1 } };
  const r = await proposeDensities({
    layers: ['a', 'b'], candidates: [0.1, 0.01, 0.001], baselineLoss: 1, tolerance: 0.01,
    evaluate: (l, d) => losses[l]![d]!,
  });
  assert.equal(r.layers.a!.proposed, 0.01);
  assert.equal(r.layers.b!.proposed, 0.001);
  assert.equal(r.layers.a!.probes.length, 2);
});

test('compressor: warm-up is dense, then the schedule sets k; roles and adaptive apply; state round-trips', async () => {
  const c = await createCompressor({ method: 'topk', warmupSteps: 2, schedule: { kind: 'dgc', stepsPerEpoch: 1 }, roles: true });
  const g = (s: number) => ({ 'fc.weight': new Float32Array(10000).map((_, i) => Math.sin(i * 0.1 + s)), 'fc.bias': new Float32Array(100).fill(s + 1) });
  const counts: number[][] = [];
  for (let s = 0; s < 6; s++) counts.push(c.step(g(s)).tensors.map((t) => t.indices.length));
  assert.deepEqual(counts.map((x) => x[0]), [10000, 10000, kFromDensity(0.015625, 10000), kFromDensity(0.004, 10000), kFromDensity(0.001, 10000), kFromDensity(0.001, 10000)]);
  assert.deepEqual(counts.map((x) => x[1]), [100, 100, 100, 100, 100, 100], 'bias stays dense');
  assert.deepEqual(c.getResidual('fc.bias'), new Float32Array(100), 'dense steps leave no residual');

  const opts = { method: 'topk', density: 0.01, adaptive: { kind: 'grad-norm', min: 0.001, max: 0.5 } } as const;
  const a = await createCompressor(opts);
  a.step({ w: new Float32Array(1000).fill(1) });
  const saved = a.saveState();
  const b = await createCompressor(opts);
  b.restoreState(saved);
  const big = new Float32Array(1000).fill(4); // norm jumps 4× → density 0.04
  assert.equal(a.step({ w: big }).tensors[0]!.indices.length, 40);
  assert.equal(b.step({ w: big }).tensors[0]!.indices.length, 40, 'restored planner statistics');
  await assert.rejects(createCompressor({ method: 'topk', schedule: { kind: 'linear', from: 0, to: 1, steps: 3 } }), ConfigError);
  await assert.rejects(createCompressor({ method: 'topk', density: 0.1, warmupSteps: -1 }), ConfigError);
});
