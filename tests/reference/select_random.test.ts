/** Tests of randomk (docs/selection.md, "randomk"). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../ts-api/errors.ts';
import { randomKScale, selectRandomK } from '../../ts-api/reference/index.ts';
import { assertSelection, firstKByRepeatedMax, wordBig } from './independent.ts';

describe('selectRandomK', () => {
  const rng = { seed: 42, step: 3, tensorId: 0x1234abcd };

  it('keeps the k elements with the largest random words (BigInt words, repeated maximum)', () => {
    for (const n of [0, 1, 2, 7, 33]) {
      const acc = Float32Array.from({ length: n }, (_, i) => i - 3.5);
      const words = Array.from({ length: n }, (_, i) => wordBig(rng.seed, rng.step, rng.tensorId, i));
      for (let k = 0; k <= n; k++) {
        const expected = firstKByRepeatedMax(words, k);
        assertSelection(selectRandomK(acc, k, rng), expected, expected.map((i) => acc[i]), `n ${n} k ${k}`);
      }
    }
  });

  it('rescale multiplies by s = f32(f32(n) / f32(k)), one rounding each', () => {
    assert.equal(randomKScale(4, 2), 2);
    assert.equal(randomKScale(10, 3), 3.3333332538604736); // 13981013 · 2^-22
    const ones = new Float32Array(10).fill(1);
    const r1 = selectRandomK(ones, 3, rng, true);
    assert.deepEqual(Array.from(r1.values), [3.3333332538604736, 3.3333332538604736, 3.3333332538604736]);
    const threes = new Float32Array(10).fill(3);
    // 3 · 13981013 · 2^-22 = 41943039 · 2^-22 = 9.99999976…, which rounds to 10 in f32.
    assert.deepEqual(Array.from(selectRandomK(threes, 3, rng, true).values), [10, 10, 10]);
    assert.deepEqual(Array.from(r1.indices), Array.from(selectRandomK(ones, 3, rng, false).indices));
  });

  it('k = 0 with rescale keeps nothing; k = n with rescale sends acc · 1', () => {
    assertSelection(selectRandomK(Float32Array.of(1, 2), 0, rng, true), [], []);
    assertSelection(selectRandomK(Float32Array.of(1, -0), 2, rng, true), [0, 1], [1, -0]);
    assertSelection(selectRandomK(new Float32Array(0), 0, rng, true), [], []);
  });

  it('depends on seed, step and tensor id; is deterministic', () => {
    const acc = new Float32Array(64).fill(1);
    const base = Array.from(selectRandomK(acc, 8, rng).indices);
    assert.deepEqual(Array.from(selectRandomK(acc, 8, rng).indices), base);
    assert.notDeepEqual(Array.from(selectRandomK(acc, 8, { ...rng, step: 4 }).indices), base);
    assert.notDeepEqual(Array.from(selectRandomK(acc, 8, { ...rng, seed: 43 }).indices), base);
    assert.notDeepEqual(Array.from(selectRandomK(acc, 8, { ...rng, tensorId: 1 }).indices), base);
  });

  it('refuses bad k and bad RNG inputs', () => {
    const acc = Float32Array.of(1, 2, 3);
    assert.throws(() => selectRandomK(acc, 4, rng), ConfigError);
    assert.throws(() => selectRandomK(acc, -1, rng), ConfigError);
    assert.throws(() => selectRandomK(acc, 1, { ...rng, seed: -1 }), ConfigError);
    assert.throws(() => selectRandomK(acc, 1, { ...rng, step: 2 ** 32 }), ConfigError);
  });
});
