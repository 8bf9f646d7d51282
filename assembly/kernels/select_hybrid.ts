/**
 * Hybrid selection: each tensor keeps its own top-k_j (tie rule) and also every element whose
 * magnitude reaches one global threshold T_g, the K-th largest magnitude over all tensors of the
 * step. Per-layer guarantees with a global budget for the layers that matter most (layer-wise plus
 * global selection as in Shi et al., ICDCS 2019, and the layer-wise top-k of Lin et al., ICLR 2018).
 *
 * Tensor table: m entries of 5 u32 — s, r, n, k, out — `out` receives each tensor's result count;
 * results follow one another in the result area, in table order.
 */
import { ABS_MASK, loadF32, storeF32 } from '../util/key';
import { rsAbove, rsKey, rsSelectAbsF32 } from '../util/radix_select';
import { candReset, errorIndex, resultCount, resultEnsure, resultPush, resultReserve, setError } from '../util/scratch';
import { accumulateCollect } from './accumulate';
import { tableGet, tableSelectAbs, tableSet } from './select_global_topk';

const STRIDE: u32 = 5;

/** Returns the total number kept, or -1 when a tensor's acc has a non-finite element. */
export function selectHybrid(table: usize, m: u32, K: u32): i32 {
  candReset(0, 0);
  for (let t: u32 = 0; t < m; t++) {
    const s = <usize>tableGet(table, t, 0, STRIDE), r = <usize>tableGet(table, t, 1, STRIDE);
    if (!accumulateCollect(s, r, tableGet(table, t, 2, STRIDE), 0xffffffff)) {
      setError(t, errorIndex);
      return -1;
    }
  }
  let Tg: u32 = 0xffffffff;
  if (K > 0) {
    tableSelectAbs(table, m, K, STRIDE);
    Tg = rsKey;
  }
  resultReserve(0);
  for (let t: u32 = 0; t < m; t++) {
    const s = <usize>tableGet(table, t, 0, STRIDE);
    const ef = tableGet(table, t, 1, STRIDE) != 0;
    const n = tableGet(table, t, 2, STRIDE);
    const k = tableGet(table, t, 3, STRIDE);
    let T: u32 = 0xffffffff;
    let quota: u32 = 0;
    if (k > 0) {
      rsSelectAbsF32(s, n, k);
      T = rsKey;
      quota = k - rsAbove;
    }
    // Count, then emit: key >= Tg, or in the tensor's own top-k.
    let count: u32 = 0;
    let q = quota;
    for (let i: u32 = 0; i < n; i++) {
      const key = reinterpret<u32>(loadF32(s, i)) & ABS_MASK;
      if (key > T || key >= Tg) count++;
      else if (key == T && q > 0) {
        count++;
        q--;
      }
    }
    resultEnsure(count);
    const before = resultCount;
    q = quota;
    for (let i: u32 = 0; i < n; i++) {
      const a = loadF32(s, i);
      const key = reinterpret<u32>(a) & ABS_MASK;
      let kept = key > T || key >= Tg;
      if (!kept && key == T && q > 0) {
        kept = true;
        q--;
      }
      if (kept) {
        resultPush(i, a);
        if (ef) storeF32(s, i, a - a);
      }
    }
    tableSet(table, t, 4, STRIDE, resultCount - before);
  }
  return <i32>resultCount;
}
