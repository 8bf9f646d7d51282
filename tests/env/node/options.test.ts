/**
 * The worker pool with every option of the in-thread compressor — DGC momentum correction (with
 * and without masking), clipping, residual decay, lossy value codes, a byte budget, structured
 * methods (with caller importance), learned masks (with caller scores), and the planner — against
 * the in-thread compressor: the same results, frames, residuals, momenta, masks and state bytes,
 * on one worker, on two, and with tensors split across workers; and the same after a worker dies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, type CompressorOptions } from '../../../ts-api/index.ts';
import { createWorkerPool, WorkerError } from '../../../workers/index.ts';
import type { WorkerCompressor } from '../../../workers/index.ts';
import type { Compressor } from '../../../ts-api/index.ts';
import { assertSameResult, assertSameState, stepInput, withPair } from './helpers.ts';

const T = { timeout: 120_000 };

const elementwise = (extra: Partial<CompressorOptions>): CompressorOptions => ({
  seed: 5, globalDensity: 0.02, ...extra, method: 'topk', density: 0.05,
  tensors: {
    thr: { method: 'threshold', threshold: 1.5 },
    pct: { method: 'threshold', density: 0.04 },
    rnd: { method: 'randomk', density: 0.03, rescale: true },
    'g.*': { method: 'global-topk' },
    'h.*': { method: 'hybrid', density: 0.01 },
    ...extra.tensors,
  },
});
const sizes = { top: 9000, thr: 3000, pct: 8000, rnd: 4000, 'g.a': 7000, 'g.b': 2500, 'h.a': 6000, 'h.b': 2000 };

const CASES: Array<[string, CompressorOptions, Record<string, number>]> = [
  ['DGC: momentum, masking, clipping by the total norm, residual decay', elementwise({ momentum: 0.9, clipNorm: 40, workers: 4, residualDecay: 0.97 }), sizes],
  ['momentum without masking', elementwise({ momentum: 0.5, momentumMasking: false }), sizes],
  ['lossy value codes in the options', elementwise({
    values: 'f16',
    tensors: { thr: { method: 'threshold', threshold: 1.5, values: 'int8' }, rnd: { method: 'randomk', density: 0.03, values: 'ternary' }, 'g.b': { values: 'bf16' } },
  }), sizes],
  ['a byte budget with momentum and int8', elementwise({ budgetBytes: 1500, momentum: 0.8, values: 'int8', tensors: { rnd: { method: 'topk', density: 0.03 } } }), sizes],
  ['structured methods, learned masks and the planner', {
    method: 'topk', density: 0.02, seed: 9, warmupSteps: 2, schedule: { kind: 'linear', from: 0.2, to: 0.05, steps: 4 },
    tensors: {
      blk: { method: 'block', block: [4, 8], score: 'l1', density: 0.1, shape: [64, 96] },
      ch: { method: 'channel', density: 0.25, shape: [16, 3, 5, 5] },
      att: { method: 'head', heads: 4, score: 'importance', k: 2, shape: [32, 64] },
      rows: { method: 'row', k: 5, shape: [40, 50] },
      cols: { method: 'column', k: 7, score: 'max', shape: [40, 50] },
      nm: { method: 'nm', nm: [2, 4], shape: [24, 64] },
      msk: { method: 'mask', density: 0.05, maskEvery: 2, maskBeta: 0.8 },
      msk2: { method: 'mask', k: 40, maskEvery: 3 },
    },
  }, { blk: 6144, ch: 1200, att: 2048, rows: 2000, cols: 2000, nm: 1536, msk: 3000, msk2: 1500, top: 5000 }],
];

/** Steps both compressors, comparing results, frames and state; the caller state is set on both. */
async function runBoth(p: WorkerCompressor, ref: Compressor, sz: Record<string, number>, steps: number, seed: number): Promise<void> {
  if ('att' in sz) {
    for (const c of [p, ref]) c.setImportance('att', new Float32Array([0.5, 3, -1, 2]));
  }
  for (let s = 0; s < steps; s++) {
    if ('msk2' in sz && s === 3) {
      const scores = stepInput({ msk2: sz.msk2! }, 99, seed).msk2!;
      for (const c of [p, ref]) c.setMaskScores('msk2', scores);
    }
    const input = stepInput(sz, s, seed);
    const [a, b] = [await p.step(input), ref.step(input)];
    assertSameResult(a, b, `step ${s}`);
    assert.deepEqual(p.encode(a), ref.encode(b), `step ${s}: frame bytes`);
  }
}

