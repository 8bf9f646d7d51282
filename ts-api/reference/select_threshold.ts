/**
 * Absolute-threshold selection: keep every element whose magnitude reaches `t`.
 *
 * Normative source: docs/selection.md, "threshold". Threshold sparsification of gradients:
 * Strom, "Scalable distributed DNN training using commodity GPU cloud computing", Interspeech 2015.
 */

import { ConfigError } from '../errors.ts';
import type { Selection } from '../types.ts';
import { magnitudeKey, magnitudeKeys } from './key.ts';
import { selectionWhere } from './select_topk.ts';

/**
 * Throws a {@link ConfigError} unless `t` is a finite number `≥ 0` (`-0` is accepted as 0).
 * See docs/selection.md, "threshold".
 */
export function validateThreshold(t: number): void {
  if (typeof t !== 'number' || !Number.isFinite(t) || !(t >= 0)) {
    throw new ConfigError(`threshold must be a finite number >= 0, got ${String(t)}`);
  }
}

/**
 * `threshold` (docs/selection.md, "threshold"): keeps every `i` with `key(acc[i]) ≥ key(t)`, i.e.
 * `|acc[i]| ≥ t`. `t` is rounded to f32 (ties to even) before its key is taken, so `t = 0.1` keeps
 * `Math.fround(0.1)`; a finite `t` above the f32 range rounds to +Infinity and keeps nothing.
 * Sent values are `acc[i]`.
 *
 * @param acc the accumulated tensor, finite values.
 * @param t the threshold, finite and `≥ 0`.
 * @throws ConfigError if `t` is NaN, infinite or negative.
 */
export function selectThreshold(acc: Float32Array, t: number): Selection {
  validateThreshold(t);
  const tKey = magnitudeKey(t);
  const keys = magnitudeKeys(acc);
  return selectionWhere(acc, (i) => keys[i] >= tKey);
}
