/**
 * The one documented f32 summation order that every backend (SIMD, scalar, TS reference, GPU)
 * follows, so that sums are bit-identical everywhere.
 *
 * Normative source: docs/selection.md, "Reductions".
 */

/** Number of elements per block of {@link blockedSum}. A multiple of 4. */
export const BLOCK_SIZE = 65536;

/**
 * `blockedSum` (docs/selection.md, "Reductions"): the tensor is cut into blocks of
 * {@link BLOCK_SIZE} elements (the last may be shorter). Within a block, four f32 lane accumulators
 * start at +0 and element `i` is added to lane `i mod 4` in increasing `i`; the block sum is
 * `(l0 + l1) + (l2 + l3)`. The total starts at +0 and adds the block sums in block order.
 * Every addition is one f32 addition.
 *
 * @param values the f32 values to sum.
 * @param include optional predicate: an element for which it returns false is counted as +0.
 * @returns the f32 sum (+0 for an empty tensor).
 */
export function blockedSum(values: Float32Array, include?: (i: number) => boolean): number {
  const n = values.length;
  let total = 0;
  for (let start = 0; start < n; start += BLOCK_SIZE) {
    const end = Math.min(n, start + BLOCK_SIZE);
    const lanes = [0, 0, 0, 0];
    for (let i = start; i < end; i++) {
      const v = include === undefined || include(i) ? values[i] : 0;
      lanes[i % 4] = Math.fround(lanes[i % 4] + v);
    }
    const blockSum = Math.fround(Math.fround(lanes[0] + lanes[1]) + Math.fround(lanes[2] + lanes[3]));
    total = Math.fround(total + blockSum);
  }
  return total;
}
