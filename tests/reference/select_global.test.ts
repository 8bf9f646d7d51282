/** Tests of global-topk and hybrid (docs/selection.md, "global-topk", "hybrid"). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../ts-api/errors.ts';
import { selectGlobalTopK, selectHybrid } from '../../ts-api/reference/index.ts';
import type { Selection } from '../../ts-api/types.ts';
import { assertSelection, f32a } from './independent.ts';

function assertAll(actual: Selection[], expected: [number[], number[]][]): void {
  assert.equal(actual.length, expected.length);
  expected.forEach(([indices, values], j) => assertSelection(actual[j], indices, values, `tensor ${j}`));
}

describe('selectGlobalTopK', () => {
  const accs = [f32a(3, 1), f32a(-3, 3)];

  it('ranks all tensors together; equal keys: earlier tensor, then lower index', () => {
    assertAll(selectGlobalTopK(accs, 1), [[[0], [3]], [[], []]]);
    assertAll(selectGlobalTopK(accs, 2), [[[0], [3]], [[0], [-3]]]);
    assertAll(selectGlobalTopK(accs, 3), [[[0], [3]], [[0, 1], [-3, 3]]]);
    assertAll(selectGlobalTopK([f32a(0), f32a(-0)], 1), [[[0], [0]], [[], []]]);
    assertAll(selectGlobalTopK([f32a(-0), f32a(0)], 1), [[[0], [-0]], [[], []]]);
  });

  it('K = 0 and K = total; empty tensors in the list', () => {
    assertAll(selectGlobalTopK(accs, 0), [[[], []], [[], []]]);
    assertAll(selectGlobalTopK(accs, 4), [[[0, 1], [3, 1]], [[0, 1], [-3, 3]]]);
    assertAll(selectGlobalTopK([f32a(), f32a(1, 2)], 1), [[[], []], [[1], [2]]]);
    assertAll(selectGlobalTopK([], 0), []);
  });

  it('refuses K out of range', () => {
    assert.throws(() => selectGlobalTopK(accs, 5), /K = 5 exceeds the number of elements \(4\)/);
    assert.throws(() => selectGlobalTopK(accs, -1), ConfigError);
  });
});

describe('selectHybrid', () => {
  it('keeps the union of each top-k_j and the global part', () => {
    // Global top-2 keys: 5, 4 -> T_g = key(4). Tensor 0: top-1 {0} ∪ {0, 1}; tensor 1: top-1 {0}.
    assertAll(selectHybrid([f32a(5, 4, 0.5), f32a(1, 0.2, 0.1)], [1, 1], 2), [
      [[0, 1], [5, 4]],
      [[0], [1]],
    ]);
  });

  it('K = 0 means no global part', () => {
    assertAll(selectHybrid([f32a(5, 4, 0.5), f32a(1, 0.2, 0.1)], [0, 2], 0), [
      [[], []],
      [[0, 1], [1, 0.2]],
    ]);
  });

  it('the global part keeps every tie of T_g (possibly more than K)', () => {
    // Ranked: 5, 4, 1 (tensor 1 index 0), 1 (tensor 1 index 1) -> K = 3: T_g = key(1), both 1s kept.
    assertAll(selectHybrid([f32a(5, 4, 0.5), f32a(1, -1, 0.1)], [0, 0], 3), [
      [[0, 1], [5, 4]],
      [[0, 1], [1, -1]],
    ]);
    // A per-tensor part below T_g still counts: tensor 1 keeps its own top-1 (0.1 at index 2 is not).
    assertAll(selectHybrid([f32a(5, 4), f32a(0.3, 0.2, 0.1)], [0, 1], 1), [
      [[0], [5]],
      [[0], [0.3]],
    ]);
    assertAll(selectHybrid([f32a(5, 4), f32a(0.3, -0, 0)], [2, 3], 5), [
      [[0, 1], [5, 4]],
      [[0, 1, 2], [0.3, -0, 0]],
    ]);
  });

  it('refuses ks of the wrong length and budgets out of range', () => {
    const accs = [f32a(1, 2), f32a(3)];
    assert.throws(() => selectHybrid(accs, [1], 1), /ks has 1 entries for 2 tensors/);
    assert.throws(() => selectHybrid(accs, [3, 0], 1), /ks\[0\] = 3 exceeds/);
    assert.throws(() => selectHybrid(accs, [1, 1], 4), /K = 4 exceeds/);
    assert.throws(() => selectHybrid(accs, [1, 0.5], 1), ConfigError);
  });
});
