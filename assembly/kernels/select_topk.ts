/**
 * Exact top-k by magnitude with fused error feedback (tie rule: lower index first), and the
 * percentile threshold (every key >= the k-th largest). Design: sample-then-filter. A strided sample
 * of acc gives a threshold that about k·(1 + margin) elements pass; the fused error-feedback pass
 * collects them (O(k) scratch); radix select over the candidates' keys finds the exact k-th key.
 * When the sample misjudges (too few or too many candidates), radix select runs over the whole
 * accumulated tensor instead, so the result is exact whatever the data. Cost: about one pass of the
 * error-feedback floor plus O(k). (Sampled thresholds: Lin et al., "Deep Gradient Compression",
 * ICLR 2018; exact selection by radix: Alabi et al., "Fast k-selection algorithms for GPUs", 2012.)
 */
import { ABS_MASK, accAt } from '../util/key';
import { rsAbove, rsKey, rsSelectAbsF32, rsSelectU32 } from '../util/radix_select';
import { candComplete, candCount, candReset, keysScratch, resultCount, resultReserve } from '../util/scratch';
import { accumulateCollect } from './accumulate';
import { candidateKeys, countAtLeast, emitArray, emitCandidates } from '../util/emit';

/** Below this length every element is a candidate. */
const SMALL_N: u32 = 32768;

/** Threshold and candidate limit chosen from a strided sample of acc. */
let sampleThr: u32 = 0;
let sampleLimit: u32 = 0;

/** Picks a threshold that about k·(1 + margin) elements reach, from a strided sample of acc. */
export function thresholdFromSample(s: usize, r: usize, n: u32, k: u32): void {
  const S = min<u32>(16384, max<u32>(8192, n >>> 6));
  const stride = n / S;
  const keys = keysScratch(S);
  for (let j: u32 = 0; j < S; j++) {
    store<u32>(keys + (<usize>j << 2), reinterpret<u32>(accAt(s, r, j * stride)) & ABS_MASK);
  }
  const q = <f64>k * <f64>S / <f64>n;
  const jr = <u32>Math.ceil(q + 3 * Math.sqrt(q) + 16);
  if (jr >= S) {
    sampleThr = 0;
    sampleLimit = n;
    return;
  }
  rsSelectU32(keys, S, jr);
  sampleThr = rsKey;
  const expected = <f64>jr * <f64>n / <f64>S;
  sampleLimit = <u32>min<f64>(<f64>n, max<f64>(<f64>k, 2 * expected + 4096));
}

/**
 * Exact top-k (keepTies = false) or percentile (keepTies = true) of acc = s + r.
 * Returns the number of results, or -1 when acc has a non-finite element.
 */
export function selectTopk(s: usize, r: usize, n: u32, k: u32, keepTies: bool): i32 {
  if (k == 0) {
    candReset(0, 0);
    if (!accumulateCollect(s, r, n, 0xffffffff)) return -1;
    resultReserve(0);
    return 0;
  }
  let thr: u32 = 0;
  let limit: u32 = n;
  if (n > SMALL_N) {
    thresholdFromSample(s, r, n, k);
    thr = sampleThr;
    limit = sampleLimit;
  }
  candReset(limit, min<u32>(limit, k + (k >>> 1) + 1024));
  if (!accumulateCollect(s, r, n, thr)) return -1;
  const ef = r != 0;
  if (candCount >= k && candComplete()) {
    rsSelectU32(candidateKeys(), candCount, k);
    resultReserve(keepTies ? candCount : k);
    emitCandidates(s, ef, rsKey, k - rsAbove, keepTies, 0, candCount);
  } else {
    rsSelectAbsF32(s, n, k);
    const T = rsKey;
    resultReserve(keepTies ? countAtLeast(s, n, T) : k);
    emitArray(s, n, ef, T, k - rsAbove, keepTies);
  }
  return <i32>resultCount;
}
