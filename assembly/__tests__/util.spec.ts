// AssemblyScript unit tests of the core's utilities and kernels, run by tests/as/as_units.test.ts
// against both builds. Every exported `test_*` function is one test; assert() traps on failure.
import { rsAbove, rsKey, rsSelectU32, rsSelectAbsF32 } from '../util/radix_select';
import { mix, randomWord, streamKey0, streamKey1, uniformOf } from '../util/rng';
import { blockedSumAbs } from '../util/reduce';
import { absKey, totalOrderKey, loadF32, storeF32, loadU32, storeU32 } from '../util/key';
import { candComplete, candCount, candPtr, candPush, candReset, errorIndex, resultCount, resultIdx, resultVal } from '../util/scratch';
import { accumulateCollect } from '../kernels/accumulate';
import { selectTopk } from '../kernels/select_topk';

function u32s(values: u32[]): usize {
  const p = heap.alloc(<usize>values.length << 2);
  for (let i = 0; i < values.length; i++) storeU32(p, i, values[i]);
  return p;
}

function f32s(values: f32[]): usize {
  const p = heap.alloc(<usize>values.length << 2);
  for (let i = 0; i < values.length; i++) storeF32(p, i, values[i]);
  return p;
}

export function test_mix_known_answers(): void {
  // Independently computed (Python, arbitrary-precision integers).
  assert(mix(0) == 0);
  assert(mix(1) == 0x688990c0);
  assert(mix(0x12345678) == 0xf5e71c96);
}

export function test_random_words_are_uniform_and_keyed(): void {
  const k0 = streamKey0(1, 2, 3);
  const k1 = streamKey1(k0);
  assert(k0 != streamKey0(1, 2, 4) && k0 != streamKey0(2, 2, 3) && k0 != streamKey0(1, 3, 3));
  let high = 0;
  for (let i: u32 = 0; i < 100000; i++) if (randomWord(k0, k1, i) >= 0x80000000) high++;
  assert(high > 49000 && high < 51000);
  assert(uniformOf(0xffffffff) < 1 && uniformOf(0) == 0);
}

export function test_magnitude_and_total_order_keys(): void {
  assert(absKey(-0.0) == 0 && absKey(0.0) == 0);
  assert(absKey(-2) == absKey(2) && absKey(3) > absKey(-2.5));
  assert(absKey(1.4e-45) == 1); // smallest subnormal
  assert(totalOrderKey(-1) < totalOrderKey(-0.5) && totalOrderKey(-0.5) < totalOrderKey(0) && totalOrderKey(0) < totalOrderKey(1));
}

export function test_radix_select_ranks_and_ties(): void {
  const p = u32s([5, 1, 5, 3, 0xffffffff, 7, 0, 5]);
  rsSelectU32(p, 8, 1);
  assert(rsKey == 0xffffffff && rsAbove == 0);
  rsSelectU32(p, 8, 2);
  assert(rsKey == 7 && rsAbove == 1);
  for (let r: u32 = 3; r <= 5; r++) {
    rsSelectU32(p, 8, r);
    assert(rsKey == 5 && rsAbove == 2);
  }
  rsSelectU32(p, 8, 8);
  assert(rsKey == 0 && rsAbove == 7);
}

export function test_radix_select_matches_sorting(): void {
  const n: u32 = 5000;
  const keys = new Array<u32>(n);
  for (let i: u32 = 0; i < n; i++) keys[i] = randomWord(17, 23, i) >>> (i % 7); // mixed ranges, some ties
  const p = u32s(keys);
  const sorted = keys.slice(0);
  sorted.sort((a: u32, b: u32): i32 => (a < b ? 1 : a > b ? -1 : 0));
  for (let r: u32 = 1; r <= n; r += 97) {
    rsSelectU32(p, n, r);
    assert(rsKey == sorted[r - 1]);
    let above: u32 = 0;
    for (let i: u32 = 0; i < n; i++) if (keys[i] > rsKey) above++;
    assert(rsAbove == above);
  }
}

export function test_radix_select_over_f32_magnitudes(): void {
  const p = f32s([-4, 2, 0.5, -2, 8, -0.0, 3]);
  rsSelectAbsF32(p, 7, 2);
  assert(rsKey == absKey(4) && rsAbove == 1);
  rsSelectAbsF32(p, 7, 4);
  assert(rsKey == absKey(2) && rsAbove == 3);
}

export function test_blocked_sum_uses_four_lanes(): void {
  // Lanes: l0 = 1e8, l1 = 1, l2 = 1e8, l3 = 1 -> (l0 + l1) + (l2 + l3) in f32.
  const p = f32s([1e8, 1, -1e8, 1]);
  const want: f32 = (<f32>1e8 + <f32>1) + (<f32>1e8 + <f32>1);
  assert(blockedSumAbs(p, 4, 0, false) == want);
  // Filtered: c·|x| >= 1 counts as +0, so with c = 0.5 only the two 1s remain: (0 + 1) + (0 + 1).
  assert(blockedSumAbs(p, 4, 0.5, true) == 2);
}

export function test_candidates_grow_and_cap(): void {
  candReset(10, 2);
  for (let i: u32 = 0; i < 15; i++) candPush(i * 3);
  assert(candCount == 15 && !candComplete());
  for (let j: u32 = 0; j < 10; j++) assert(loadU32(candPtr, j) == j * 3);
}

export function test_accumulate_reports_first_nonfinite(): void {
  const s = f32s([1, 2, 3, 4, 5, NaN, 7, Infinity, 9]);
  const r = f32s([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  candReset(0, 0);
  assert(!accumulateCollect(s, r, 9, 0xffffffff));
  assert(errorIndex == 5);
  const big = f32s([3e38, 0, 0, 0, 0, 0, 0, 0, 0]);
  const big2 = f32s([3e38, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert(!accumulateCollect(big, big2, 9, 0xffffffff)); // overflow to +Inf
  assert(errorIndex == 0);
}

export function test_topk_tie_rule_and_residual(): void {
  const s = f32s([1, -3, 3, 2, -3, 0.5, 3, 0]);
  const r = f32s([0, 0, 0, 0, 0, 0, 0, 0]);
  assert(selectTopk(s, r, 8, 3, false) == 3);
  assert(resultCount == 3);
  assert(loadU32(resultIdx, 0) == 1 && loadU32(resultIdx, 1) == 2 && loadU32(resultIdx, 2) == 4);
  assert(loadF32(resultVal, 0) == -3 && loadF32(resultVal, 1) == 3 && loadF32(resultVal, 2) == -3);
  // s now holds the new residual: kept positions zeroed, the rest is acc.
  assert(loadF32(s, 1) == 0 && loadF32(s, 6) == 3 && loadF32(s, 0) == 1);
  // Percentile keeps every tie of the k-th magnitude.
  const s2 = f32s([1, -3, 3, 2, -3, 0.5, 3, 0]);
  assert(selectTopk(s2, 0, 8, 3, true) == 4);
}
