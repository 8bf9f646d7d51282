/**
 * Baseline: exact top-k in plain JavaScript by quickselect. A copy of |x| is partitioned in place
 * (Hoare/Wirth selection, median-of-three pivot) until the k-th largest magnitude T is in place;
 * then one filter pass over x keeps every |x[i]| > T and, in index order, as many |x[i]| = T as
 * are still needed — which is exactly the project's tie rule (lower index first). Expected O(n).
 */
import type { TopkSelection } from './types.ts';

/**
 * Partially order `a` in place so that `a[p]` holds the element of rank `p` in descending order,
 * everything before it is ≥ `a[p]` and everything after it ≤ `a[p]`. Returns `a[p]`.
 */
export function selectDescending(a: Float32Array, p: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (p <= j) hi = j;
    else if (p >= i) lo = i;
    else break;
  }
  return a[p]!;
}

/** The k-th largest magnitude of `x` (k ≥ 1), computed on a scratch copy. */
export function kthMagnitude(x: Float32Array, k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > x.length) throw new RangeError(`k=${k} out of range for n=${x.length}`);
  const mag = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) mag[i] = Math.abs(x[i]!);
  return selectDescending(mag, k - 1);
}

/** Exact top-k of `x` by magnitude (ties: lower index first) by quickselect + one filter pass. */
export function jsQuickselectTopk(x: Float32Array, k: number): TopkSelection {
  const n = x.length;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`k=${k} out of range for n=${n}`);
  const indices = new Uint32Array(k);
  const values = new Float32Array(k);
  if (k === 0) return { indices, values };
  const mag = new Float32Array(n);
  for (let i = 0; i < n; i++) mag[i] = Math.abs(x[i]!);
  const t = selectDescending(mag, k - 1);
  // mag[0..k-1] are the k largest magnitudes; those strictly above T are all kept.
  let greater = 0;
  for (let j = 0; j < k; j++) if (mag[j]! > t) greater++;
  let ties = k - greater;
  let m = 0;
  for (let i = 0; i < n && m < k; i++) {
    const v = x[i]!;
    const a = Math.abs(v);
    if (a > t || (a === t && ties-- > 0)) {
      indices[m] = i;
      values[m++] = v;
    }
  }
  return { indices, values };
}
