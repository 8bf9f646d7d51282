/** Tests of blockedSum (docs/selection.md, "Reductions"). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BLOCK_SIZE, blockedSum } from '../../ts-api/reference/index.ts';
import { blockedSumByLanes } from './independent.ts';

/** Plain left-to-right f32 sum, to show that the lane order matters. */
function sequentialSum(values: Float32Array): number {
  let s = 0;
  for (const v of values) s = Math.fround(s + v);
  return s;
}

describe('blockedSum', () => {
  it('is +0 for an empty tensor and for -0 inputs', () => {
    assert.ok(Object.is(blockedSum(new Float32Array(0)), 0));
    assert.ok(Object.is(blockedSum(Float32Array.of(-0, -0, -0)), 0));
  });

  it('uses four lanes combined as (l0 + l1) + (l2 + l3)', () => {
    // Lanes: l0 = 1e8, l1 = 1, l2 = -1e8, l3 = 1. f32(1e8 + 1) = 1e8 (ulp 8), f32(-1e8 + 1) = -1e8.
    const v = Float32Array.of(1e8, 1, -1e8, 1);
    assert.equal(blockedSum(v), 0);
    assert.equal(sequentialSum(v), 1); // ((1e8 + 1) - 1e8) + 1 = 1: a different order, a different sum
    // Lanes: l0 = 1e8, l1 = 2, l2 = -1e8, l3 = 2 -> f32(1e8 + 2) = 1e8, f32(-1e8 + 2) = -1e8 -> 0.
    assert.equal(blockedSum(Float32Array.of(1e8, 1, -1e8, 1, 1, 1, 1, 1)), 0);
    // Lanes 1, 2, 3, 4 -> (1 + 2) + (3 + 4) = 10.
    assert.equal(blockedSum(Float32Array.of(1, 2, 3, 4)), 10);
  });

  it('sums blocks of 65536 separately, then adds block sums in order', () => {
    assert.equal(BLOCK_SIZE, 65536);
    // Block 0: 65536 × 1024, each lane 16384 × 1024 = 2^24 exactly, block sum 2^26.
    // Block 1: eight 1s, each lane 2, block sum 8. Total 2^26 + 8 (exact: ulp at 2^26 is 8).
    // Without blocks, lane 0 would be 2^24 + 1 + 1 = 2^24 (ties to even) and the sum 2^26.
    const v = new Float32Array(BLOCK_SIZE + 8);
    v.fill(1024, 0, BLOCK_SIZE);
    v.fill(1, BLOCK_SIZE);
    assert.equal(blockedSum(v), 2 ** 26 + 8);
    assert.equal(blockedSumByLanes(v), 2 ** 26 + 8);
  });

  it('counts excluded elements as +0', () => {
    const v = Float32Array.of(1, 2, 3, 4, 5);
    // Kept: i = 0, 2, 4 -> l0 = 1 + 5 = 6, l2 = 3 -> (6 + 0) + (3 + 0) = 9.
    assert.equal(blockedSum(v, (i) => i % 2 === 0), 9);
    assert.ok(Object.is(blockedSum(v, () => false), 0));
  });

  it('matches a lane-by-lane implementation on pseudo-random data across block boundaries', () => {
    let s = 0x2545f491;
    const next = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s;
    };
    for (const n of [1, 3, 5, 65535, 65536, 65537, 2 * 65536 + 3]) {
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) v[i] = ((next() / 2 ** 32) - 0.5) * 2 ** ((next() % 40) - 20);
      assert.ok(Object.is(blockedSum(v), blockedSumByLanes(v)), `n = ${n}`);
    }
  });
});
