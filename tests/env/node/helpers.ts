/**
 * Shared helpers of the worker-pool tests: seeded tensors, exact comparison of step results and
 * residuals against the in-thread compressor, and a pool that always closes.
 */
import assert from 'node:assert/strict';
import { createCompressor, type Compressor, type CompressorOptions } from '../../../ts-api/index.ts';
import type { StepResult } from '../../../ts-api/types.ts';
import { createWorkerPool, type WorkerCompressor, type WorkerPoolOptions } from '../../../workers/index.ts';

/** Seeded tensor: uniform in [-2, 2), every `tieEvery`-th element rounded (ties across chunks). */
export function tensor(n: number, seed: number, tieEvery = 7): Float32Array {
  const a = new Float32Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const u = (x >>> 8) / 2 ** 24;
    a[i] = i % tieEvery === 0 ? Math.round(u * 4 - 2) : u * 4 - 2;
  }
  return a;
}

/** Named tensors of one step from sizes. */
export function stepInput(sizes: Record<string, number>, step: number, seed: number): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  let j = 0;
  for (const [name, n] of Object.entries(sizes)) out[name] = tensor(n, seed * 7919 + step * 131 + j++);
  return out;
}

/** Asserts two step results are identical to the bit (indices, values, codes). */
export function assertSameResult(got: StepResult, want: StepResult, what: string): void {
  assert.equal(got.step, want.step, `${what}: step`);
  assert.equal(got.tensors.length, want.tensors.length, `${what}: tensor count`);
  want.tensors.forEach((w, j) => {
    const g = got.tensors[j]!;
    const at = `${what}, tensor '${w.name}'`;
    assert.equal(g.name, w.name, `${at}: name`);
    assert.equal(g.length, w.length, `${at}: length`);
    assert.equal(g.method, w.method, `${at}: method`);
    assert.equal(g.valueCode, w.valueCode, `${at}: value code`);
    assert.equal(g.indexCode, w.indexCode, `${at}: index code`);
    assert.deepEqual(g.indices, w.indices, `${at}: indices`);
    assert.deepEqual(new Uint32Array(g.values.buffer, g.values.byteOffset, g.values.length),
      new Uint32Array(w.values.buffer, w.values.byteOffset, w.values.length), `${at}: value bits`);
  });
}

/** Asserts every residual and the saved state bytes are identical. */
export async function assertSameState(pool: WorkerCompressor, ref: Compressor, what: string): Promise<void> {
  assert.deepEqual(pool.tensorNames(), ref.tensorNames(), `${what}: tensor names`);
  assert.equal(pool.stepCount, ref.stepCount, `${what}: step counter`);
  if ((ref.options.errorFeedback ?? true)) {
    for (const name of ref.tensorNames()) {
      const a = await pool.getResidual(name);
      const b = ref.getResidual(name);
      assert.deepEqual(new Uint32Array(a.buffer, a.byteOffset, a.length), new Uint32Array(b.buffer, b.byteOffset, b.length),
        `${what}: residual of '${name}'`);
    }
  }
  assert.deepEqual(await pool.saveState(), ref.saveState(), `${what}: saved state bytes`);
}

/** Runs `body` with a pool and an in-thread compressor of the same options; always closes the pool. */
export async function withPair(
  options: CompressorOptions, pool: Omit<WorkerPoolOptions, 'options'>,
  body: (pool: WorkerCompressor, ref: Compressor) => Promise<void>,
): Promise<void> {
  const ref = await createCompressor(options);
  const p = await createWorkerPool({ ...pool, options });
  try {
    await body(p, ref);
  } finally {
    await p.close();
  }
}

/** Options with every method: per-tensor methods, a global-topk group and a hybrid group. */
export const allMethods: CompressorOptions = {
  method: 'topk', density: 0.05, seed: 11, globalDensity: 0.02,
  tensors: {
    thr: { method: 'threshold', threshold: 1.5 },
    pct: { method: 'threshold', density: 0.02 },
    rnd: { method: 'randomk', density: 0.1, rescale: true },
    prob: { method: 'probabilistic', density: 0.05 },
    approx: { method: 'approx-topk', density: 0.03 },
    'g.*': { method: 'global-topk', density: 0.03 },
    'h.*': { method: 'hybrid', density: 0.01 },
  },
};

/** Tensor sizes for {@link allMethods}. */
export const allSizes: Record<string, number> = {
  top: 5000, thr: 3000, pct: 9000, rnd: 4000, prob: 3500, approx: 6000, 'g.a': 6000, 'g.b': 2500, 'h.a': 7000, 'h.b': 3000,
};
