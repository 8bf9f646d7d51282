/**
 * The number of kept elements: `k` from a density, and validation of an explicit `k`.
 *
 * Normative source: docs/selection.md, "k from a density".
 */

import { ConfigError } from '../errors.ts';

/** Throws unless `n` is a tensor length: a non-negative safe integer. */
function validateLength(n: number): void {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new ConfigError(`tensor length must be a non-negative integer, got ${String(n)}`);
  }
}

/**
 * Throws a {@link ConfigError} unless `density` is a number in `(0, 1]` (NaN and ±Infinity are
 * refused). `what` names the parameter in the message (e.g. `"density"`, `"q"`).
 * See docs/selection.md, "k from a density".
 */
export function validateDensity(density: number, what = 'density'): void {
  if (typeof density !== 'number' || Number.isNaN(density)) {
    throw new ConfigError(`${what} must be a number in (0, 1], got ${String(density)}`);
  }
  if (!(density > 0 && density <= 1)) {
    throw new ConfigError(`${what} must be in (0, 1], got ${density}`);
  }
}

/**
 * `k` from a density (docs/selection.md, "k from a density"): `0` if `n = 0`, otherwise
 * `min(n, max(1, Math.round(density * n)))` with the product taken in f64 (halves round up).
 *
 * @param density fraction of elements to keep, in `(0, 1]`.
 * @param n tensor length (non-negative integer).
 * @throws ConfigError if `density` is outside `(0, 1]` or NaN, or `n` is not a valid length.
 */
export function kFromDensity(density: number, n: number, what = 'density'): number {
  validateDensity(density, what);
  validateLength(n);
  if (n === 0) return 0;
  return Math.min(n, Math.max(1, Math.round(density * n)));
}

/**
 * Validates an explicit `k` (docs/selection.md, "k from a density"): an integer with
 * `0 ≤ k ≤ n`. `what` names the parameter in the message (e.g. `"k"`, `"K"`).
 *
 * @throws ConfigError if `k` is not an integer, is negative, or exceeds `n`.
 */
export function validateK(k: number, n: number, what = 'k'): void {
  validateLength(n);
  if (typeof k !== 'number' || !Number.isInteger(k)) {
    throw new ConfigError(`${what} must be an integer, got ${String(k)}`);
  }
  if (k < 0) throw new ConfigError(`${what} must be >= 0, got ${k}`);
  if (k > n) throw new ConfigError(`${what} = ${k} exceeds the number of elements (${n})`);
}
