/** Tests of k from a density and of explicit k (docs/selection.md, "k from a density"). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../ts-api/errors.ts';
import { kFromDensity, validateK } from '../../ts-api/reference/index.ts';

describe('kFromDensity', () => {
  it('rounds density · n, halves up', () => {
    assert.equal(kFromDensity(0.5, 3), 2); // 1.5 -> 2
    assert.equal(kFromDensity(0.25, 10), 3); // 2.5 -> 3
    assert.equal(kFromDensity(0.24, 10), 2); // 2.4 -> 2
    assert.equal(kFromDensity(0.5, 5), 3); // 2.5 -> 3
    assert.equal(kFromDensity(0.01, 1000), 10);
  });

  it('keeps at least 1 and at most n', () => {
    assert.equal(kFromDensity(0.001, 10), 1); // round(0.01) = 0 -> 1
    assert.equal(kFromDensity(1e-300, 5), 1);
    assert.equal(kFromDensity(1, 7), 7);
    assert.equal(kFromDensity(1, 1), 1);
  });

  it('is 0 for n = 0', () => {
    assert.equal(kFromDensity(0.5, 0), 0);
    assert.equal(kFromDensity(1, 0), 0);
  });

  it('refuses densities outside (0, 1]', () => {
    for (const d of [0, -0, -0.1, 1.0000001, 2, Number.NaN, Infinity, -Infinity]) {
      assert.throws(() => kFromDensity(d, 10), ConfigError, `density ${d}`);
    }
    assert.throws(() => kFromDensity(Number.NaN, 10), /density must be a number in \(0, 1\]/);
    assert.throws(() => kFromDensity(0, 0), ConfigError); // refused even when n = 0
  });

  it('refuses invalid lengths', () => {
    assert.throws(() => kFromDensity(0.5, -1), ConfigError);
    assert.throws(() => kFromDensity(0.5, 1.5), ConfigError);
  });
});

describe('validateK', () => {
  it('accepts integers 0 ≤ k ≤ n', () => {
    validateK(0, 0);
    validateK(0, 5);
    validateK(5, 5);
    validateK(3, 5);
  });

  it('refuses non-integers, negatives and k > n with clear messages', () => {
    assert.throws(() => validateK(1.5, 5), /k must be an integer, got 1\.5/);
    assert.throws(() => validateK(Number.NaN, 5), /k must be an integer/);
    assert.throws(() => validateK(Infinity, 5), /k must be an integer/);
    assert.throws(() => validateK(-1, 5), /k must be >= 0, got -1/);
    assert.throws(() => validateK(6, 5), /k = 6 exceeds the number of elements \(5\)/);
    assert.throws(() => validateK(1, 0), ConfigError);
    assert.throws(() => validateK(6, 5, 'K'), /K = 6 exceeds/);
  });
});
