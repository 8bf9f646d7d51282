/**
 * Bad input gets a typed error with a clear message and changes no state: NaN/±Inf, overflow of
 * gradient + residual, k and density out of range, wrong lengths, unknown tensors, too-large tensors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CapacityError, ConfigError, NonFiniteError, ShapeError, createCompressor, type Compressor,
} from '../../ts-api/index.ts';
import { bits } from './harness.ts';
import { makeTensor } from './generators.ts';

/** Snapshot of everything a failed step must leave untouched. */
function snapshot(c: Compressor): string {
  return JSON.stringify({
    step: c.stepCount,
    names: c.tensorNames(),
    residuals: c.tensorNames().map((n) => Array.from(bits(c.getResidual(n)))),
  });
}

async function primed(method: 'topk' | 'global-topk' | 'randomk' = 'topk', simd = true): Promise<Compressor> {
  const c = await createCompressor({ method, density: 0.1, simd });
  c.step({ a: makeTensor(1000, 'random', 1), b: makeTensor(40000, 'random', 2) });
  return c;
}

for (const simd of [true, false]) {
  for (const method of ['topk', 'global-topk', 'randomk'] as const) {
    test(`NaN / ±Inf in a gradient: NonFiniteError with the first index, no state change (${method}, simd=${simd})`, async () => {
      for (const [bad, detail] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, 'Infinity']] as const) {
        for (const at of [0, 5, 39999]) {
          const c = await primed(method, simd);
          const before = snapshot(c);
          const b = makeTensor(40000, 'random', 3);
          b[at] = bad;
          b[at + 1 < b.length ? at + 1 : 0] = NaN;
          const err = (() => {
            try {
              c.step({ a: makeTensor(1000, 'random', 4), b });
            } catch (e) {
              return e;
            }
            return undefined;
          })();
          assert.ok(err instanceof NonFiniteError, `expected NonFiniteError, got ${String(err)}`);
          assert.equal(err.tensor, 'b');
          assert.equal(err.index, at === 39999 ? 0 : at);
          assert.equal(err.code, 'E_NONFINITE');
          assert.match(err.message, new RegExp(`tensor 'b'.*${at === 39999 ? 'NaN' : detail}`));
          assert.equal(snapshot(c), before, 'state changed by a failed step');
        }
      }
    });
  }

  test(`gradient + residual overflowing float32 is refused without state change (simd=${simd})`, async () => {
    const c = await createCompressor({ method: 'topk', k: 1, simd });
    const g = new Float32Array([3e38, 1, -3e38, 0]);
    c.step({ w: g }); // keeps index 0; residual holds -3e38 at index 2
    const before = snapshot(c);
    assert.throws(() => c.step({ w: new Float32Array([0, 0, -3e38, 0]) }), (e: unknown) =>
      e instanceof NonFiniteError && e.index === 2 && /overflows float32/.test(e.message));
    assert.equal(snapshot(c), before);
  });
}

test('k, density, threshold and seed out of range: ConfigError', async () => {
  for (const bad of [
    { method: 'topk', density: 0 }, { method: 'topk', density: 1.5 }, { method: 'topk', density: NaN },
    { method: 'topk', k: -1 }, { method: 'topk', k: 1.5 }, { method: 'topk' }, { method: 'nope', k: 1 },
    { method: 'threshold', threshold: -1 }, { method: 'threshold', threshold: NaN }, { method: 'topk', k: 1, seed: -1 },
    { method: 'topk', k: 1, sedd: 1 }, { method: 'topk', k: 1, density: 0.1 },
  ]) {
    await assert.rejects(createCompressor(bad as never), ConfigError, JSON.stringify(bad));
  }
  const c = await createCompressor({ method: 'topk', k: 10 });
  const before = snapshot(c);
  assert.throws(() => c.step({ w: new Float32Array(5) }), (e: unknown) => e instanceof ConfigError && /exceeds/.test(String(e)));
  assert.equal(snapshot(c), before);
});

test('wrong lengths, unknown tensors, bad types: ShapeError, no state change', async () => {
  const c = await primed();
  const before = snapshot(c);
  assert.throws(() => c.step({ a: new Float32Array(999) }), ShapeError);
  assert.throws(() => c.step({ a: [1, 2, 3] as unknown as Float32Array }), ShapeError);
  assert.throws(() => c.step([['a', new Float32Array(1000)], ['a', new Float32Array(1000)]]), ShapeError);
  assert.throws(() => c.getResidual('zzz'), (e: unknown) => e instanceof ShapeError && /unknown tensor 'zzz'/.test(String(e)));
  assert.throws(() => c.resetResidual('zzz'), ShapeError);
  assert.throws(() => c.setResidual('a', new Float32Array(3)), ShapeError);
  assert.throws(() => c.setResidual('a', new Float32Array(1000).fill(NaN)), NonFiniteError);
  assert.equal(snapshot(c), before);
});

test('a tensor larger than Wasm memory can hold: CapacityError, no state change', async () => {
  const c = await primed();
  const before = snapshot(c);
  assert.throws(() => c.stage('huge', 2 ** 30), CapacityError);
  assert.throws(() => c.stage('huge2', 2 ** 32), (e: unknown) => e instanceof ShapeError || e instanceof CapacityError);
  assert.equal(snapshot(c), before);
  // The compressor still works afterwards.
  c.step({ a: makeTensor(1000, 'random', 9), b: makeTensor(40000, 'random', 10) });
});

test('a failed step registers no new tensor', async () => {
  const c = await primed();
  const before = snapshot(c);
  const bad = new Float32Array(10);
  bad[3] = NaN;
  assert.throws(() => c.step({ a: makeTensor(1000, 'random', 1), fresh: bad }), NonFiniteError);
  assert.equal(snapshot(c), before);
  assert.deepEqual(c.tensorNames(), ['a', 'b']);
});
