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
 * ≥ against lower lanes, > against higher ones) and is kept when that count is below N.
 */
import { ABS_MASK, NONFINITE_KEY, loadF32, storeF32 } from '../util/key';
import { resultPush, resultReserve, resultCount, setError } from '../util/scratch';
import { unitReserve } from '../util/unit_result';
import { INVALID } from './select_block';

/** Largest group size. */
export const NM_MAX_M: u32 = 32;

/** acc of one group (at most NM_MAX_M f32). */
const groupBuf: usize = memory.data(NM_MAX_M << 2, 16);

/**
 * One group of g elements at i0: acc into s (r != 0), non-finite check, keep the N first.
 * Returns false (error recorded) at the first non-finite element.
 */
function groupScalar(s: usize, r: usize, i0: u32, g: u32, N: u32): bool {
  for (let j: u32 = 0; j < g; j++) {
    let a = loadF32(s, i0 + j);
    if (r) {
      a += loadF32(r, i0 + j);
      storeF32(s, i0 + j, a);
    }
    if ((reinterpret<u32>(a) & ABS_MASK) >= NONFINITE_KEY) {
      setError(0, i0 + j);
      return false;
    }
    storeF32(groupBuf, j, a);
  }
  const ef = r != 0;
  for (let j: u32 = 0; j < g; j++) {
    const a = loadF32(groupBuf, j);
    let keep = N >= g;
    if (!keep) {
      const kj = reinterpret<u32>(a) & ABS_MASK;
      let beaten: u32 = 0;
      for (let i: u32 = 0; i < g; i++) {
        const ki = reinterpret<u32>(loadF32(groupBuf, i)) & ABS_MASK;
        if (ki > kj || (ki == kj && i < j)) beaten++;
      }
      keep = beaten < N;
    }
    if (keep) {
      resultPush(i0 + j, a);
      if (ef) storeF32(s, i0 + j, 0);
    }
  }
  return true;
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
  resultReserve(<u32>(<u64>rows * perRow));
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
          let bits = i32x4.bitmask(keep);
          while (bits) {
            const j = <u32>ctz<i32>(bits);
            resultPush(i0 + j, loadF32(s, i0 + j));
            bits &= bits - 1;
          }
          if (ef) v128.store(s + o, v128.andnot(a, keep));
        }
      }
    }
    for (; g < full; g++) if (!groupScalar(s, r, base + g * M, M, N)) return -1;
    if (tail != 0 && !groupScalar(s, r, base + full * M, tail, N)) return -1;
  }
  return <i32>resultCount;
}
