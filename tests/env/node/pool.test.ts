/**
 * The worker pool on Node worker_threads against the in-thread compressor: every method, joint
 * groups on one worker and across workers, split tensors, bad input, residual and state calls,
 * stage/transfer input, backpressure and close. Needs dist/worker.mjs (`npm run build`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonFiniteError, ShapeError, ConfigError, createCompressor } from '../../../ts-api/index.ts';
import { createWorkerPool, WorkerError } from '../../../workers/index.ts';
import { allMethods, allSizes, assertSameResult, assertSameState, stepInput, tensor, withPair } from './helpers.ts';

const T = { timeout: 60_000 };

describe('worker pool = in-thread compressor', () => {
  for (const [label, pool] of [
    ['1 worker (joint groups as one kernel call)', { size: 1 }],
    ['2 workers, nothing split', { size: 2 }],
    ['3 workers, large tensors split', { size: 3, splitAbove: 4000 }],
  ] as const) {
    it(`every method, 5 steps: ${label}`, T, async () => {
      await withPair(allMethods, pool, async (p, ref) => {
        for (let s = 0; s < 5; s++) {
          const input = stepInput(allSizes, s, 1);
          assertSameResult(await p.step(input), ref.step(input), `step ${s}`);
        }
        await assertSameState(p, ref, 'after 5 steps');
      });
    });
  }

  it('error feedback off, explicit step numbers, tensors that come and go', T, async () => {
    const options = { ...allMethods, errorFeedback: false };
    await withPair(options, { size: 2, splitAbove: 5000 }, async (p, ref) => {
      for (const [s, names] of [[7, ['top', 'pct', 'g.a']], [3, ['rnd', 'top']], [9, ['g.a', 'g.b', 'h.a', 'thr']]] as const) {
        const sizes = Object.fromEntries(names.map((n) => [n, allSizes[n]!]));
        const input = stepInput(sizes, s, 2);
        assertSameResult(await p.step(input, { step: s }), ref.step(input, { step: s }), `step ${s}`);
      }
      await assertSameState(p, ref, 'end');
    });
  });

  it('planner options (warm-up, dense sync) are planned on the coordinator', T, async () => {
    const options = { ...allMethods, warmupSteps: 1, denseSyncEvery: 3 };
    await withPair(options, { size: 2, splitAbove: 4000 }, async (p, ref) => {
      for (let s = 0; s < 4; s++) {
        const input = stepInput(allSizes, s, 3);
        assertSameResult(await p.step(input), ref.step(input), `step ${s}`);
      }
      await assertSameState(p, ref, 'end');
    });
  });

  it('a non-finite gradient: same typed error, no state change, new tensors dropped', T, async () => {
    await withPair(allMethods, { size: 2, splitAbove: 4000 }, async (p, ref) => {
      const first = stepInput(allSizes, 0, 4);
      assertSameResult(await p.step(first), ref.step(first), 'step 0');
      const bad = stepInput({ ...allSizes, fresh: 100 }, 1, 4);
      bad['pct']![8000] = NaN; // second chunk of a split tensor
      bad['top']![10] = Infinity;
      const want = (() => {
        try {
          ref.step(bad);
        } catch (e) {
          return e as NonFiniteError;
        }
        throw new Error('in-thread step did not fail');
      })();
      await assert.rejects(p.step(bad), (e: unknown) => {
        assert.ok(e instanceof NonFiniteError);
        assert.equal(e.message, want.message);
        assert.equal(e.tensor, want.tensor);
        assert.equal(e.index, want.index);
        return true;
      });
      await assertSameState(p, ref, 'after the failed step');
      const next = stepInput(allSizes, 2, 4);
      assertSameResult(await p.step(next), ref.step(next), 'step after the failure');
    });
  });

  it('validation errors match the in-thread ones', T, async () => {
    await withPair({ method: 'topk', k: 5 }, { size: 2 }, async (p, ref) => {
      await p.step({ a: tensor(10, 1) });
      ref.step({ a: tensor(10, 1) });
      const cases: Array<[string, () => unknown]> = [
        ['wrong length', () => ({ a: tensor(11, 2) })],
        ['k out of range', () => ({ b: tensor(3, 2) })],
        ['not a Float32Array', () => ({ a: new Float64Array(10) })],
      ];
      for (const [what, make] of cases) {
        const input = make() as Record<string, Float32Array>;
        let want: Error | undefined;
        try {
          ref.step(input);
        } catch (e) {
          want = e as Error;
        }
        assert.ok(want, what);
        await assert.rejects(p.step(input), (e: unknown) => {
          assert.equal((e as Error).constructor, want!.constructor, what);
          assert.equal((e as Error).message, want!.message, what);
          return true;
        });
      }
      await assert.rejects(p.step([['a', tensor(10, 3)], ['a', tensor(10, 3)]]), ShapeError);
      await assert.rejects(p.step({ a: tensor(10, 3) }, { step: -1 }), ConfigError);
      await assertSameState(p, ref, 'end');
    });
  });

  it('residual and state calls; state moves between pool and in-thread compressor', T, async () => {
    await withPair(allMethods, { size: 2, splitAbove: 4000 }, async (p, ref) => {
      for (let s = 0; s < 2; s++) {
        const input = stepInput(allSizes, s, 5);
        assertSameResult(await p.step(input), ref.step(input), `step ${s}`);
      }
      const r = tensor(allSizes['pct']!, 99);
      await p.setResidual('pct', r);
      ref.setResidual('pct', r);
      await p.setResidual('brand-new', tensor(50, 3));
      ref.setResidual('brand-new', tensor(50, 3));
      await p.resetResidual('top');
      ref.resetResidual('top');
      await assertSameState(p, ref, 'after set/reset');
      await assert.rejects(p.getResidual('nope'), ShapeError);
      await assert.rejects(p.setResidual('top', new Float32Array([NaN])), NonFiniteError);
      const saved = ref.saveState();
      const fresh = await createWorkerPool({ options: allMethods, size: 3, splitAbove: 2000 });
      try {
        await fresh.restoreState(saved);
        const input = stepInput(allSizes, 2, 5);
        assertSameResult(await fresh.step(input), ref.step(input), 'step after restore');
        const back = await createCompressor(allMethods);
        back.restoreState(await fresh.saveState());
        assert.deepEqual(back.saveState(), ref.saveState());
        await fresh.resetResidual();
        ref.resetResidual();
        await assertSameState(fresh, ref, 'after resetResidual()');
      } finally {
        await fresh.close();
      }
    });
  });
});

describe('worker pool input and flow', () => {
  it('stage() gives shared memory; transfer: true detaches the caller buffers; copies otherwise', T, async () => {
    await withPair({ method: 'topk', density: 0.01 }, { size: 2, splitAbove: 1 << 14 }, async (p, ref) => {
      const n = 1 << 16;
      const staged = p.stage('big', n);
      assert.ok(staged.buffer instanceof SharedArrayBuffer);
      staged.set(tensor(n, 1));
      assertSameResult(await p.step({ big: staged }), ref.step({ big: tensor(n, 1) }), 'staged');
      const g = tensor(n, 2);
      const keep = g.slice();
      assertSameResult(await p.step({ big: g }), ref.step({ big: keep }), 'copied');
      assert.equal(g.length, n, 'a copied input stays usable');
      assertSameResult(await p.step({ big: g }, { transfer: true }), ref.step({ big: keep }), 'transferred');
      assert.equal(g.length, 0, 'a transferred input is detached');
      await assertSameState(p, ref, 'end');
    });
  });

  it('backpressure: at most maxQueue operations queued; the rest wait, in order', T, async () => {
    const p = await createWorkerPool({ options: { method: 'topk', density: 0.01 }, size: 2, maxQueue: 2 });
    const ref = await createCompressor({ method: 'topk', density: 0.01 });
    try {
      const inputs = Array.from({ length: 6 }, (_, s) => ({ a: tensor(50_000, s), b: tensor(30_000, s + 50) }));
      const results = inputs.map((x) => p.step(x));
      assert.equal(p.pending.queued, 2);
      assert.equal(p.pending.waiting, 4);
      const got = await Promise.all(results);
      got.forEach((r, s) => assertSameResult(r, ref.step(inputs[s]!), `step ${s}`));
      assert.deepEqual(p.pending, { queued: 0, waiting: 0 });
    } finally {
      await p.close();
    }
  });

  it('close() terminates the workers and rejects later and waiting calls', T, async () => {
    const p = await createWorkerPool({ options: { method: 'topk', k: 1 }, size: 2, maxQueue: 1 });
    const a = p.step({ a: tensor(1000, 1) }).catch(() => 'settled');
    const waiting = assert.rejects(p.step({ a: tensor(1000, 2) }), (e: unknown) => e instanceof WorkerError && e.code === 'E_CLOSED');
    await p.close();
    await waiting;
    await a;
    await assert.rejects(p.step({ a: tensor(1000, 3) }), (e: unknown) => e instanceof WorkerError && e.code === 'E_CLOSED');
    await p.close();
  });

  it('bad pool and compressor options are refused clearly', T, async () => {
    await assert.rejects(createWorkerPool({ options: { method: 'topk', density: 0.1, momentum: 1.5 } }), (e: unknown) => e instanceof ConfigError && /momentum/.test(e.message));
    await assert.rejects(createWorkerPool({ options: { method: 'topk', density: 0.1, values: 'int9' as 'int8' } }), (e: unknown) => e instanceof ConfigError && /value code/.test(e.message));
    await assert.rejects(createWorkerPool({ options: { method: 'topk', density: 0.1 }, size: 0 }), ConfigError);
  });
});
