/**
 * Absolute threshold with fused error feedback: keep every i with |acc[i]| >= t (compared as
 * magnitude keys). One fused pass; the kept list grows as needed. (Threshold sparsification:
 * Strom, "Scalable distributed DNN training using commodity GPU cloud computing", Interspeech 2015.)
 */
import { candReset, resultCount } from '../util/scratch';
import { accumulateCollect } from './accumulate';
import { emitAllCandidates } from '../util/emit';

/** Returns the number kept, or -1 when acc has a non-finite element. `t` is finite and >= 0. */
export function selectThreshold(s: usize, r: usize, n: u32, t: f32): i32 {
  candReset(n, 4096);
  if (!accumulateCollect(s, r, n, reinterpret<u32>(t) & 0x7fffffff)) return -1;
  emitAllCandidates(s, r != 0);
  return <i32>resultCount;
}
