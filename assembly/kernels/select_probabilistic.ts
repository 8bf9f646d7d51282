/**
 * Probabilistic sampling proportional to magnitude, with fused error feedback: keep i with
 * probability p_i = min(1, c·|acc_i|), c chosen so that the expected count is k, and send
 * acc_i / p_i (unbiased). Wangni et al., "Gradient Sparsification for Communication-Efficient
 * Distributed Optimization", NeurIPS 2018. The iteration for c is in docs/selection.md.
 */
import { loadF32, loadU32, storeF32 } from '../util/key';
import { randomWord, uniformOf } from '../util/rng';
import { blockedSumAbs, countSaturated } from '../util/reduce';
import { candCount, candPtr, candPush, candReset, resultCount, resultPush, resultReserve } from '../util/scratch';
import { accumulateCollect } from './accumulate';

/** The scale c of the sampling probabilities (0 when nothing can be kept). */
export function probabilisticScale(s: usize, n: u32, k: u32): f32 {
  const total = blockedSumAbs(s, n, 0, false);
  if (total == 0 || k == 0) return 0;
  let c: f32 = <f32>k / total;
  let mPrev: i64 = -1;
  for (let it = 0; it < 32; it++) {
    const m = countSaturated(s, n, c);
    if (<i64>m == mPrev || m >= k) break;
    const rest = blockedSumAbs(s, n, c, true);
    if (rest == 0) break;
    c = <f32>(k - m) / rest;
    mPrev = m;
  }
  return c;
}

/** Returns the number kept, or -1 when acc has a non-finite element. */
export function selectProbabilistic(s: usize, r: usize, n: u32, k: u32, k0: u32, k1: u32): i32 {
  candReset(0, 0);
  if (!accumulateCollect(s, r, n, 0xffffffff)) return -1;
  const c = probabilisticScale(s, n, k);
  candReset(n, k + (k >>> 1) + 1024);
  if (c > 0) {
    for (let i: u32 = 0; i < n; i++) {
      const p = min<f32>(1, c * abs<f32>(loadF32(s, i)));
      if (uniformOf(randomWord(k0, k1, i)) < p) candPush(i);
    }
  }
  const m = candCount;
  const ef = r != 0;
  resultReserve(m);
  for (let j: u32 = 0; j < m; j++) {
    const i = loadU32(candPtr, j);
    const a = loadF32(s, i);
    const sent = a / min<f32>(1, c * abs<f32>(a));
    resultPush(i, sent);
    if (ef) storeF32(s, i, a - sent);
  }
  return <i32>resultCount;
}
