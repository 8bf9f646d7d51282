/**
 * N:M fine-grained structured sparsity with fused error feedback: the tensor is a row-major
 * [n / cols, cols] matrix; each row is cut into groups of M consecutive elements (the last group of
 * a row is clipped to cols mod M elements when M does not divide cols), and every group keeps its N
 * elements ranked first by magnitude key (larger first, then lower index); a clipped group of g
 * elements keeps min(N, g). No k and no unit list: every group is kept. (Mishra et al.,
 * "Accelerating Sparse Deep Neural Networks", 2021 (NVIDIA 2:4); Zhou et al., "Learning N:M
 * Fine-grained Structured Sparse Neural Networks From Scratch", ICLR 2021.)
 * docs/selection.md, "Structured methods", is normative.
 * SIMD: M = 4 groups are one vector; each lane counts the lanes that beat it (three rotations,
 * ≥ against lower lanes, > against higher ones) and is kept when that count is below N; the kept
 * lanes are compressed to the front by a swizzle and stored as whole vectors. Other groups count
 * beaters over all rotations of all the group's vectors, or take min(N, g - N) vector max/min
 * passes when that is cheaper (groupVector). The scalar build ranks by distinct composites
 * (key, 31 - j) with min(N, g - N) max/min passes (groupScalar). All give the same kept set.
 */
import { ABS_MASK, NONFINITE_KEY, accStore, loadF32, storeF32 } from '../util/key';
import { resultCount, resultIdx, resultPush, resultReserve, resultSetCount, resultVal, setError } from '../util/scratch';
import { unitReserve } from '../util/unit_result';
import { INVALID } from './select_block';

/** Largest group size. */
export const NM_MAX_M: u32 = 32;

/** Ranking composites of one group (at most NM_MAX_M u64): (key << 5 | (31 - j)) + 1, 0 = taken. */
const groupBuf: usize = memory.data(NM_MAX_M << 3, 16);

/**
 * The kept set (bit j = element j) of a group of g ≤ 32 elements whose composites are in groupBuf.
 * Composites are distinct and order like the tie rule (larger key first, then lower j), so the N
 * first are the N largest: found by N max passes, or by g - N min passes (dropping the last ones)
 * when that is fewer.
 */
function keptSet(g: u32, N: u32): u32 {
  const all: u32 = g == 32 ? 0xffffffff : (<u32>1 << g) - 1;
  if (N >= g) return all;
  if (N == 0) return 0;
  const largest = N <= g - N;
  const passes = largest ? N : g - N;
  let marked: u32 = 0;
  for (let p: u32 = 0; p < passes; p++) {
    let best: u64;
    if (largest) {
      best = 0;
      for (let j: u32 = 0; j < g; j++) best = max<u64>(best, load<u64>(groupBuf + (<usize>j << 3)));
    } else {
      best = u64.MAX_VALUE;
      for (let j: u32 = 0; j < g; j++) best = min<u64>(best, load<u64>(groupBuf + (<usize>j << 3)));
    }
    const j = 31 - (<u32>(best - 1) & 31);
    marked |= <u32>1 << j;
    store<u64>(groupBuf + (<usize>j << 3), largest ? 0 : u64.MAX_VALUE);
  }
  return largest ? marked : all ^ marked;
}

/**
 * Pushes the kept elements (bit j = element i0 + j) of a group in ascending order with their acc;
 * with error feedback (r != 0) their residual becomes +0.
 */
// @ts-ignore: decorator
@inline function emitKept(s: usize, r: usize, i0: u32, kept: u32): void {
  let bits = kept;
  const ef = r != 0;
  while (bits) {
    const i = i0 + ctz<u32>(bits);
    resultPush(i, loadF32(s, i));
    if (ef) storeF32(s, i, 0);
    bits &= bits - 1;
  }
}

/**
 * One group of g elements at i0: acc into s (r != 0), non-finite check, keep the N first.
 * Returns false (error recorded) at the first non-finite element.
 */
