/**
 * Reusable scratch and result buffers. The result area holds the last kernel's output: ascending
 * u32 indices and their f32 values, `resultCount` of them. Buffers grow geometrically and are kept
 * between calls, so steady-state steps allocate nothing.
 */
import { ABS_MASK, NONFINITE_KEY, loadF32 } from './key';

/** Result indices (u32). */
export let resultIdx: usize = 0;
/** Result values (f32). */
export let resultVal: usize = 0;
/** Number of results written by the last kernel. */
export let resultCount: u32 = 0;
let resultCap: u32 = 0;

/** Makes room for `cap` results and clears the count. */
export function resultReserve(cap: u32): void {
  if (cap > resultCap) {
    if (resultIdx) heap.free(resultIdx);
    if (resultVal) heap.free(resultVal);
    const c = max<u32>(cap, 1024);
    resultIdx = heap.alloc(<usize>c << 2);
    resultVal = heap.alloc(<usize>c << 2);
    resultCap = c;
  }
  resultCount = 0;
}

/** Makes room for `extra` more results after the current ones, keeping them. */
export function resultEnsure(extra: u32): void {
  const need = <u64>resultCount + <u64>extra;
  if (need > <u64>resultCap) {
    const c = <u32>max<u64>(max<u64>(need, <u64>resultCap * 2), 1024);
    resultIdx = resultIdx ? heap.realloc(resultIdx, <usize>c << 2) : heap.alloc(<usize>c << 2);
    resultVal = resultVal ? heap.realloc(resultVal, <usize>c << 2) : heap.alloc(<usize>c << 2);
    resultCap = c;
  }
}

/** Appends one result (capacity must have been reserved). */
// @ts-ignore: decorator
@inline export function resultPush(i: u32, v: f32): void {
  const o = <usize>resultCount << 2;
  store<u32>(resultIdx + o, i);
  store<f32>(resultVal + o, v);
  resultCount++;
}

/** Sets the result count (after a kernel wrote results directly). */
export function resultSetCount(c: u32): void {
  resultCount = c;
}

/** Candidate index list: indices collected by a filtering pass, in ascending order. */
export let candPtr: usize = 0;
/** Accumulated values (f32) of the candidates, when the pass that collected them stored them. */
export let candValPtr: usize = 0;
/** Number of candidates seen (may exceed candLimit: then only the first candLimit were stored). */
export let candCount: u32 = 0;
/** Maximum number of candidates to store. */
export let candLimit: u32 = 0;
let candCap: u32 = 0;

/** Prepares the candidate list to store up to `limit` indices, with `initial` reserved now. */
export function candReset(limit: u32, initial: u32): void {
  candLimit = limit;
  candCount = 0;
  const want = min<u32>(limit, max<u32>(initial, 1024));
  if (want > candCap) {
    if (candPtr) heap.free(candPtr);
    if (candValPtr) heap.free(candValPtr);
    candPtr = heap.alloc(<usize>want << 2);
    candValPtr = heap.alloc(<usize>want << 2);
    candCap = want;
  }
}

/** Appends candidate i with its accumulated value v (see candPush). */
// @ts-ignore: decorator
@inline export function candPushValue(i: u32, v: f32): void {
  if (candCount < candLimit) {
    if (candCount >= candCap) candGrow();
    const o = <usize>candCount << 2;
    store<u32>(candPtr + o, i);
    store<f32>(candValPtr + o, v);
  }
  candCount++;
}

/** Appends candidate i; grows the list up to candLimit; counts beyond it without storing. */
// @ts-ignore: decorator
@inline export function candPush(i: u32): void {
  if (candCount < candLimit) {
    if (candCount >= candCap) candGrow();
    store<u32>(candPtr + (<usize>candCount << 2), i);
  }
  candCount++;
}

function candGrow(): void {
  const c = <u32>min<u64>(<u64>candCap * 2, <u64>candLimit);
  candPtr = heap.realloc(candPtr, <usize>c << 2);
  candValPtr = heap.realloc(candValPtr, <usize>c << 2);
  candCap = c;
}

/** True when every candidate seen was stored. */
export function candComplete(): bool {
  return candCount <= candLimit;
}

/** A u32 scratch array of at least `n` elements (contents undefined). */
let keysPtr: usize = 0;
let keysCap: u32 = 0;
export function keysScratch(n: u32): usize {
  if (n > keysCap) {
    if (keysPtr) heap.free(keysPtr);
    keysCap = max<u32>(n, 1024);
    keysPtr = heap.alloc(<usize>keysCap << 2);
  }
  return keysPtr;
}

/** Index of the first non-finite value found by the last failing kernel. */
export let errorIndex: u32 = 0;
/** Position (in the step's tensor table) of the tensor that failed, for multi-tensor kernels. */
export let errorTensor: u32 = 0;
/** Records where a kernel failed. */
export function setError(tensor: u32, index: u32): void {
  errorTensor = tensor;
  errorIndex = index;
}

/** Finds the first non-finite element of s (which holds acc) and records it; false if none. */
export function reportFirstNonFinite(s: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) {
    if ((reinterpret<u32>(loadF32(s, i)) & ABS_MASK) >= NONFINITE_KEY) {
      setError(0, i);
      return true;
    }
  }
  return false;
}
