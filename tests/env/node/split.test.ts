/**
 * One large tensor split across workers (one contiguous chunk per worker, exact merge of the chunk
 * candidates — workers/merge.ts) gives exactly what one worker, and the in-thread compressor, give:
 * top-k, percentile, threshold, global-topk and hybrid with a split member, on adversarial data
 * (every magnitude tied, mostly zeros, k above a chunk's length, k = 0).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompressorOptions } from '../../../ts-api/index.ts';
import { assertSameResult, assertSameState, tensor, withPair } from './helpers.ts';

const T = { timeout: 120_000 };

/** Data patterns that stress the tie rule and the merge. */
const patterns: Record<string, (n: number, s: number) => Float32Array> = {
  mixed: (n, s) => tensor(n, s, 3),
  'all tied': (n, s) => Float32Array.from({ length: n }, (_, i) => ((i * 7 + s) % 3 === 0 ? -1 : 1)),
  'mostly zero': (n, s) => Float32Array.from({ length: n }, (_, i) => (i % 997 === s % 997 ? (i % 2 ? 3 : -3) : 0)),
  'two levels': (n, s) => Float32Array.from({ length: n }, (_, i) => ((i ^ s) % 11 === 0 ? 2 : (i % 2 ? 0.5 : -0.5))),
};

const cases: Array<[string, CompressorOptions, Record<string, number>]> = [
  ['topk', { method: 'topk', density: 0.01 }, { big: 300_000 }],
  ['topk, k above a chunk', { method: 'topk', density: 0.8 }, { big: 100_000 }],
  ['topk, k = 0', { method: 'topk', k: 0 }, { big: 100_000 }],
  ['percentile (all ties kept)', { method: 'percentile', density: 0.02 }, { big: 200_000 }],
  ['threshold', { method: 'threshold', threshold: 0.75 }, { big: 200_000 }],
  ['global-topk with a split member', { method: 'global-topk', density: 0.01 }, { small: 5000, big: 250_000, other: 30_000 }],
  ['hybrid with a split member', { method: 'hybrid', density: 0.005, globalDensity: 0.01 }, { small: 5000, big: 250_000, other: 30_000 }],
];

describe('a tensor split across workers = one worker = in-thread', () => {
  for (const [what, options, sizes] of cases) {
    it(what, T, async () => {
      for (const [pname, make] of Object.entries(patterns)) {
        for (const size of [1, 2, 3]) {
          await withPair({ ...options, seed: 5 }, { size, splitAbove: 50_000 }, async (p, ref) => {
            for (let s = 0; s < 3; s++) {
              const input = Object.fromEntries(Object.entries(sizes).map(([name, n], j) => [name, make(n, s * 10 + j)]));
              assertSameResult(await p.step(input), ref.step(input), `${pname}, ${size} worker(s), step ${s}`);
            }
            assert.equal(p.testing.workersOf('big').length, size, 'the big tensor is split into one chunk per worker');
            await assertSameState(p, ref, `${pname}, ${size} worker(s)`);
          });
        }
      }
    });
  }

  it('top elements crowding one chunk: the chunk is extended, the result stays exact', T, async () => {
    // Large magnitudes only in the last fifth: the last chunk holds more of the top-K than its share.
    const crowded = (n: number, s: number): Float32Array => {
      const a = tensor(n, s, 3);
      for (let i = Math.floor(n * 0.8); i < n; i++) a[i] = a[i]! * 100;
      return a;
    };
    for (const [what, options] of [
      ['topk', { method: 'topk', density: 0.05 }],
      ['percentile', { method: 'percentile', density: 0.05 }],
      ['global-topk', { method: 'global-topk', density: 0.05 }],
    ] as const) {
      for (const size of [2, 3]) {
        await withPair({ ...options, seed: 2 } as CompressorOptions, { size, splitAbove: 50_000 }, async (p, ref) => {
          let extended = 0;
          for (let s = 0; s < 3; s++) {
            const input = { small: tensor(20_000, s, 5), big: crowded(200_000, s) };
            assertSameResult(await p.step(input), ref.step(input), `${what}, ${size} workers, step ${s}`);
            extended += p.testing.lastStep().extended;
          }
          assert.ok(extended > 0, `${what}, ${size} workers: some chunk was extended`);
          await assertSameState(p, ref, `${what}, ${size} workers`);
        });
      }
    }
  });

  it('a 4M-element tensor with the default split size, staged in shared memory', T, async () => {
    await withPair({ method: 'topk', density: 0.001 }, { size: 2 }, async (p, ref) => {
      const n = 1 << 22;
      assert.equal(p.testing.workersOf('w').length, 0);
      for (let s = 0; s < 2; s++) {
        const g = tensor(n, s, 5);
        const staged = p.stage('w', n);
        staged.set(g);
        assertSameResult(await p.step({ w: staged }), ref.step({ w: g }), `step ${s}`);
      }
      assert.deepEqual(p.testing.workersOf('w'), [0, 1]);
      await assertSameState(p, ref, 'end');
    });
  });
});