function groupScalar(s: usize, r: usize, i0: u32, g: u32, N: u32): bool {
  for (let j: u32 = 0; j < g; j++) {
    const a = accStore(s, r, i0 + j);
    const key = reinterpret<u32>(a) & ABS_MASK;
    if (key >= NONFINITE_KEY) {
      setError(0, i0 + j);
      return false;
    }
    store<u64>(groupBuf + (<usize>j << 3), ((<u64>key << 5) | <u64>(31 - j)) + 1);
  }
  emitKept(s, r, i0, keptSet(g, N));
  return true;
}

/** Keys of one group for the vector path (at most NM_MAX_M u32, padded with 0 to whole vectors). */
const keyBuf: usize = memory.data(NM_MAX_M << 2, 16);

// @ts-ignore: decorator
@inline function keyVec(c: u32): v128 {
  return v128.load(keyBuf + (<usize>c << 4));
}

/**
 * Lanes of a that beat the same lane of k: (a > k) for lanes whose opponent has a higher index,
 * (a >= k) where the opponent is lower (mask lower).
 */
// @ts-ignore: decorator
@inline function beats(a: v128, k: v128, lower: v128): v128 {
  return v128.bitselect(i32x4.ge_u(a, k), i32x4.gt_u(a, k), lower);
}

/**
 * The kept set of a group whose keys are in keyBuf, by min(N, g - N) passes (0 < N < g): each takes
 * the first remaining element by the tie rule (the largest key, lowest lane among equals; max_u) or
 * drops the last (the smallest key, highest lane among equals; min_u). Cheaper than counting ranks
 * when few passes are needed in a large group.
 */
function keptByPasses(g: u32, q: u32, N: u32): u32 {
  const largest = N <= g - N;
  const gone: u32 = largest ? 0 : 0xffffffff;
  // Keys + 1 so that 0 can mark a taken lane; pads hold the value that is never chosen.
  const one = i32x4.splat(1);
  for (let c: u32 = 0; c < q; c++) v128.store(keyBuf + (<usize>c << 4), i32x4.add(keyVec(c), one));
  for (let j = g; j < q << 2; j++) store<u32>(keyBuf + (<usize>j << 2), gone);
  const passes = largest ? N : g - N;
  let marked: u32 = 0;
  for (let p: u32 = 0; p < passes; p++) {
    let m = keyVec(0);
    if (largest) {
      for (let c: u32 = 1; c < q; c++) m = i32x4.max_u(m, keyVec(c));
      m = i32x4.max_u(m, i32x4.shuffle(m, m, 2, 3, 0, 1));
      m = i32x4.max_u(m, i32x4.shuffle(m, m, 1, 0, 3, 2));
    } else {
      for (let c: u32 = 1; c < q; c++) m = i32x4.min_u(m, keyVec(c));
      m = i32x4.min_u(m, i32x4.shuffle(m, m, 2, 3, 0, 1));
      m = i32x4.min_u(m, i32x4.shuffle(m, m, 1, 0, 3, 2));
    }
    let hits: u32 = 0;
    for (let c: u32 = 0; c < q; c++) hits |= <u32>i32x4.bitmask(i32x4.eq(keyVec(c), m)) << (c << 2);
    const j = largest ? ctz<u32>(hits) : 31 - clz<u32>(hits);
    marked |= <u32>1 << j;
    store<u32>(keyBuf + (<usize>j << 2), gone);
  }
  const all: u32 = g == 32 ? 0xffffffff : (<u32>1 << g) - 1;
  return largest ? marked : all ^ marked;
}

/**
 * The SIMD build's general group (any g ≤ 32): acc four lanes at a time, magnitude keys in keyBuf
 * (pad lanes 0: a pad never beats a real lane, as it ranks after every lower index of equal key),
 * then each lane counts the lanes that beat it (the tie rule: larger key, or equal key and lower
 * index) by comparing its vector with every rotation of every vector of the group, and is kept when
 * fewer than N beat it (or keptByPasses, when that is cheaper). Same kept set as groupScalar. Returns false (error recorded) at the first
 * non-finite element.
 */
