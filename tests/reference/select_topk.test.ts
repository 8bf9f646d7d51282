/** Tests of topk, threshold and percentile (docs/selection.md, "topk", "threshold", "percentile"). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../ts-api/errors.ts';
import { selectPercentile, selectThreshold, selectTopK } from '../../ts-api/reference/index.ts';
import { absKeys, assertSelection, f32a, firstKByRepeatedMax } from './independent.ts';

describe('selectTopK', () => {
  const acc = f32a(1, -3, 3, 2, -0, 0);

  it('keeps the largest magnitudes; equal magnitudes by lower index', () => {
    assertSelection(selectTopK(acc, 1), [1], [-3]); // |-3| = |3|: index 1 first
    assertSelection(selectTopK(acc, 2), [1, 2], [-3, 3]);
    assertSelection(selectTopK(acc, 3), [1, 2, 3], [-3, 3, 2]);
    assertSelection(selectTopK(f32a(2, -2, 2, -2), 3), [0, 1, 2], [2, -2, 2]);
  });

  it('treats +0 and -0 as equal (lower index wins) and keeps the sign of the sent zero', () => {
    assertSelection(selectTopK(acc, 5), [0, 1, 2, 3, 4], [1, -3, 3, 2, -0]);
    assertSelection(selectTopK(f32a(-0, 0), 1), [0], [-0]);
    assertSelection(selectTopK(f32a(0, -0), 1), [0], [0]);
    assertSelection(selectTopK(f32a(0, 2 ** -149), 1), [1], [2 ** -149]); // a subnormal beats zero
  });

  it('k = 0 keeps nothing, k = n keeps everything, n = 0 is fine', () => {
    assertSelection(selectTopK(acc, 0), [], []);
    assertSelection(selectTopK(acc, 6), [0, 1, 2, 3, 4, 5], [1, -3, 3, 2, -0, 0]);
    assertSelection(selectTopK(new Float32Array(0), 0), [], []);
  });

  it('refuses k out of range', () => {
    for (const k of [7, -1, 1.5, Number.NaN]) assert.throws(() => selectTopK(acc, k), ConfigError, `k = ${k}`);
    assert.throws(() => selectTopK(new Float32Array(0), 1), ConfigError);
  });

  it('agrees with selection by repeated maximum on pseudo-random inputs with many ties', () => {
    let s = 7;
    for (let trial = 0; trial < 50; trial++) {
      const n = trial % 13;
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        v[i] = ((s >>> 16) % 7) - 3; // values -3 … 3: many ties and signed zeros
        if ((s & 1) === 1 && v[i] === 0) v[i] = -0;
      }
      for (let k = 0; k <= n; k++) {
        const expected = firstKByRepeatedMax(absKeys(v), k);
        assertSelection(selectTopK(v, k), expected, expected.map((i) => v[i]), `trial ${trial} k ${k}`);
      }
    }
  });
});

describe('selectThreshold', () => {
  it('t = 0 keeps everything, zeros included', () => {
    assertSelection(selectThreshold(f32a(0, -0, 2 ** -149, -5), 0), [0, 1, 2, 3], [0, -0, 2 ** -149, -5]);
    assertSelection(selectThreshold(f32a(0, -0), -0), [0, 1], [0, -0]); // -0 is a valid t (= 0)
  });

  it('keeps |acc| ≥ t, equality included', () => {
    const acc = f32a(1, -3, 3, 2, -2.5, -1.9999999);
    assertSelection(selectThreshold(acc, 2), [1, 2, 3, 4], [-3, 3, 2, -2.5]);
    assertSelection(selectThreshold(acc, 3), [1, 2], [-3, 3]);
    assertSelection(selectThreshold(acc, 3.5), [], []);
  });

  it('compares against the key of f32(t)', () => {
    // f32(0.1) = 0.100000001490116…; f32(0.09999999) = 0.0999999940395… < f32(0.1).
    assertSelection(selectThreshold(f32a(0.1, -0.1, 0.09999999), 0.1), [0, 1], [0.1, -0.1]);
    // A finite t beyond the f32 range rounds to +Infinity: nothing finite reaches it.
    assertSelection(selectThreshold(f32a(3.4028234663852886e38), 1e39), [], []);
  });

  it('works on an empty tensor and refuses bad thresholds', () => {
    assertSelection(selectThreshold(new Float32Array(0), 1), [], []);
    for (const t of [-1, -1e-45, Number.NaN, Infinity, -Infinity]) {
      assert.throws(() => selectThreshold(f32a(1), t), ConfigError, `t = ${t}`);
    }
    assert.throws(() => selectThreshold(f32a(1), -1), /threshold must be a finite number >= 0, got -1/);
  });
});

describe('selectPercentile', () => {
  const acc = f32a(5, -5, 5, 1, 2);

  it('keeps every element at or above the k-th largest key, ties included', () => {
    assertSelection(selectPercentile(acc, 0.2), [0, 1, 2], [5, -5, 5]); // k = 1, T = 5: 3 kept
    assertSelection(selectPercentile(acc, 0.6), [0, 1, 2], [5, -5, 5]); // k = 3, T = 5
    assertSelection(selectPercentile(acc, 0.8), [0, 1, 2, 4], [5, -5, 5, 2]); // k = 4, T = 2
    assertSelection(selectPercentile(acc, 1), [0, 1, 2, 3, 4], [5, -5, 5, 1, 2]);
    assertSelection(selectPercentile(acc, 0.001), [0, 1, 2], [5, -5, 5]); // k = max(1, 0) = 1
  });

  it('a zero threshold keeps every zero, of either sign', () => {
    assertSelection(selectPercentile(f32a(0, -0, 0, 1), 0.5), [0, 1, 2, 3], [0, -0, 0, 1]); // k = 2, T = 0
  });

  it('n = 0 keeps nothing; q outside (0, 1] is refused', () => {
    assertSelection(selectPercentile(new Float32Array(0), 0.5), [], []);
    for (const q of [0, -0.5, 1.5, Number.NaN]) assert.throws(() => selectPercentile(acc, q), ConfigError);
    assert.throws(() => selectPercentile(acc, 0), /q must be in \(0, 1\]/);
  });
});