/** Steps `from` .. `to - 1` on both, comparing each result, then the state at the end. */
async function continueBoth(
  p: WorkerCompressor, ref: Compressor, sz: Record<string, number>, from: number, to: number, seed: number, after: string,
): Promise<void> {
  for (let s = from; s < to; s++) {
    const input = stepInput(sz, s, seed);
    assertSameResult(await p.step(input), ref.step(input), `step ${s} after ${after}`);
  }
  await assertSameState(p, ref, 'end');
}

/** Momenta and masks equal too (state bytes are compared by assertSameState). */
async function assertSameExtras(p: WorkerCompressor, ref: Compressor, o: CompressorOptions): Promise<void> {
  for (const name of ref.tensorNames()) {
    if (o.momentum !== undefined) assert.deepEqual(await p.getMomentum(name), ref.getMomentum(name), `momentum of '${name}'`);
    assert.deepEqual(await p.getMask(name), ref.getMask(name), `mask of '${name}'`);
  }
}

describe('worker pool with every in-thread option', () => {
  for (const [label, options, sz] of CASES) {
    for (const [layout, pool] of [['1 worker', { size: 1 }], ['3 workers, large tensors split', { size: 3, splitAbove: 4000 }]] as const) {
      it(`${label} (${layout})`, T, async () => {
        await withPair(options, pool, async (p, ref) => {
          await runBoth(p, ref, sz, 6, 3);
          await assertSameState(p, ref, 'after 6 steps');
          await assertSameExtras(p, ref, options);
        });
      });
    }
  }

  it('state moves between the in-thread compressor and a pool (momentum, masks, scores)', T, async () => {
    const [, options, sz] = CASES[4]!;
    const o = { ...options, momentum: 0.7 };
    await withPair(o, { size: 2 }, async (p, ref) => {
      await runBoth(p, ref, sz, 4, 8);
      const other = await createWorkerPool({ options: o, size: 3, splitAbove: 2000 });
      try {
        await other.restoreState(ref.saveState());
        other.setImportance('att', new Float32Array([0.5, 3, -1, 2]));
        await assertSameState(other, ref, 'restored from in-thread bytes');
        await assertSameExtras(other, ref, o);
        await continueBoth(other, ref, sz, 4, 7, 8, 'restore');
      } finally {
        await other.close();
      }
    });
  });

  it('a budget that cannot be met fails as in-thread and changes nothing', T, async () => {
    const o = elementwise({ budgetBytes: 20, momentum: 0.9, tensors: { rnd: { method: 'topk', density: 0.03 } } });
    await withPair(o, { size: 2, splitAbove: 4000 }, async (p, ref) => {
      const input = stepInput(sizes, 2, 4);
      assert.throws(() => ref.step(input), ConfigError);
      await assert.rejects(p.step(input), (e: unknown) => e instanceof ConfigError && /budgetBytes = 20/.test(e.message));
      await assertSameState(p, ref, 'after the refused step');
    });
  });

  it('a missing importance score fails as in-thread', T, async () => {
    const o: CompressorOptions = { method: 'head', heads: 2, score: 'importance', k: 1, shape: [4, 8] };
    await withPair(o, { size: 2 }, async (p, ref) => {
      const input = { w: stepInput({ w: 32 }, 0, 1).w! };
      assert.throws(() => ref.step(input), /setImportance/);
      await assert.rejects(p.step(input), (e: unknown) => e instanceof ConfigError && /setImportance/.test(e.message));
      assert.deepEqual(p.tensorNames(), ref.tensorNames());
    });
  });

  for (const [snapshots, mode] of [[true, 'memory'], ['shared', 'shared'], ['copy', 'copy']] as const) {
    it(`a worker that dies in phase two loses no momentum, mask or residual (snapshots: ${snapshots})`, T, async () => {
      const [, options, sz] = CASES[4]!;
      const o = { ...options, momentum: 0.9, residualDecay: 0.9 };
      await withPair(o, { size: 2, snapshots }, async (p, ref) => {
        assert.equal(p.snapshotMode, mode);
        await runBoth(p, ref, sz, 3, 6);
        await p.testing.fault(p.testing.workersOf('msk')[0]!, { phase: 'finish', action: 'exit' });
        await assert.rejects(p.step(stepInput(sz, 3, 6)), WorkerError);
        await assertSameState(p, ref, 'after the failed step');
        await assertSameExtras(p, ref, o);
        await continueBoth(p, ref, sz, 3, 6, 6, 'recovery');
      });
    });
  }
});