function groupVector(s: usize, r: usize, i0: u32, g: u32, N: u32): bool {
  const q = (g + 3) >> 2;
  const mask = i32x4.splat(ABS_MASK);
  let top = i32x4.splat(0);
  for (let c: u32 = 0; c < q; c++) {
    const j0 = c << 2;
    if (j0 + 4 <= g) {
      const o = <usize>(i0 + j0) << 2;
      let a = v128.load(s + o);
      if (r) {
        a = f32x4.add(a, v128.load(r + o));
        v128.store(s + o, a);
      }
      const K = v128.and(a, mask);
      top = i32x4.max_u(top, K);
      v128.store(keyBuf + (<usize>c << 4), K);
    } else {
      for (let j = j0; j < j0 + 4; j++) {
        let key: u32 = 0;
        if (j < g) {
          key = reinterpret<u32>(accStore(s, r, i0 + j)) & ABS_MASK;
        }
        store<u32>(keyBuf + (<usize>j << 2), key);
      }
      top = i32x4.max_u(top, keyVec(c));
    }
  }
  if (v128.any_true(i32x4.ge_u(top, i32x4.splat(NONFINITE_KEY)))) {
    for (let j: u32 = 0; j < g; j++) {
      if (load<u32>(keyBuf + (<usize>j << 2)) >= NONFINITE_KEY) {
        setError(0, i0 + j);
        return false;
      }
    }
  }
  const all: u32 = g == 32 ? 0xffffffff : (<u32>1 << g) - 1;
  let bits: u32 = 0;
  if (N >= g) {
    bits = all;
  } else if (N > 0 && <u32>3 * min<u32>(N, g - N) < q * q) {
    bits = keptByPasses(g, q, N);
  } else if (N > 0) {
    const nv = i32x4.splat(N);
    const none = i32x4.splat(0);
    const every = i32x4.splat(-1);
    for (let t: u32 = 0; t < q; t++) {
      const K = keyVec(t);
      // Within the vector: lane j of rotation d holds lane (j + d) mod 4, lower when j >= 4 - d.
      let cnt = i32x4.add(
        i32x4.add(
          beats(i32x4.shuffle(K, K, 1, 2, 3, 0), K, i32x4(0, 0, 0, -1)),
          beats(i32x4.shuffle(K, K, 2, 3, 0, 1), K, i32x4(0, 0, -1, -1)),
        ),
        beats(i32x4.shuffle(K, K, 3, 0, 1, 2), K, i32x4(0, -1, -1, -1)),
      );
      for (let c: u32 = 0; c < q; c++) {
        if (c == t) continue;
        const A = keyVec(c);
        const lower = c < t ? every : none;
        cnt = i32x4.add(cnt, i32x4.add(
          i32x4.add(beats(A, K, lower), beats(i32x4.shuffle(A, A, 1, 2, 3, 0), K, lower)),
          i32x4.add(beats(i32x4.shuffle(A, A, 2, 3, 0, 1), K, lower), beats(i32x4.shuffle(A, A, 3, 0, 1, 2), K, lower)),
        ));
      }
      bits |= <u32>i32x4.bitmask(i32x4.lt_u(i32x4.neg(cnt), nv)) << (t << 2);
    }
    bits &= all;
  }
  emitKept(s, r, i0, bits);
  return true;
}

/** Swizzle patterns (16 bytes per 4-bit mask) that move the kept lanes of a vector to its front. */
let compactTable: usize = 0;

function compactPatterns(): usize {
  if (!compactTable) {
    compactTable = heap.alloc(256);
    for (let m: u32 = 0; m < 16; m++) {
      let out: u32 = 0;
      for (let j: u32 = 0; j < 4; j++) {
        if (m & (1 << j)) {
          for (let b: u32 = 0; b < 4; b++) store<u8>(compactTable + m * 16 + out * 4 + b, <u8>(j * 4 + b));
          out++;
        }
      }
      for (let b = out * 4; b < 16; b++) store<u8>(compactTable + m * 16 + b, 0x80);
    }
  }
  return compactTable;
}

/**
 * Keeps N of every M along the last dimension (cols) of the n-element tensor at s (residual r,
 * 0 for none). Writes acc over s, the kept elements to the result area (ascending indices, acc
 * values) and, with r != 0, +0 at the kept positions of s. The unit list is left empty.
 * Returns the number kept, -1 at the first NaN/±Inf of acc (sg_error_index; s is then only partly
 * accumulated, which is harmless as the caller does not adopt it), INVALID when cols = 0,
 * cols does not divide n, M = 0, M > 32 or N > M.
 */
