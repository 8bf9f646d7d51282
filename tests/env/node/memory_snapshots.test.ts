/**
 * Memory snapshots (workers/shared_core.ts): in Node the pool's default keeps each committed
 * residual as a view of the owning worker's shared Wasm memory. A dead worker is restored from its
 * own memory — after that memory grew, after a local commit the coordinator did not adopt, and after
 * the coordinator wrote residuals — and the results stay the in-thread compressor's. The two-slot
 * 'shared' mode stays available, and a worker whose core has no shared memory sends copies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCompressor } from '../../../ts-api/index.ts';
import { WorkerError, type FaultSpec, type WorkerCompressor } from '../../../workers/index.ts';
import type { Compressor, CompressorOptions } from '../../../ts-api/index.ts';
import { snapshotMode } from '../../../workers/shared_core.ts';
import { allMethods, allSizes, assertSameResult, assertSameState, stepInput, withPair } from './helpers.ts';

const T = { timeout: 90_000 };

async function same(p: WorkerCompressor, ref: Compressor, input: Record<string, Float32Array>, what: string): Promise<void> {
  assertSameResult(await p.step(input), ref.step(input), what);
}

/** A step that fails because worker `w` was armed with `spec`; then the state must equal the reference. */
async function failOn(p: WorkerCompressor, ref: Compressor, w: number, spec: FaultSpec, input: Record<string, Float32Array>): Promise<void> {
  await p.testing.fault(w, spec);
  await assert.rejects(p.step(input), (e: unknown) => e instanceof WorkerError && /The step was not applied/.test(e.message));
  assert.ok(p.testing.alive().every(Boolean), 'the failed worker was replaced');
  await assertSameState(p, ref, `after worker ${w} failed in ${spec.phase}`);
}

describe('memory snapshots', () => {
  it('are the default in Node; snapshotMode picks them only where shared memory is usable', () => {
    assert.equal(snapshotMode(undefined, true, true), 'memory');
    assert.equal(snapshotMode(true, true, true), 'memory');
    assert.equal(snapshotMode(true, true, false), 'copy');
    assert.equal(snapshotMode('shared', true, true), 'shared');
    assert.equal(snapshotMode('shared', true, false), 'copy');
    assert.equal(snapshotMode('copy', true, true), 'copy');
    assert.equal(snapshotMode(false, true, true), 'none');
    assert.equal(snapshotMode(true, false, true), 'none');
    assert.throws(() => snapshotMode('yes' as unknown as boolean, true, true), /snapshots must be/);
  });

  it('restore a dead worker from its own memory after it grew, and after a local commit that was not adopted', T, async () => {
    await withPair(allMethods, { size: 2, splitAbove: 4000 }, async (p, ref) => {
      assert.equal(p.snapshotMode, 'memory');
      for (let s = 0; s < 2; s++) await same(p, ref, stepInput(allSizes, s, 21), `step ${s}`);
      // New tensors make every worker's memory grow; 'thr' sits out, so its view is of the old buffer.
      const { thr: _thr, ...rest } = allSizes;
      const grown = { ...rest, big: 3 << 20, wide: 1 << 20 };
      for (let s = 2; s < 4; s++) await same(p, ref, stepInput(grown, s, 21), `step ${s} (grown)`);
      await failOn(p, ref, 1, { phase: 'finish', action: 'exit' }, stepInput(grown, 4, 21));
      await failOn(p, ref, 0, { phase: 'prepare', action: 'throw' }, stepInput(grown, 4, 21));
      for (let s = 4; s < 6; s++) await same(p, ref, stepInput(grown, s, 21), `step ${s} after recovery`);
      await assertSameState(p, ref, 'end');
    });
  });

  it('residuals written by the coordinator survive a worker that dies before the next step', T, async () => {
    await withPair(allMethods, { size: 2, splitAbove: 4000 }, async (p, ref) => {
      for (let s = 0; s < 2; s++) await same(p, ref, stepInput(allSizes, s, 22), `step ${s}`);
      const values = stepInput({ top: allSizes['top']! }, 9, 22)['top']!;
      await p.setResidual('top', values);
      ref.setResidual('top', values);
      await p.testing.terminate(p.testing.workersOf('top')[0]!);
      await new Promise((r) => setTimeout(r, 50));
      await assertSameState(p, ref, 'after setResidual and a dead worker');
      await p.resetResidual('pct');
      ref.resetResidual('pct');
      await p.testing.terminate(p.testing.workersOf('pct')[0]!);
      await new Promise((r) => setTimeout(r, 50));
      await assertSameState(p, ref, 'after resetResidual and a dead worker');
      await same(p, ref, stepInput(allSizes, 2, 22), 'step 2');
      const other = await createCompressor(allMethods);
      other.step(stepInput(allSizes, 7, 23));
      const saved = other.saveState();
      await p.restoreState(saved);
      ref.restoreState(saved);
      await failOn(p, ref, 0, { phase: 'prepare', action: 'exit' }, stepInput(allSizes, 3, 22));
      await same(p, ref, stepInput(allSizes, 3, 22), 'step 3 after restoreState and a dead worker');
      await assertSameState(p, ref, 'end');
    });
  });

  for (const [what, options, snapshots] of [
    ['two-slot shared snapshots (snapshots: \'shared\')', allMethods, 'shared'],
    ['a worker core without shared memory (scalar build) sends copies', { ...allMethods, simd: false }, true],
  ] as Array<[string, CompressorOptions, true | 'shared']>) {
    it(what, T, async () => {
      await withPair(options, { size: 2, splitAbove: 4000, snapshots }, async (p, ref) => {
        assert.equal(p.snapshotMode, snapshots === 'shared' ? 'shared' : 'memory');
        for (let s = 0; s < 2; s++) await same(p, ref, stepInput(allSizes, s, 24), `step ${s}`);
        await failOn(p, ref, 1, { phase: 'finish', action: 'exit' }, stepInput(allSizes, 2, 24));
        for (let s = 2; s < 4; s++) await same(p, ref, stepInput(allSizes, s, 24), `step ${s} after recovery`);
        await assertSameState(p, ref, 'end');
      });
    });
  }
});
