/**
 * Radix select: the rank-th largest of a multiset of u32 keys in three counting passes (11, 11 and
 * 10 bits), with no data movement and a 2048-entry histogram. The keys may come from several
 * sources (arrays, gathers, generated words); the caller feeds every source once per level:
 *
 *   rsBegin(rank); for (level 0..2) { rsClear(); feed all sources with rsCount*(); rsFinishLevel(); }
 *
 * After the third level `rsKey` is the rank-th largest key and `rsAbove` the number of keys strictly
 * larger, so `rank - rsAbove` elements equal to `rsKey` complete the selection (lower index first).
 * Cost: three reads of the keys; deterministic and O(n) whatever the data (no pivot worst case).
 */
import { loadF32, loadU32, ABS_MASK } from './key';

const HIST_SIZE: i32 = 2048;
let hist: usize = 0;
/** Level being counted: 0, 1, 2; 3 when done. */
export let rsLevel: i32 = 0;
let prefix: u32 = 0;
let rank: u32 = 0;
/** Result: the selected key (valid after level 2). */
export let rsKey: u32 = 0;
/** Result: the number of keys strictly larger than rsKey. */
export let rsAbove: u32 = 0;

/** Starts a selection of the rank-th largest key (1-based). */
export function rsBegin(r: u32): void {
  if (!hist) hist = heap.alloc(<usize>HIST_SIZE << 2);
  rsLevel = 0;
  prefix = 0;
  rank = r;
  rsAbove = 0;
  rsKey = 0;
}

/** Zeroes the histogram; call before feeding the sources of each level. */
export function rsClear(): void {
  memory.fill(hist, 0, <usize>HIST_SIZE << 2);
}

/** Counts one key at the current level (ignored when its higher digits differ from the prefix). */
// @ts-ignore: decorator
@inline export function rsCountKey(key: u32): void {
  let d: u32;
  if (rsLevel == 0) {
    d = key >>> 21;
  } else if (rsLevel == 1) {
    if ((key >>> 21) != prefix) return;
    d = (key >>> 10) & 0x7ff;
  } else {
    if ((key >>> 10) != prefix) return;
    d = key & 0x3ff;
  }
  const p = hist + (<usize>d << 2);
  store<u32>(p, load<u32>(p) + 1);
}

/**
 * Feeds the magnitude keys of an f32 array. At levels 1 and 2 only keys that share the prefix
 * count, so a vector compare skips the rest four at a time.
 */
export function rsCountAbsF32(p: usize, n: u32): void {
  let i: u32 = 0;
  if (rsLevel == 0) {
    // Every key counts at level 0: a tight loop on the top 11 bits.
    for (; i < n; i++) {
      const h = hist + (<usize>((reinterpret<u32>(loadF32(p, i)) & ABS_MASK) >>> 21) << 2);
      store<u32>(h, load<u32>(h) + 1);
    }
    return;
  }
  if (ASC_FEATURE_SIMD) {
    const n4 = n & ~3;
    const mask = i32x4.splat(ABS_MASK);
    const pre = i32x4.splat(prefix);
    const shift = rsLevel == 1 ? 21 : 10;
    for (; i < n4; i += 4) {
      const k = v128.and(v128.load(p + (<usize>i << 2)), mask);
      if (v128.any_true(i32x4.eq(i32x4.shr_u(k, shift), pre))) {
        for (let j: u32 = i; j < i + 4; j++) rsCountKey(reinterpret<u32>(loadF32(p, j)) & ABS_MASK);
      }
    }
  }
  for (; i < n; i++) rsCountKey(reinterpret<u32>(loadF32(p, i)) & ABS_MASK);
}

/** Feeds the keys of a u32 array. */
export function rsCountU32(p: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) rsCountKey(loadU32(p, i));
}

/** Closes a level: picks the digit that holds the rank-th largest key. */
export function rsFinishLevel(): void {
  let cum: u32 = 0;
  let d: i32 = rsLevel == 2 ? 1023 : 2047;
  for (; d > 0; d--) {
    const c = load<u32>(hist + (<usize>d << 2));
    if (cum + c >= rank) break;
    cum += c;
  }
  rank -= cum;
  rsAbove += cum;
  if (rsLevel == 2) {
    rsKey = (prefix << 10) | <u32>d;
  } else {
    prefix = (prefix << 11) | <u32>d;
  }
  rsLevel++;
}

/** The rank-th largest key of a u32 array (one source): sets rsKey and rsAbove. */
export function rsSelectU32(p: usize, n: u32, r: u32): void {
  rsBegin(r);
  for (let l = 0; l < 3; l++) {
    rsClear();
    rsCountU32(p, n);
    rsFinishLevel();
  }
}

/** The rank-th largest magnitude key of an f32 array: sets rsKey and rsAbove. */
export function rsSelectAbsF32(p: usize, n: u32, r: u32): void {
  rsBegin(r);
  for (let l = 0; l < 3; l++) {
    rsClear();
    rsCountAbsF32(p, n);
    rsFinishLevel();
  }
}
