/** Tests of approx-topk (docs/selection.md, "approx-topk"). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../ts-api/errors.ts';
import { APPROX_TOPK_DEFAULTS, selectApproxTopK } from '../../ts-api/reference/index.ts';
import { assertSelection, f32a } from './independent.ts';

describe('selectApproxTopK', () => {
  // n = 10, sampleFraction 0.5 -> s = 5, stride 2, sample = keys of acc[0, 2, 4, 6, 8] = 10, 8, 6, 4, 2.
  const desc = f32a(10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
  const half = { sampleFraction: 0.5 };

  it('has the spec defaults', () => {
    assert.deepEqual({ ...APPROX_TOPK_DEFAULTS }, { sampleFraction: 0.01, tolerance: 0.1, maxIterations: 3 });
  });

  it('accepts the sampled threshold when the count is within tolerance', () => {
    // k = 3: q = round(3·5/10 = 1.5) = 2, T = 8, c = 3 ∈ [2.7, 3.3]: keep 10, 9, 8.
    assertSelection(selectApproxTopK(desc, 3, half), [0, 1, 2], [10, 9, 8]);
    // k = 4, tolerance 0.5: q = 2, T = 8, c = 3 ∈ [2, 6]: keeps 3 elements, not k.
    assertSelection(selectApproxTopK(desc, 4, { ...half, tolerance: 0.5 }), [0, 1, 2], [10, 9, 8]);
  });

  it('falls back to exact top-k when the threshold keeps too many', () => {
    // Sample 5, 5, 1, 1, 1; k = 2: q = 1, T = 5, c = 4 > 2.2: exact top-2 = indices 0, 1.
    const acc = f32a(5, 5, 5, 5, 1, 1, 1, 1, 1, 1);
    assertSelection(selectApproxTopK(acc, 2, half), [0, 1], [5, 5]);
  });

  it('lowers the threshold (q doubles) when it keeps too few', () => {
    // n = 20, sampleFraction 0.25 -> s = 5, stride 4; sample = acc[0, 4, 8, 12, 16] = 10, 5, 4, 0.5, 0.1.
    // k = 6, tolerance 0.2 -> accept c ∈ [4.8, 7.2]. q = round(6·5/20 = 1.5) = 2, T = 5, c = 2: too few.
    // q = 4, T = 0.5, c = 5 (10, 5, 0.6, 4, 0.5): accepted, 5 elements kept.
    const acc = new Float32Array(20).fill(0.2);
    acc[0] = 10;
    acc[4] = 5;
    acc[5] = 0.6;
    acc[8] = 4;
    acc[12] = 0.5;
    acc[16] = 0.1;
    assertSelection(
      selectApproxTopK(acc, 6, { sampleFraction: 0.25, tolerance: 0.2 }),
      [0, 4, 5, 8, 12],
      [10, 5, 0.6, 4, 0.5],
    );
    // k = 4, tolerance 0: q = 2, T = 8, c = 3 too few; q = 4, T = 4, c = 7 too many: exact top-4.
    assertSelection(selectApproxTopK(desc, 4, { ...half, tolerance: 0 }), [0, 1, 2, 3], [10, 9, 8, 7]);
  });

  it('ends with exact top-k after maxIterations attempts (0 attempts: exact at once)', () => {
    const noAttempt = { ...half, tolerance: 0.5, maxIterations: 0 };
    assertSelection(selectApproxTopK(desc, 4, noAttempt), [0, 1, 2, 3], [10, 9, 8, 7]);
    // Defaults on n = 10: s = max(1, round(0.1)) = 1, sample = [key(acc[0])], q = 1 forever.
    // Descending: T = 10, c = 1 too few three times -> exact top-3.
    assertSelection(selectApproxTopK(desc, 3), [0, 1, 2], [10, 9, 8]);
    // Ascending: T = key(1), c = 10 too many -> exact top-3 (the three largest, at the end).
    assertSelection(selectApproxTopK(f32a(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 3), [7, 8, 9], [8, 9, 10]);
  });

  it('k = 0 keeps nothing and k = n keeps everything, n = 0 included', () => {
    assertSelection(selectApproxTopK(desc, 0), [], []);
    assertSelection(selectApproxTopK(f32a(1, -0, 3), 3), [0, 1, 2], [1, -0, 3]);
    assertSelection(selectApproxTopK(new Float32Array(0), 0), [], []);
  });

  it('refuses bad k and bad options', () => {
    assert.throws(() => selectApproxTopK(desc, 11), ConfigError);
    assert.throws(() => selectApproxTopK(desc, 2, { sampleFraction: 0 }), /sampleFraction must be in \(0, 1\]/);
    assert.throws(() => selectApproxTopK(desc, 2, { sampleFraction: 1.5 }), ConfigError);
    assert.throws(() => selectApproxTopK(desc, 2, { tolerance: -0.1 }), /tolerance/);
    assert.throws(() => selectApproxTopK(desc, 2, { tolerance: Number.NaN }), ConfigError);
    assert.throws(() => selectApproxTopK(desc, 2, { maxIterations: 1.5 }), /maxIterations/);
    assert.throws(() => selectApproxTopK(desc, 2, { maxIterations: -1 }), ConfigError);
  });
});
