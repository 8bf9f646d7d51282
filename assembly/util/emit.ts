/**
 * Emission: writes the kept elements (ascending indices, sent values) to the result area and, with
 * error feedback, the new residual r = acc - sent at the kept positions (stored over acc in s).
 * Selection by (T, quota): keep key > T, and the first `quota` elements with key == T (tie rule:
 * lower index first); with `keepTies`, every key >= T.
 */
import { ABS_MASK, loadF32, loadU32, storeF32 } from './key';
import { candCount, candPtr, candValPtr, keysScratch, resultPush, resultReserve } from './scratch';

// @ts-ignore: decorator
@inline function keep(s: usize, i: u32, ef: bool): void {
  keepValue(s, i, loadF32(s, i), ef);
}

/** Keeps i with its accumulated value a; the residual there becomes a - a = +0. */
// @ts-ignore: decorator
@inline function keepValue(s: usize, i: u32, a: f32, ef: bool): void {
  resultPush(i, a);
  if (ef) storeF32(s, i, 0);
}

/**
 * Emits candidates [from, to) (indices ascending), selecting by (T, quota); returns the quota left.
 * The caller reserves the result area.
 */
export function emitCandidates(s: usize, ef: bool, T: u32, quota: u32, keepTies: bool, from: u32, to: u32): u32 {
  for (let j: u32 = from; j < to; j++) {
    const a = loadF32(candValPtr, j);
    const k = reinterpret<u32>(a) & ABS_MASK;
    if (k > T) {
      keepValue(s, loadU32(candPtr, j), a, ef);
    } else if (k == T && (keepTies || quota > 0)) {
      keepValue(s, loadU32(candPtr, j), a, ef);
      quota--;
    }
  }
  return quota;
}

/** Emits every candidate. */
export function emitAllCandidates(s: usize, ef: bool): void {
  const m = candCount;
  resultReserve(m);
  for (let j: u32 = 0; j < m; j++) keepValue(s, loadU32(candPtr, j), loadF32(candValPtr, j), ef);
}

/**
 * Emits from the whole array s[0..n), selecting by (T, quota); returns the quota left.
 * The caller reserves the result area.
 */
export function emitArray(s: usize, n: u32, ef: bool, T: u32, quota: u32, keepTies: bool): u32 {
  for (let i: u32 = 0; i < n; i++) {
    const k = reinterpret<u32>(loadF32(s, i)) & ABS_MASK;
    if (k > T) {
      keep(s, i, ef);
    } else if (k == T && (keepTies || quota > 0)) {
      keep(s, i, ef);
      quota--;
    }
  }
  return quota;
}

/** Writes the magnitude keys of the candidates into a scratch array and returns it. */
export function candidateKeys(): usize {
  return candidateKeysInto(keysScratch(candCount), 0, candCount);
}

/** Writes the magnitude keys of candidates [from, to) into keys[from, to); returns keys. */
export function candidateKeysInto(keys: usize, from: u32, to: u32): usize {
  for (let j: u32 = from; j < to; j++) {
    store<u32>(keys + (<usize>j << 2), reinterpret<u32>(loadF32(candValPtr, j)) & ABS_MASK);
  }
  return keys;
}

/** Number of elements of s with key >= T. */
export function countAtLeast(s: usize, n: u32, T: u32): u32 {
  let c: u32 = 0;
  for (let i: u32 = 0; i < n; i++) if ((reinterpret<u32>(loadF32(s, i)) & ABS_MASK) >= T) c++;
  return c;
}
