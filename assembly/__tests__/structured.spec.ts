// AssemblyScript unit tests of the structured kernels (docs/selection.md, "Structured methods"), run
// by tests/as/as_units.test.ts against both builds. Every exported `test_*` function is one test.
import { loadF32, loadU32, storeF32 } from '../util/key';
import { errorIndex, resultCount, resultIdx, resultVal } from '../util/scratch';
import { keyPtr, unitCount, unitPtr } from '../util/unit_result';
import { SCORE_L1, SCORE_L2, SCORE_MAX } from '../util/unit_score';
import { INVALID, SCORE_IMPORTANCE, importanceKey, selectBlock } from '../kernels/select_block';
import { selectChannel } from '../kernels/select_channel';
import { selectHead } from '../kernels/select_head';
import { selectRows } from '../kernels/select_rows';
import { selectNm } from '../kernels/select_nm';

function f32s(values: f32[]): usize {
  const p = heap.alloc(<usize>max<i32>(values.length, 1) << 2);
  for (let i = 0; i < values.length; i++) storeF32(p, i, values[i]);
  return p;
}

function zeros(n: i32): usize {
  const p = heap.alloc(<usize>max<i32>(n, 1) << 2);
  memory.fill(p, 0, <usize>n << 2);
  return p;
}

function unitsAre(want: u32[]): bool {
  if (unitCount != <u32>want.length) return false;
  for (let j = 0; j < want.length; j++) if (loadU32(unitPtr, j) != want[j]) return false;
  return true;
}

function indicesAre(want: u32[]): bool {
  if (resultCount != <u32>want.length) return false;
  for (let j = 0; j < want.length; j++) if (loadU32(resultIdx, j) != want[j]) return false;
  return true;
}

// [3, 5] in 2×2 blocks (2×3 grid, clipped edges); block L1 4, 5, 6, 4, 0, .5; L2 6, 11, 26, 16, 0, .25.
function blockInput(): usize {
  return f32s([1, -2, 3, 0, 5, 0, 1, -1, 1, -1, 4, 0, 0, 0, 0.5]);
}

export function test_block_scores_and_ranks(): void {
  let s = blockInput();
  let r = zeros(15);
  assert(selectBlock(s, r, 3, 5, 2, 2, SCORE_L1, 2) == 6);
  assert(unitsAre([1, 2]) && indicesAre([2, 3, 4, 7, 8, 9]));
  assert(loadF32(resultVal, 0) == 3 && loadF32(resultVal, 5) == -1);
  // New residual in s: +0 at kept positions, acc elsewhere.
  assert(reinterpret<u32>(loadF32(s, 4)) == 0 && loadF32(s, 0) == 1 && loadF32(s, 14) == 0.5);

  s = blockInput();
  assert(selectBlock(s, r, 3, 5, 2, 2, SCORE_L1, 3) == 10); // tie 0 vs 3 at 4: block 0
  assert(unitsAre([0, 1, 2]));
  const want: f32[] = [4, 5, 6, 4, 0, 0.5];
  for (let u = 0; u < 6; u++) assert(loadF32(keyPtr, u) == want[u]);

  s = blockInput();
  assert(selectBlock(s, r, 3, 5, 2, 2, SCORE_L2, 2) == 4);
  assert(unitsAre([2, 3]) && indicesAre([4, 9, 10, 11]));
  assert(loadF32(keyPtr, 2) == 26 && loadF32(keyPtr, 5) == 0.25);

  s = blockInput();
  assert(selectBlock(s, 0, 3, 5, 2, 2, SCORE_MAX, 1) == 2); // no residual: s is not written
  assert(unitsAre([2]) && indicesAre([4, 9]) && loadF32(s, 4) == 5);
}

export function test_block_accumulates_residual(): void {
  const s = f32s([1, 1, 0, 3]);
  const r = f32s([0, 0, 1, -1]);
  // acc = [1, 1, 1, 2]; rows L1 2, 3: keep row 1.
  assert(selectRows(s, r, 2, 2, 0, SCORE_L1, 1) == 2);
  assert(unitsAre([1]) && indicesAre([2, 3]) && loadF32(resultVal, 1) == 2);
  assert(loadF32(s, 0) == 1 && loadF32(s, 1) == 1 && loadF32(s, 2) == 0 && loadF32(s, 3) == 0);
}

