/**
 * Random-k with fused error feedback: the k elements with the largest counter-based random words
 * (ties by lower index), so every backend and every chunking draws the same subset; optional
 * unbiased rescale by n/k (Stich et al., "Sparsified SGD with Memory", NeurIPS 2018; Wangni et al.,
 * "Gradient Sparsification for Communication-Efficient Distributed Optimization", NeurIPS 2018).
 * The words are uniform, so the filter threshold comes from k/n directly, with no sample; a rare
 * undershoot is repaired by a compute-only pass (the words do not depend on the data).
 */
import { loadF32, loadU32, storeF32 } from '../util/key';
import { randomWord } from '../util/rng';
import { rsAbove, rsKey, rsSelectU32 } from '../util/radix_select';
import { candComplete, candCount, candPtr, candReset, keysScratch, resultCount, resultPush, resultReserve } from '../util/scratch';
import { accumulateCollect, accumulateCollectRandom, collectRandom } from './accumulate';

/** Word threshold that about `e` of n uniform words reach. */
function wordThreshold(e: f64, n: u32): u32 {
  if (e >= <f64>n) return 0;
  return <u32>Math.floor(4294967296.0 * (1.0 - e / <f64>n));
}

/** Returns the number kept (k), or -1 when acc has a non-finite element. */
export function selectRandomk(s: usize, r: usize, n: u32, k: u32, k0: u32, k1: u32, rescale: bool): i32 {
  if (k == 0) {
    candReset(0, 0);
    if (!accumulateCollect(s, r, n, 0xffffffff)) return -1;
    resultReserve(0);
    return 0;
  }
  let e = <f64>k + 3 * Math.sqrt(<f64>k) + 16;
  let thr = wordThreshold(e, n);
  let limit = <u32>min<f64>(<f64>n, 2 * e + 4096);
  candReset(limit, min<u32>(limit, k + (k >>> 1) + 1024));
  if (!accumulateCollectRandom(s, r, n, thr, k0, k1)) return -1;
  while (candCount < k || !candComplete()) {
    if (candCount < k) {
      e *= 2;
      thr = wordThreshold(e, n);
      limit = <u32>min<f64>(<f64>n, 2 * e + 4096);
    } else {
      limit = candCount;
    }
    candReset(limit, limit);
    collectRandom(n, thr, k0, k1);
  }
  const m = candCount;
  const keys = keysScratch(m);
  for (let j: u32 = 0; j < m; j++) store<u32>(keys + (<usize>j << 2), randomWord(k0, k1, loadU32(candPtr, j)));
  rsSelectU32(keys, m, k);
  const T = rsKey;
  let quota = k - rsAbove;
  const scale: f32 = <f32>n / <f32>k;
  const ef = r != 0;
  resultReserve(k);
  for (let j: u32 = 0; j < m; j++) {
    const w = load<u32>(keys + (<usize>j << 2));
    if (w > T || (w == T && quota > 0)) {
      if (w == T) quota--;
      const i = loadU32(candPtr, j);
      const a = loadF32(s, i);
      const sent: f32 = rescale ? a * scale : a;
      resultPush(i, sent);
      if (ef) storeF32(s, i, a - sent);
    }
  }
  return <i32>resultCount;
}
