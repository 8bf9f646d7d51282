/**
 * Zero-copy input on a pool: where a worker's core runs on a shared memory, `stage()` of a whole
 * tensor returns a view of that worker's input buffer (the in-thread compressor's contract: stage
 * before every step). Results equal the in-thread compressor's; a view reused after a step is
 * refused as stale; staging while a step is queued, and split tensors, fall back to a shared array;
 * after a failed step the pool recovers and re-staged input works again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, type CompressorOptions } from '../../../ts-api/index.ts';
import { WorkerError } from '../../../workers/index.ts';
import type { WorkerCompressor } from '../../../workers/index.ts';
import { assertSameResult, assertSameState, stepInput, withPair } from './helpers.ts';

const T = { timeout: 60_000 };
const OPTIONS: CompressorOptions = {
  method: 'topk', density: 0.05, seed: 3, momentum: 0.5, tensors: { 'g.*': { method: 'global-topk', density: 0.02 } },
};
const SIZES = { a: 6000, b: 3000, 'g.a': 5000, 'g.b': 2000, big: 60_000 };

/** Stages every tensor, fills it with `input`, returns the staged arrays. */
function stageAll(p: WorkerCompressor, input: Record<string, Float32Array>): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(input).map(([name, g]) => {
    const a = p.stage(name, g.length);
    a.set(g);
    return [name, a];
  }));
}

describe('zero-copy staged input on a pool', () => {
  it('stage before every step: views of the workers\' memory, results equal in-thread', T, async () => {
    await withPair(OPTIONS, { size: 2, splitAbove: 50_000 }, async (p, ref) => {
      assert.equal(p.snapshotMode, 'memory');
      for (let s = 0; s < 5; s++) {
        const input = stepInput(SIZES, s, 2);
        const staged = stageAll(p, input);
        const inPlace = Object.keys(SIZES).filter((n) => p.testing.stagedInPlace(staged[n]!));
        // First step: nothing allocated yet; later: every whole tensor, never the split one.
        assert.deepEqual(inPlace, s === 0 ? [] : ['a', 'b', 'g.a', 'g.b'], `step ${s}: tensors staged in place`);
        assertSameResult(await p.step(staged), ref.step(input), `step ${s}`);
      }
      await assertSameState(p, ref, 'end');
    });
  });

  it('a staged view reused after a step is refused as stale, and nothing changes', T, async () => {
    await withPair(OPTIONS, { size: 2 }, async (p, ref) => {
      let input = stepInput(SIZES, 0, 4);
      assertSameResult(await p.step(stageAll(p, input)), ref.step(input), 'step 0');
      input = stepInput(SIZES, 1, 4);
      const staged = stageAll(p, input);
      assert.ok(p.testing.stagedInPlace(staged.a!));
      assertSameResult(await p.step(staged), ref.step(input), 'step 1');
      await assert.rejects(p.step({ a: staged.a! }), (e: unknown) => e instanceof ConfigError && /stale/.test(e.message));
      await assertSameState(p, ref, 'after the refused step');
    });
  });

  it('staging while a step is queued gives a shared array instead', T, async () => {
    await withPair(OPTIONS, { size: 2 }, async (p, ref) => {
      const i0 = stepInput(SIZES, 0, 6);
      await p.step(stageAll(p, i0));
      ref.step(i0);
      const i1 = stepInput(SIZES, 1, 6);
      const first = p.step(stageAll(p, i1));
      const i2 = stepInput(SIZES, 2, 6);
      const staged = stageAll(p, i2);
      assert.ok(!p.testing.stagedInPlace(staged.a!), 'a step is queued: no view of a buffer it will swap');
      const second = p.step(staged);
      assertSameResult(await first, ref.step(i1), 'step 1');
      assertSameResult(await second, ref.step(i2), 'step 2');
      await assertSameState(p, ref, 'end');
    });
  });

  it('after a worker dies mid-step, re-staged input gives the in-thread results', T, async () => {
    await withPair(OPTIONS, { size: 2 }, async (p, ref) => {
      for (let s = 0; s < 2; s++) {
        const input = stepInput(SIZES, s, 8);
        assertSameResult(await p.step(stageAll(p, input)), ref.step(input), `step ${s}`);
      }
      const input = stepInput(SIZES, 2, 8);
      const staged = stageAll(p, input);
      await p.testing.fault(p.testing.workersOf('a')[0]!, { phase: 'finish', action: 'exit' });
      await assert.rejects(p.step(staged), WorkerError);
      await assert.rejects(p.step(staged), (e: unknown) => e instanceof ConfigError && /stale/.test(e.message));
      await assertSameState(p, ref, 'after the failed step');
      for (let s = 2; s < 4; s++) {
        const again = stepInput(SIZES, s, 8);
        assertSameResult(await p.step(stageAll(p, again)), ref.step(again), `step ${s} after recovery`);
      }
      await assertSameState(p, ref, 'end');
    });
  });
});
