/**
 * Global top-k across the tensors of one step, without concatenating them: the K elements of
 * largest magnitude over all tensors, ties by (tensor position, index). A pooled strided sample sets
 * one filter threshold; each tensor's fused error-feedback pass collects its candidates; radix select
 * over all candidate keys finds the exact K-th key. Fallback: radix select over every tensor.
 * (Global top-k: Shi et al., "A Distributed Synchronous SGD Algorithm with Global Top-k
 * Sparsification for Low Bandwidth Networks", ICDCS 2019.)
 *
 * Tensor table: m entries of 4 u32 — s, r, n, out — where `out` receives the tensor's result count;
 * the results of all tensors follow one another in the result area, in table order.
 */
import { ABS_MASK, accAt } from '../util/key';
import {
  rsAbove, rsBegin, rsClear, rsCountAbsF32, rsFinishLevel, rsKey, rsSelectU32,
} from '../util/radix_select';
import {
  candComplete, candCount, candReset, errorIndex, keysScratch, resultCount, resultReserve, setError,
} from '../util/scratch';
import { accumulateCollect } from './accumulate';
import { candidateKeysInto, emitArray, emitCandidates } from '../util/emit';

/** Table entry field: 0 s, 1 r, 2 n, 3 out. */
// @ts-ignore: decorator
@inline export function tableGet(table: usize, t: u32, field: u32, stride: u32): u32 {
  return load<u32>(table + ((<usize>(t * stride + field)) << 2));
}

// @ts-ignore: decorator
@inline export function tableSet(table: usize, t: u32, field: u32, stride: u32, v: u32): void {
  store<u32>(table + ((<usize>(t * stride + field)) << 2), v);
}

/**
 * The K-th largest magnitude key over the arrays of a tensor table (s at field 0, n at field 2):
 * sets rsKey and rsAbove.
 */
export function tableSelectAbs(table: usize, m: u32, K: u32, stride: u32): void {
  rsBegin(K);
  for (let l = 0; l < 3; l++) {
    rsClear();
    for (let t: u32 = 0; t < m; t++) {
      rsCountAbsF32(<usize>tableGet(table, t, 0, stride), tableGet(table, t, 2, stride));
    }
    rsFinishLevel();
  }
}

const STRIDE: u32 = 4;

/** Filter threshold and candidate limit for K over all tensors, from a pooled strided sample. */
function pooledThreshold(table: usize, m: u32, N: u64, K: u32): u64 {
  if (N <= 32768) return N; // threshold 0 (low 32 bits), limit N
  const stride = <u32>max<u64>(1, N / 65536);
  let S: u32 = 0;
  for (let t: u32 = 0; t < m; t++) S += (tableGet(table, t, 2, STRIDE) + stride - 1) / stride;
  const keys = keysScratch(S);
  let j: u32 = 0;
  for (let t: u32 = 0; t < m; t++) {
    const s = <usize>tableGet(table, t, 0, STRIDE), r = <usize>tableGet(table, t, 1, STRIDE);
    const n = tableGet(table, t, 2, STRIDE);
    for (let i: u32 = 0; i < n; i += stride) {
      store<u32>(keys + (<usize>j << 2), reinterpret<u32>(accAt(s, r, i)) & ABS_MASK);
      j++;
    }
  }
  const q = <f64>K * <f64>S / <f64>N;
  const jr = <u32>Math.ceil(q + 3 * Math.sqrt(q) + 16);
  if (jr >= S) return N;
  rsSelectU32(keys, S, jr);
  const limit = <u64>min<f64>(<f64>N, max<f64>(<f64>K, 2 * <f64>jr * <f64>N / <f64>S + 4096));
  return (limit << 32) | <u64>rsKey;
}

/** Returns the total number kept (K), or -1 when a tensor's acc has a non-finite element. */
export function selectGlobalTopk(table: usize, m: u32, K: u32): i32 {
  let N: u64 = 0;
  for (let t: u32 = 0; t < m; t++) N += tableGet(table, t, 2, STRIDE);
  let thr: u32 = 0xffffffff;
  let limit: u32 = 0;
  if (K > 0) {
    const p = pooledThreshold(table, m, N, K);
    if (p == N) {
      thr = 0;
      limit = <u32>N;
    } else {
      thr = <u32>p;
      limit = <u32>(p >>> 32);
    }
  }
  candReset(limit, min<u32>(limit, K + (K >>> 1) + 1024));
  for (let t: u32 = 0; t < m; t++) {
    const s = <usize>tableGet(table, t, 0, STRIDE), r = <usize>tableGet(table, t, 1, STRIDE);
    if (!accumulateCollect(s, r, tableGet(table, t, 2, STRIDE), thr)) {
      setError(t, errorIndex);
      return -1;
    }
    tableSet(table, t, 3, STRIDE, candCount);
  }
  resultReserve(K);
  if (K == 0) {
    for (let t: u32 = 0; t < m; t++) tableSet(table, t, 3, STRIDE, 0);
    return 0;
  }
  const fromCandidates = candCount >= K && candComplete();
  if (fromCandidates) {
    const keys = keysScratch(candCount);
    let from: u32 = 0;
    for (let t: u32 = 0; t < m; t++) {
      const to = tableGet(table, t, 3, STRIDE);
      candidateKeysInto(keys, from, to);
      from = to;
    }
    rsSelectU32(keys, candCount, K);
  } else tableSelectAbs(table, m, K, STRIDE);
  const T = rsKey;
  let quota = K - rsAbove;
  let from: u32 = 0;
  for (let t: u32 = 0; t < m; t++) {
    const s = <usize>tableGet(table, t, 0, STRIDE);
    const ef = tableGet(table, t, 1, STRIDE) != 0;
    const before = resultCount;
    if (fromCandidates) {
      const to = tableGet(table, t, 3, STRIDE);
      quota = emitCandidates(s, ef, T, quota, false, from, to);
      from = to;
    } else {
      quota = emitArray(s, tableGet(table, t, 2, STRIDE), ef, T, quota, false);
    }
    tableSet(table, t, 3, STRIDE, resultCount - before);
  }
  return <i32>resultCount;
}
