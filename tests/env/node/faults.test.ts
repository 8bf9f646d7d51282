/**
 * Faults in a Node worker pool: a worker that exits, throws or hangs in either phase of a step, or
 * is terminated from outside mid-step or while idle. The step fails with a WorkerError, the pool
 * replaces the worker from the committed snapshots (shared memory or copies), and the next steps
 * equal the in-thread compressor's — nothing lost, nothing counted twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkerError, type FaultSpec, type WorkerCompressor } from '../../../workers/index.ts';
import type { Compressor } from '../../../ts-api/index.ts';
import type { StepResult } from '../../../ts-api/types.ts';
import { allMethods, allSizes, assertSameResult, assertSameState, stepInput, withPair } from './helpers.ts';

const T = { timeout: 60_000 };

/** Two good steps, a failing one, then the same step again and one more, compared with the in-thread compressor. */
async function failAndRecover(
  p: WorkerCompressor, ref: Compressor, inject: () => Promise<void>, match: RegExp, seed: number,
): Promise<void> {
  for (let s = 0; s < 2; s++) {
    const input = stepInput(allSizes, s, seed);
    assertSameResult(await p.step(input), ref.step(input), `step ${s}`);
  }
  await inject();
  await assert.rejects(p.step(stepInput(allSizes, 2, seed)), (e: unknown) => {
    assert.ok(e instanceof WorkerError, String(e));
    assert.equal(e.code, 'E_WORKER');
    assert.match(e.message, match);
    assert.match(e.message, /The step was not applied/);
    return true;
  });
  assert.ok(p.testing.alive().every(Boolean), 'the failed worker was replaced');
  await assertSameState(p, ref, 'after the failed step');
  for (let s = 2; s < 4; s++) {
    const input = stepInput(allSizes, s, seed);
    assertSameResult(await p.step(input), ref.step(input), `step ${s} after recovery`);
  }
  await assertSameState(p, ref, 'end');
}

describe('worker faults', () => {
  const faults: Array<[string, FaultSpec, RegExp]> = [
    ['exits in phase one', { phase: 'prepare', action: 'exit' }, /exited with code 1/],
    ['exits in phase two, after committing locally', { phase: 'finish', action: 'exit' }, /exited with code 1/],
    ['throws in phase one', { phase: 'prepare', action: 'throw' }, /injected fault in prepare/],
    ['throws in phase two', { phase: 'finish', action: 'throw' }, /injected fault in finish/],
  ];
  for (const [what, spec, match] of faults) {
    for (const snapshots of [true, 'copy'] as const) {
      it(`a worker ${what} (snapshots: ${snapshots})`, T, async () => {
        await withPair(allMethods, { size: 2, splitAbove: 4000, snapshots }, async (p, ref) => {
          await failAndRecover(p, ref, () => p.testing.fault(1, spec), match, 7);
        });
      });
    }
  }

  it('nothing to merge: workers commit at once, and roll back when another fails or rejects the step', T, async () => {
    const options = { method: 'topk' as const, density: 0.02, tensors: { 'r.*': { method: 'randomk' as const, density: 0.05 } } };
    const sizes = { a: 20_000, b: 30_000, 'r.c': 25_000, d: 10_000 };
    for (const snapshots of [true, 'copy'] as const) {
      await withPair(options, { size: 2, snapshots }, async (p, ref) => {
        const input = stepInput(sizes, 0, 11);
        assertSameResult(await p.step(input), ref.step(input), 'step 0');
        assert.notDeepEqual(p.testing.workersOf('a'), p.testing.workersOf('b'), 'tensors on both workers');
        const bad = stepInput(sizes, 1, 11);
        bad['b']![5] = NaN;
        await assert.rejects(p.step(bad), /NaN at index 5/);
        await assertSameState(p, ref, 'after a rejected step');
        await p.testing.fault(p.testing.workersOf('b')[0]!, { phase: 'prepare', action: 'exit' });
        await assert.rejects(p.step(stepInput(sizes, 1, 11)), /exited with code 1/);
        await assertSameState(p, ref, 'after a worker died');
        for (let s = 1; s < 3; s++) {
          const next = stepInput(sizes, s, 11);
          assertSameResult(await p.step(next), ref.step(next), `step ${s}`);
        }
        await assertSameState(p, ref, 'end');
      });
    }
  });

  it('a worker hangs: the time limit ends it', T, async () => {
    await withPair(allMethods, { size: 2, splitAbove: 4000, timeoutMs: 2000 }, async (p, ref) => {
      await failAndRecover(p, ref, () => p.testing.fault(0, { phase: 'prepare', action: 'hang' }), /did not answer prepare within 2000 ms/, 8);
    });
  });

  it('worker.terminate() mid-step, and while idle', T, async () => {
    const options = { method: 'topk' as const, density: 0.01 };
    const sizes = { a: 1 << 21, b: 1 << 20, c: 1 << 20 };
    await withPair(options, { size: 2 }, async (p, ref) => {
      const first = stepInput(sizes, 0, 9);
      assertSameResult(await p.step(first), ref.step(first), 'step 0');
      const second = stepInput(sizes, 1, 9);
      const pending = p.step(second);
      await p.testing.terminate(p.testing.workersOf('a')[0]!);
      const outcome: StepResult | Error = await pending.then((r) => r, (e: unknown) => e as Error);
      if (outcome instanceof Error) {
        assert.ok(outcome instanceof WorkerError, String(outcome));
        assert.match(outcome.message, /exited with code 1|exited/);
      } else {
        assertSameResult(outcome, ref.step(second), 'step 1 (finished before the worker was terminated)');
      }
      await assertSameState(p, ref, 'after terminate');
      await p.testing.terminate(0); // idle: noticed and replaced before the next call
      await new Promise((r) => setTimeout(r, 50));
      const third = stepInput(sizes, 2, 9);
      assertSameResult(await p.step(third), ref.step(third), 'step after an idle worker died');
      await assertSameState(p, ref, 'end');
    });
  });

  it('snapshots off: the replaced worker restarts from zero residuals, and says so', T, async () => {
    await withPair({ method: 'topk', density: 0.1 }, { size: 2, snapshots: false }, async (p, ref) => {
      const input = stepInput({ a: 1000, b: 1000 }, 0, 10);
      assertSameResult(await p.step(input), ref.step(input), 'step 0');
      await p.testing.fault(p.testing.workersOf('a')[0]!, { phase: 'prepare', action: 'exit' });
      await assert.rejects(p.step(stepInput({ a: 1000, b: 1000 }, 1, 10)), /restart from zero residuals \(snapshots are off\)/);
      const r = await p.getResidual('a');
      assert.ok(r.every((v) => v === 0));
    });
  });
});
