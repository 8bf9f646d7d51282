/**
 * Approximate top-k by sampled threshold, with fused error feedback (Lin et al., "Deep Gradient
 * Compression", ICLR 2018): a threshold from the q-th largest key of a strided sample; if the count
 * that reaches it lands within a tolerance of k, all of those are kept; too many: the exact top-k of
 * them; too few: q doubles (a lower threshold) up to maxIterations, then the exact top-k.
 * Exact procedure: docs/selection.md; the caller computes the sample size, stride and first rank.
 */
import { ABS_MASK, accAt } from '../util/key';
import { rsAbove, rsKey, rsSelectAbsF32, rsSelectU32 } from '../util/radix_select';
import { candComplete, candCount, candReset, keysScratch, resultCount, resultReserve } from '../util/scratch';
import { accumulateCollect, collectAbove } from './accumulate';
import { candidateKeys, emitAllCandidates, emitArray, emitCandidates } from '../util/emit';

let sampleKeys: usize = 0;
let sampleCap: u32 = 0;

/** The q-th largest of the sample keys (a copy is selected, the sample is kept). */
function sampleThreshold(S: u32, q: u32): u32 {
  const work = keysScratch(S);
  memory.copy(work, sampleKeys, <usize>S << 2);
  rsSelectU32(work, S, q);
  return rsKey;
}

/**
 * Returns the number kept, or -1 when acc has a non-finite element.
 * S: sample size, stride: sample stride, q: first sample rank (1 <= q <= S).
 */
export function selectApproxTopk(
  s: usize, r: usize, n: u32, k: u32, S: u32, stride: u32, q: u32, tolerance: f64, maxIterations: u32,
): i32 {
  const ef = r != 0;
  if (k == 0 || k == n) {
    candReset(k == 0 ? 0 : n, k == 0 ? 0 : n);
    if (!accumulateCollect(s, r, n, k == 0 ? 0xffffffff : 0)) return -1;
    emitAllCandidates(s, ef);
    return <i32>resultCount;
  }
  if (S > sampleCap) {
    if (sampleKeys) heap.free(sampleKeys);
    sampleKeys = heap.alloc(<usize>S << 2);
    sampleCap = S;
  }
  for (let j: u32 = 0; j < S; j++) {
    store<u32>(sampleKeys + (<usize>j << 2), reinterpret<u32>(accAt(s, r, j * stride)) & ABS_MASK);
  }
  const lo = <f64>k * (1 - tolerance);
  const hi = <f64>k * (1 + tolerance);
  // Store up to ~4k candidates so that "too many" resolves from them (exact top-k of the
  // over-selection, as DGC does) instead of a pass over the whole tensor.
  const limit = <u32>min<f64>(<f64>n, max<f64>(Math.floor(hi), 4 * <f64>k + 4096));
  for (let it: u32 = 0; it < maxIterations; it++) {
    const T = sampleThreshold(S, q);
    candReset(limit, min<u32>(limit, 4096));
    if (it == 0) {
      // The first count is fused into the error-feedback pass.
      if (!accumulateCollect(s, r, n, T)) return -1;
    } else {
      collectAbove(s, n, T);
    }
    const c = <f64>candCount;
    if (c >= lo && c <= hi) {
      emitAllCandidates(s, ef);
      return <i32>resultCount;
    }
    if (c > hi) break;
    q = min<u32>(S, q * 2);
  }
  if (maxIterations == 0) {
    candReset(0, 0);
    if (!accumulateCollect(s, r, n, 0xffffffff)) return -1;
  }
  // Exact top-k: from the stored candidates when they hold at least k, else over the whole tensor.
  if (candCount >= k && candComplete()) {
    rsSelectU32(candidateKeys(), candCount, k);
    resultReserve(k);
    emitCandidates(s, ef, rsKey, k - rsAbove, false, 0, candCount);
  } else {
    rsSelectAbsF32(s, n, k);
    resultReserve(k);
    emitArray(s, n, ef, rsKey, k - rsAbove, false);
  }
  return <i32>resultCount;
}