export function selectNm(s: usize, r: usize, n: u32, cols: u32, N: u32, M: u32): i32 {
  unitReserve(0);
  resultReserve(0);
  if (cols == 0 || n % cols != 0 || M == 0 || M > NM_MAX_M || N > M) return INVALID;
  const rows = n / cols;
  const full = cols / M;
  const tail = cols % M;
  const perRow = <u64>full * <u64>N + <u64>(tail != 0 ? min<u32>(N, tail) : 0);
  resultReserve(<u32>(<u64>rows * perRow) + 4);
  const ef = r != 0;
  for (let y: u32 = 0; y < rows; y++) {
    const base = y * cols;
    let g: u32 = 0;
    if (ASC_FEATURE_SIMD) {
      if (M == 4 && N > 0 && N < 4) {
        const nv = i32x4.splat(N);
        const mask = i32x4.splat(ABS_MASK);
        const bad = i32x4.splat(NONFINITE_KEY);
        const lower1 = i32x4(0, 0, 0, -1);
        const lower2 = i32x4(0, 0, -1, -1);
        const lower3 = i32x4(0, -1, -1, -1);
        const table = compactPatterns();
        let cnt = resultCount;
        for (; g < full; g++) {
          const i0 = base + (g << 2);
          const o = <usize>i0 << 2;
          let a = v128.load(s + o);
          if (r) {
            a = f32x4.add(a, v128.load(r + o));
            v128.store(s + o, a);
          }
          const K = v128.and(a, mask);
          if (v128.any_true(i32x4.ge_u(K, bad))) {
            for (let j: u32 = 0; j < 4; j++) {
              if ((reinterpret<u32>(loadF32(s, i0 + j)) & ABS_MASK) >= NONFINITE_KEY) {
                setError(0, i0 + j);
                return -1;
              }
            }
          }
          // Lane j of R_d holds the key of lane (j + d) mod 4, a lower lane exactly when j >= 4 - d.
          const R1 = i32x4.shuffle(K, K, 1, 2, 3, 0);
          const R2 = i32x4.shuffle(K, K, 2, 3, 0, 1);
          const R3 = i32x4.shuffle(K, K, 3, 0, 1, 2);
          const b1 = v128.bitselect(i32x4.ge_u(R1, K), i32x4.gt_u(R1, K), lower1);
          const b2 = v128.bitselect(i32x4.ge_u(R2, K), i32x4.gt_u(R2, K), lower2);
          const b3 = v128.bitselect(i32x4.ge_u(R3, K), i32x4.gt_u(R3, K), lower3);
          const beaten = i32x4.neg(i32x4.add(i32x4.add(b1, b2), b3));
          const keep = i32x4.lt_u(beaten, nv);
          // Compress the kept lanes to the front and store whole vectors (the area has 4 spare slots).
          const bits = <u32>i32x4.bitmask(keep);
          const pat = v128.load(table + (<usize>bits << 4));
          const at = <usize>cnt << 2;
          v128.store(resultIdx + at, i8x16.swizzle(i32x4.add(i32x4.splat(i0), i32x4(0, 1, 2, 3)), pat));
          v128.store(resultVal + at, i8x16.swizzle(a, pat));
          cnt += <u32>popcnt<u32>(bits);
          if (ef) v128.store(s + o, v128.andnot(a, keep));
        }
        resultSetCount(cnt);
      }
    }
    if (ASC_FEATURE_SIMD) {
      for (; g < full; g++) if (!groupVector(s, r, base + g * M, M, N)) return -1;
      if (tail != 0 && !groupVector(s, r, base + full * M, tail, N)) return -1;
    } else {
      for (; g < full; g++) if (!groupScalar(s, r, base + g * M, M, N)) return -1;
      if (tail != 0 && !groupScalar(s, r, base + full * M, tail, N)) return -1;
    }
  }
  return <i32>resultCount;
}
