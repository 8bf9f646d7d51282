/**
 * Encoder input checks (docs/wire-format.md, "Encoder rules"): indices strictly increasing and
 * below n, values finite. Both scan with SIMD (eight lanes per step) and drop to a scalar loop at
 * the first vector with a failure, so the position reported is the first failing element in either
 * build.
 */

/** Exponent mask of f32: a value is NaN or ±Inf when all these bits are set. */
const EXP_MASK: u32 = 0x7f800000;

/** The first j in [0, k) with idx[j] >= n or (j > 0 and idx[j] <= idx[j - 1]); k when none. */
export function firstBadIndex(idx: usize, k: u32, n: u32): u32 {
  if (k == 0) return 0;
  if (load<u32>(idx) >= n) return 0;
  let j: u32 = 1;
  if (ASC_FEATURE_SIMD) {
    // prev < cur < n  ⇔  cur - prev - 1 < n - prev - 1 (u32), as prev < n was checked before it.
    const nv1 = i32x4.splat(n - 1);
    const one = i32x4.splat(1);
    for (; j + 8 <= k; j += 8) {
      const p = idx + (<usize>j << 2);
      const p0 = v128.load(p - 4);
      const c0 = v128.load(p);
      const p1 = v128.load(p, 12);
      const c1 = v128.load(p, 16);
      const ok0 = i32x4.lt_u(i32x4.sub(i32x4.sub(c0, p0), one), i32x4.sub(nv1, p0));
      const ok1 = i32x4.lt_u(i32x4.sub(i32x4.sub(c1, p1), one), i32x4.sub(nv1, p1));
      if (!i32x4.all_true(v128.and(ok0, ok1))) break;
    }
  }
  let prev = load<u32>(idx + (<usize>(j - 1) << 2));
  for (; j < k; j++) {
    const i = load<u32>(idx + (<usize>j << 2));
    if (i >= n || i <= prev) return j;
    prev = i;
  }
  return k;
}

/** The first j in [from, to) whose f32 value is NaN or ±Inf; `to` when none. */
export function firstNonFinite(val: usize, from: u32, to: u32): u32 {
  let j = from;
  if (ASC_FEATURE_SIMD) {
    const m = i32x4.splat(EXP_MASK);
    for (; <u64>j + 8 <= <u64>to; j += 8) {
      const p = val + (<usize>j << 2);
      const e0 = i32x4.eq(v128.and(v128.load(p), m), m);
      const e1 = i32x4.eq(v128.and(v128.load(p, 16), m), m);
      if (v128.any_true(v128.or(e0, e1))) break;
    }
  }
  for (; j < to; j++) if ((load<u32>(val + (<usize>j << 2)) & EXP_MASK) == EXP_MASK) return j;
  return to;
}

/**
 * Largest magnitude pattern `bits(|v_j|)` over j in [0, k) (0 for k = 0). For finite values it
 * orders like |v|; a result >= 0x7F800000 means some value is NaN or ±Inf.
 */
export function maxAbsBits(val: usize, k: u32): u32 {
  let j: u32 = 0;
  let m: u32 = 0;
  if (ASC_FEATURE_SIMD) {
    const mask = i32x4.splat(0x7fffffff);
    let a0 = i32x4.splat(0);
    let a1 = i32x4.splat(0);
    for (; j + 8 <= k; j += 8) {
      const p = val + (<usize>j << 2);
      a0 = i32x4.max_u(a0, v128.and(v128.load(p), mask));
      a1 = i32x4.max_u(a1, v128.and(v128.load(p, 16), mask));
    }
    const a = i32x4.max_u(a0, a1);
    m = max<u32>(
      max<u32>(<u32>i32x4.extract_lane(a, 0), <u32>i32x4.extract_lane(a, 1)),
      max<u32>(<u32>i32x4.extract_lane(a, 2), <u32>i32x4.extract_lane(a, 3)),
    );
  }
  for (; j < k; j++) m = max<u32>(m, load<u32>(val + (<usize>j << 2)) & 0x7fffffff);
  return m;
}