export function test_lane_order_of_scores(): void {
  const big: f32 = 16777216; // big + 1 rounds back to big
  // One row of 8: lanes (big + 1) + (1 + 1) + ... = (big + 2) + (2 + 2) = 16777222.
  let s = f32s([big, 1, 1, 1, 1, 1, 1, 1, 16777220, 0, 0, 0, 0, 0, 0, 0]);
  assert(selectRows(s, 0, 2, 8, 0, SCORE_L1, 1) == 8);
  assert(unitsAre([0]) && loadF32(keyPtr, 0) == 16777222);
  // Columns sum in one accumulator, top to bottom: column 0 stays at big.
  s = f32s([big, 16777218, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
  assert(selectRows(s, 0, 8, 2, 1, SCORE_L1, 1) == 8);
  assert(unitsAre([1]) && loadF32(keyPtr, 0) == big);
  // Lanes restart at each unit's left edge: [1, 1, big] in columns 3..5 -> (1 + 1) + (big + 0).
  s = f32s([0, 0, 0, 1, 1, big]);
  assert(selectBlock(s, 0, 1, 6, 1, 3, SCORE_L1, 1) == 3);
  assert(loadF32(keyPtr, 1) == big + 2);
}

export function test_channel_and_head(): void {
  let s = f32s([1, 1, 1, 1, 0, 0, 0, 3, -2, 0, 0, 0]);
  assert(selectChannel(s, 0, 3, 4, SCORE_L2, 2) == 8); // 4, 9, 4: channels 1 and 0 (tie with 2)
  assert(unitsAre([0, 1]));
  const imp = f32s([0.1, 0.7]);
  s = f32s([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert(selectHead(s, 0, 4, 3, 2, 0, SCORE_IMPORTANCE, imp, 1) == 6);
  assert(unitsAre([1]) && indicesAre([6, 7, 8, 9, 10, 11]));
  assert(selectHead(s, 0, 2, 6, 2, 1, SCORE_L2, 0, 1) == 6); // cols layout: head 1 = columns 3..5
  assert(unitsAre([1]) && indicesAre([3, 4, 5, 9, 10, 11]));
}

export function test_importance_key_orders_values(): void {
  assert(importanceKey(-0.0) == importanceKey(0));
  assert(importanceKey(-2) < importanceKey(-1) && importanceKey(-1) < importanceKey(0));
  assert(importanceKey(0) < importanceKey(1.4e-45) && importanceKey(1) < importanceKey(2));
}

export function test_nm_two_of_four(): void {
  const s = f32s([3, 1, -3, 2, 0, 0, -0.0, 0, 1, -2, 2, -2]);
  const r = zeros(12);
  assert(selectNm(s, r, 12, 12, 2, 4) == 6);
  assert(indicesAre([0, 2, 4, 5, 9, 10]) && unitCount == 0);
  assert(reinterpret<u32>(loadF32(s, 0)) == 0 && loadF32(s, 1) == 1 && loadF32(s, 11) == -2);
  // Clipped last group: cols 6, M 4 -> groups of 4 and 2 per row.
  const t = f32s([1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1]);
  assert(selectNm(t, 0, 12, 6, 2, 4) == 8);
  assert(indicesAre([2, 3, 4, 5, 6, 7, 10, 11]));
  // 3:5 and 0:4.
  assert(selectNm(t, 0, 12, 6, 3, 5) == 8 && indicesAre([2, 3, 4, 5, 6, 7, 8, 11]));
  assert(selectNm(t, 0, 12, 12, 0, 4) == 0);
}

export function test_non_finite_and_invalid(): void {
  const s = f32s([1, 2, 3, 4, 5, 6, 7, 8]);
  const r = zeros(8);
  storeF32(s, 5, NaN);
  storeF32(s, 7, Infinity);
  assert(selectBlock(s, r, 2, 4, 1, 2, SCORE_L2, 1) == -1 && errorIndex == 5);
  storeF32(s, 5, 6);
  storeF32(r, 2, 3.0e38);
  storeF32(s, 2, 3.0e38);
  storeF32(s, 7, 8);
  assert(selectNm(s, r, 8, 4, 2, 4) == -1 && errorIndex == 2);
  // L2 overflow of finite values is not an error.
  const big = f32s([1e30, 0, 2e30, 0]);
  assert(selectRows(big, 0, 2, 2, 0, SCORE_L2, 1) == 2 && unitsAre([0]));
  assert(selectBlock(s, r, 2, 4, 1, 2, SCORE_L1, 5) == INVALID);
  assert(selectBlock(s, r, 2, 4, 0, 2, SCORE_L1, 1) == INVALID);
  assert(selectHead(s, r, 2, 4, 3, 1, SCORE_L2, 0, 1) == INVALID);
  assert(selectNm(s, r, 8, 4, 5, 4) == INVALID && selectNm(s, r, 8, 3, 1, 4) == INVALID);
}
