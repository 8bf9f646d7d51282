/** Tests of probabilistic selection (docs/selection.md, "probabilistic"). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../ts-api/errors.ts';
import {
  probabilisticProbabilities,
  probabilisticScale,
  selectProbabilistic,
} from '../../ts-api/reference/index.ts';
import { assertSelection, f32a, uniformBig } from './independent.ts';

const F02 = Math.fround(0.2); // 0.20000000298023224

describe('probabilisticScale (c)', () => {
  it('stops when m repeats: [4, -2, 1, 1], k = 2 -> c = 0.25', () => {
    // S = (4 + 2) + (1 + 1) = 8, c = 2/8 = 0.25; m = #{c·a ≥ 1} = 1 (only 4).
    // R = (0 + 2) + (1 + 1) = 4, c = (2 - 1)/4 = 0.25, mPrev = 1; next m = 1 = mPrev: stop.
    assert.equal(probabilisticScale(f32a(4, -2, 1, 1), 2), 0.25);
  });

  it('recomputes c from the remainder: [8, 1, 1, 0], k = 2 -> c = 0.5', () => {
    // S = 10, c = f32(2/10) = f32(0.2); m = 1 (8·0.2 = 1.6). R = (0 + 1) + (1 + 0) = 2,
    // c = 1/2 = 0.5, mPrev = 1; next m = 1 (only 8): stop.
    assert.equal(probabilisticScale(f32a(8, 1, 1, 0), 2), 0.5);
  });

  it('iterates while m grows: [10, 5, 1, 1, 1, 1, 1], k = 3 -> c = f32(0.2)', () => {
    // S = 20 (lanes 11, 6, 2, 1 -> 17 + 3), c = 3/20 = f32(0.15); m = 1 (10·0.15 = 1.5; 5·0.15 = 0.75).
    // R = (1 + 6) + (2 + 1) = 10, c = f32(2/10) = f32(0.2); mPrev = 1.
    // m = 2: f32(f32(0.2)·5) = f32(1.0000000149…) = 1 ≥ 1. R: lanes (1, 1, 2, 1) = 5, c = f32(1/5).
    // mPrev = 2; next m = 2 = mPrev: stop.
    assert.equal(probabilisticScale(f32a(10, 5, 1, 1, 1, 1, 1), 3), F02);
  });

  it('is 0 (keep nothing) when S = 0 or k = 0', () => {
    assert.equal(probabilisticScale(f32a(0, -0, 0), 2), 0);
    assert.equal(probabilisticScale(f32a(1, 2), 0), 0);
    assert.equal(probabilisticScale(new Float32Array(0), 0), 0);
  });

  it('k = n on equal magnitudes gives c = 1/a: every p is 1', () => {
    assert.equal(probabilisticScale(f32a(2, -2, 2, 2), 4), 0.5);
  });

  it('follows the spec literally when c overflows: [1, 2^-149, 0], k = 2 -> c = +Infinity', () => {
    // S = f32(1 + 2^-149) = 1, c = 2; m = 1. R = 2^-149 (the 0 adds +0), c = f32(1 / 2^-149) = +Inf.
    // Next m: Inf·1 ≥ 1, Inf·2^-149 ≥ 1, Inf·0 = NaN (not counted) -> m = 2 ≥ k: stop.
    assert.equal(probabilisticScale(f32a(1, 2 ** -149, 0), 2), Infinity);
  });

  it('follows the spec literally when S overflows: [3e38, 3e38], k = 1 -> c = 0 (keeps nothing)', () => {
    // S = f32(3e38 + 3e38) = +Inf, c = 1/Inf = 0; m = 0; R = +Inf, c = 0, mPrev = 0; m = 0 again: stop.
    // (Reported as a gap in the spec: a tensor whose magnitudes sum past f32 max sends nothing.)
    assert.equal(probabilisticScale(f32a(3e38, 3e38), 1), 0);
  });

  it('refuses bad k', () => {
    assert.throws(() => probabilisticScale(f32a(1, 2), 3), ConfigError);
  });
});

describe('selectProbabilistic', () => {
  const rng = { seed: 9, step: 2, tensorId: 77 };

  it('keeps i iff uniform(i) < p[i] and sends acc / p', () => {
    const acc = f32a(10, -5, 1, -1, 1, 1, 1);
    // c = f32(0.2): p = [1, 1, f32(0.2) × 5]; f32(1 / f32(0.2)) = f32(4.99999992549…) = 5.
    assert.deepEqual(Array.from(probabilisticProbabilities(acc, F02)), [1, 1, F02, F02, F02, F02, F02]);
    const expected: number[] = [];
    const sent: number[] = [];
    for (let i = 0; i < acc.length; i++) {
      const p = i < 2 ? 1 : F02;
      if (uniformBig(rng.seed, rng.step, rng.tensorId, i) < p) {
        expected.push(i);
        sent.push(i < 2 ? acc[i] : Math.sign(acc[i]) * 5);
      }
    }
    assert.ok(expected.includes(0) && expected.includes(1)); // p = 1 is always kept
    assertSelection(selectProbabilistic(acc, 3, rng), expected, sent);
  });

  it('never keeps a zero; keeps nothing for k = 0 or an all-zero tensor', () => {
    assertSelection(selectProbabilistic(f32a(0, -0, 0, 0), 2, rng), [], []);
    assertSelection(selectProbabilistic(f32a(1, 2, 3), 0, rng), [], []);
    const sel = selectProbabilistic(f32a(0, 3, 0, 3), 2, rng); // c = 1/3: p = [0, 1, 0, 1]
    assertSelection(sel, [1, 3], [3, 3]);
  });

  it('with c = +Infinity keeps the positive elements and never the zero', () => {
    assertSelection(selectProbabilistic(f32a(1, 2 ** -149, 0), 2, rng), [0, 1], [1, 2 ** -149]);
  });

  it('is unbiased on average over many steps (fixed seeds, deterministic)', () => {
    const acc = f32a(4, -2, 1, 1, 0.5, -0.25, 3, 0);
    const steps = 4000;
    const sum = new Float64Array(acc.length);
    let kept = 0;
    for (let step = 0; step < steps; step++) {
      const { indices, values } = selectProbabilistic(acc, 3, { ...rng, step });
      kept += indices.length;
      indices.forEach((i, j) => (sum[i] += values[j]));
    }
    for (let i = 0; i < acc.length; i++) {
      assert.ok(Math.abs(sum[i] / steps - acc[i]) < 0.15 * Math.max(1, Math.abs(acc[i])), `element ${i}`);
    }
    assert.ok(Math.abs(kept / steps - 3) < 0.2, `mean kept ${kept / steps}`);
  });
});
