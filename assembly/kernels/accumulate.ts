/**
 * The fused error-feedback pass: acc = s + r written over the input buffer s (the residual r is only
 * read, so a failed step leaves it intact), a finiteness check, and the collection of candidate
 * indices whose key reaches a threshold. One read of s and r and one write of s: the traffic of the
 * error-feedback floor (Seide et al., "1-bit SGD", Interspeech 2014; Stich et al., NeurIPS 2018).
 */
import { ABS_MASK, NONFINITE_KEY, accStore, loadF32, storeF32 } from '../util/key';
import { randomWord, randomWordX4 } from '../util/rng';
import { candPush, candPushValue, reportFirstNonFinite, setError } from '../util/scratch';

// @ts-ignore: decorator
@inline function pushLanes(m: v128, base: u32): void {
  if (v128.any_true(m)) {
    let bits = i32x4.bitmask(m);
    while (bits) {
      candPush(base + ctz<u32>(bits));
      bits &= bits - 1;
    }
  }
}

// @ts-ignore: decorator
@inline function laneMaxU(v: v128): u32 {
  return max<u32>(
    max<u32>(<u32>i32x4.extract_lane(v, 0), <u32>i32x4.extract_lane(v, 1)),
    max<u32>(<u32>i32x4.extract_lane(v, 2), <u32>i32x4.extract_lane(v, 3)),
  );
}

let badSeen = false;

/** Lanes that reached the vector threshold: non-finite ones are recorded, the rest collected. */
// @ts-ignore: decorator
@inline function handleLanes(s: usize, base: u32, bits: i32, thr: u32): void {
  while (bits) {
    const i = base + ctz<u32>(bits);
    const a = loadF32(s, i);
    const key = reinterpret<u32>(a) & ABS_MASK;
    if (key >= NONFINITE_KEY) {
      if (!badSeen) {
        badSeen = true;
        setError(0, i);
      }
    } else if (key >= thr) {
      candPushValue(i, a);
    }
    bits &= bits - 1;
  }
}

/**
 * acc = s + r into s (r = 0: s is already acc and is not written); collects every i with
 * key(acc[i]) >= thr (thr = 0xffffffff collects nothing). Returns false on a non-finite acc.
 * Non-finite keys are at least NONFINITE_KEY, so one unsigned compare against
 * min(thr, NONFINITE_KEY) finds both candidates and bad values; the rare hits are sorted out per lane.
 */
export function accumulateCollect(s: usize, r: usize, n: u32, thr: u32): bool {
  badSeen = false;
  const tv = min<u32>(thr, NONFINITE_KEY);
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const n8 = n & ~7;
    const mask = i32x4.splat(ABS_MASK);
    const t = i32x4.splat(tv);
    if (r) {
      for (; i < n8; i += 8) {
        const o = <usize>i << 2;
        const a0 = f32x4.add(v128.load(s + o), v128.load(r + o));
        const a1 = f32x4.add(v128.load(s + o, 16), v128.load(r + o, 16));
        v128.store(s + o, a0);
        v128.store(s + o, a1, 16);
        const m0 = i32x4.ge_u(v128.and(a0, mask), t);
        const m1 = i32x4.ge_u(v128.and(a1, mask), t);
        if (v128.any_true(v128.or(m0, m1))) {
          handleLanes(s, i, i32x4.bitmask(m0) | (i32x4.bitmask(m1) << 4), thr);
        }
      }
    } else {
      for (; i < n8; i += 8) {
        const o = <usize>i << 2;
        const m0 = i32x4.ge_u(v128.and(v128.load(s + o), mask), t);
        const m1 = i32x4.ge_u(v128.and(v128.load(s + o, 16), mask), t);
        if (v128.any_true(v128.or(m0, m1))) {
          handleLanes(s, i, i32x4.bitmask(m0) | (i32x4.bitmask(m1) << 4), thr);
        }
      }
    }
  }
  for (; i < n; i++) {
    const a = accStore(s, r, i);
    if ((reinterpret<u32>(a) & ABS_MASK) >= tv) handleLanes(s, i, 1, thr);
  }
  return !badSeen;
}

/**
 * acc = s + r into s as above; collects every i whose random word (k0, k1) is >= thr.
 * `collect = false` skips the collection. Returns false on a non-finite acc.
 */
export function accumulateCollectRandom(s: usize, r: usize, n: u32, thr: u32, k0: u32, k1: u32): bool {
  let maxKey: u32 = 0;
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const n4 = n & ~3;
    const mask = i32x4.splat(ABS_MASK);
    const t = i32x4.splat(thr);
    const vk0 = i32x4.splat(k0);
    const vk1 = i32x4.splat(k1);
    let idx = i32x4(0, 1, 2, 3);
    const four = i32x4.splat(4);
    let mk = i32x4.splat(0);
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      let a = v128.load(s + o);
      if (r) {
        a = f32x4.add(a, v128.load(r + o));
        v128.store(s + o, a);
      }
      mk = i32x4.max_u(mk, v128.and(a, mask));
      pushLanes(i32x4.ge_u(randomWordX4(vk0, vk1, idx), t), i);
      idx = i32x4.add(idx, four);
    }
    maxKey = laneMaxU(mk);
  }
  for (; i < n; i++) {
    const a = accStore(s, r, i);
    maxKey = max<u32>(maxKey, reinterpret<u32>(a) & ABS_MASK);
    if (randomWord(k0, k1, i) >= thr) candPush(i);
  }
  if (maxKey >= NONFINITE_KEY) {
    reportFirstNonFinite(s, n);
    return false;
  }
  return true;
}

/** Collects, without touching s, every i whose random word is >= thr (a compute-only pass). */
export function collectRandom(n: u32, thr: u32, k0: u32, k1: u32): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const n4 = n & ~3;
    const t = i32x4.splat(thr);
    const vk0 = i32x4.splat(k0);
    const vk1 = i32x4.splat(k1);
    let idx = i32x4(0, 1, 2, 3);
    const four = i32x4.splat(4);
    for (; i < n4; i += 4) {
      pushLanes(i32x4.ge_u(randomWordX4(vk0, vk1, idx), t), i);
      idx = i32x4.add(idx, four);
    }
  }
  for (; i < n; i++) if (randomWord(k0, k1, i) >= thr) candPush(i);
}

/** Collects, without touching s, every i with key(s[i]) >= thr, with its value (s holds acc). */
export function collectAbove(s: usize, n: u32, thr: u32): void {
  badSeen = false;
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const n4 = n & ~3;
    const mask = i32x4.splat(ABS_MASK);
    const t = i32x4.splat(thr);
    for (; i < n4; i += 4) {
      const m = i32x4.ge_u(v128.and(v128.load(s + (<usize>i << 2)), mask), t);
      if (v128.any_true(m)) handleLanes(s, i, i32x4.bitmask(m), thr);
    }
  }
  for (; i < n; i++) if ((reinterpret<u32>(loadF32(s, i)) & ABS_MASK) >= thr) handleLanes(s, i, 1, thr);
}

/** The error-feedback floor: r = g + r, nothing else (the benchmark's baseline pass). */
export function efFloor(g: usize, r: usize, n: u32): void {
  let i: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const n4 = n & ~3;
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(r + o, f32x4.add(v128.load(g + o), v128.load(r + o)));
    }
  }
  for (; i < n; i++) storeF32(r, i, loadF32(g, i) + loadF32(r, i));
}
